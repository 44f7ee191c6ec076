/**
 * The two audits. `check` recomputes every projection from the movements (the frozen month-end
 * balances included) and lists each figure that differs. `verify` recomputes every hash chain and compares its end with the stored chain head, so a
 * row changed, inserted or deleted behind the service's back is found, the newest ones included.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../../shared/decimal.js';
import { type ChainedMovement, GENESIS, type StoredDocument, movementHash, movementHashV2 } from '../core/chain.js';
import { parseNode } from '../core/nodes.js';
import { SYSTEM_USER } from '../posting/ledger.post.js';

const SIGNED = `CASE WHEN warehouse IS NULL THEN 0 WHEN to_node = 'WH:' || warehouse THEN quantity ELSE -quantity END`;

const CHECKS: { kind: string; sql: string }[] = [
  {
    kind: 'BALANCE',
    sql: `WITH ledger AS (SELECT category, warehouse, coalesce(lot, '') AS lot, sum(${SIGNED}) AS qty FROM stock_movements WHERE warehouse IS NOT NULL GROUP BY 1, 2, 3)
      SELECT coalesce(l.category, b.category) AS category, coalesce(l.warehouse, b.warehouse) AS warehouse, nullif(coalesce(l.lot, b.lot), '') AS lot,
             coalesce(l.qty, 0)::text AS ledger, coalesce(b.on_hand, 0)::text AS projection
      FROM ledger l FULL JOIN stock_balances b ON b.category = l.category AND b.warehouse = l.warehouse AND b.lot = l.lot
      WHERE coalesce(l.qty, 0) <> coalesce(b.on_hand, 0)`,
  },
  {
    // The position of a (category, warehouse): its balance, its row count, and the running balance on its last row.
    kind: 'POSITION',
    sql: `WITH ledger AS (SELECT category, warehouse, sum(${SIGNED}) AS qty, count(*) AS n, max(warehouse_position) AS top FROM stock_movements WHERE warehouse IS NOT NULL GROUP BY 1, 2),
      latest AS (SELECT DISTINCT ON (category, warehouse) category, warehouse, warehouse_balance FROM stock_movements WHERE warehouse IS NOT NULL ORDER BY category, warehouse, warehouse_position DESC)
      SELECT coalesce(l.category, p.category) AS category, coalesce(l.warehouse, p.warehouse) AS warehouse,
             json_build_object('onHand', coalesce(l.qty, 0)::text, 'movements', coalesce(l.n, 0), 'lastPosition', coalesce(l.top, 0), 'lastRunningBalance', latest.warehouse_balance::text) AS ledger,
             json_build_object('onHand', p.on_hand::text, 'movements', p.movements) AS projection
      FROM ledger l FULL JOIN stock_positions p ON p.category = l.category AND p.warehouse = l.warehouse
      LEFT JOIN latest ON latest.category = l.category AND latest.warehouse = l.warehouse
      WHERE coalesce(l.qty, 0) <> coalesce(p.on_hand, 0) OR coalesce(l.n, 0) <> coalesce(p.movements, 0) OR coalesce(l.top, 0) <> coalesce(l.n, 0)
         OR coalesce(latest.warehouse_balance, 0) <> coalesce(p.on_hand, 0)`,
  },
  {
    kind: 'CHAIN_HEAD',
    sql: `WITH ledger AS (SELECT category, max(sequence) AS seq, count(*) AS n, sum(${SIGNED}) AS qty, count(warehouse) AS positions FROM stock_movements GROUP BY 1),
      latest AS (SELECT DISTINCT ON (category) category, category_balance FROM stock_movements WHERE warehouse IS NOT NULL ORDER BY category, category_position DESC)
      SELECT coalesce(l.category, h.category) AS category, NULL AS warehouse,
             json_build_object('lastSequence', coalesce(l.seq, 0), 'movements', coalesce(l.n, 0), 'onHand', coalesce(l.qty, 0)::text, 'positions', coalesce(l.positions, 0),
                               'lastRunningBalance', latest.category_balance::text) AS ledger,
             json_build_object('lastSequence', h.last_sequence, 'onHand', h.on_hand::text, 'positions', h.positions) AS projection
      FROM ledger l FULL JOIN stock_chains h ON h.category = l.category LEFT JOIN latest ON latest.category = l.category
      WHERE coalesce(l.seq, 0) <> coalesce(h.last_sequence, 0) OR coalesce(l.n, 0) <> coalesce(l.seq, 0) OR coalesce(l.qty, 0) <> coalesce(h.on_hand, 0)
         OR coalesce(l.positions, 0) <> coalesce(h.positions, 0) OR coalesce(latest.category_balance, 0) <> coalesce(h.on_hand, 0)`,
  },
  {
    // Each closed month's frozen balances equal the sum of the movements up to its end: movements
    // netted per month once, then each closed month takes the months up to it.
    kind: 'FROZEN',
    sql: `WITH monthly AS (
        SELECT date_trunc('month', occurred_at)::date AS month, category, warehouse, coalesce(lot, '') AS lot, sum(${SIGNED}) AS qty
        FROM stock_movements WHERE warehouse IS NOT NULL AND occurred_at <= (SELECT max(through) FROM stock_periods) GROUP BY 1, 2, 3, 4),
      ledger AS (SELECT p.period, m.category, m.warehouse, m.lot, sum(m.qty) AS qty FROM stock_periods p JOIN monthly m ON m.month <= p.period GROUP BY 1, 2, 3, 4)
      SELECT coalesce(l.category, b.category) AS category, coalesce(l.warehouse, b.warehouse) AS warehouse, nullif(coalesce(l.lot, b.lot), '') AS lot,
             json_build_object('period', to_char(coalesce(l.period, b.period), 'YYYY-MM'), 'onHand', coalesce(l.qty, 0)::text) AS ledger,
             json_build_object('period', to_char(coalesce(l.period, b.period), 'YYYY-MM'), 'onHand', coalesce(b.on_hand, 0)::text) AS projection
      FROM ledger l FULL JOIN stock_period_balances b ON b.period = l.period AND b.category = l.category AND b.warehouse = l.warehouse AND b.lot = l.lot
      WHERE coalesce(l.qty, 0) <> coalesce(b.on_hand, 0)`,
  },
  {
    // A transfer in transit holds goods on its transit node; a received or cancelled one holds none.
    kind: 'TRANSIT',
    sql: `WITH transit AS (
        SELECT substr(node, 9)::bigint AS id, sum(quantity) AS qty FROM (
          SELECT to_node AS node, quantity FROM stock_movements WHERE to_node LIKE 'TRANSIT:%'
          UNION ALL SELECT from_node, -quantity FROM stock_movements WHERE from_node LIKE 'TRANSIT:%') moves GROUP BY 1)
      SELECT NULL AS category, NULL AS warehouse, json_build_object('transfer', coalesce(t.id, x.id)::text, 'inTransit', coalesce(x.qty, 0)::text) AS ledger,
             json_build_object('status', t.status) AS projection
      FROM stock_transfers t FULL JOIN transit x ON x.id = t.id
      WHERE t.id IS NULL OR (t.status = 'IN_TRANSIT') <> (coalesce(x.qty, 0) > 0) OR coalesce(x.qty, 0) < 0`,
  },
];

export interface Discrepancy {
  kind: string;
  category: string | null;
  warehouse: string | null;
  lot?: string | null;
  ledger: unknown;
  projection: unknown;
}

/** A check another capability adds (allocations: reserved = open reservations); same row shape as the built-in ones. */
export interface LedgerCheck {
  kind: string;
  sql: string;
}

export async function checkLedger(em: EntityManager, extra: readonly LedgerCheck[] = []): Promise<{ ok: boolean; discrepancies: Discrepancy[] }> {
  const discrepancies: Discrepancy[] = [];
  for (const check of [...CHECKS, ...extra]) {
    const rows = await em.execute<Omit<Discrepancy, 'kind'>[]>(check.sql);
    discrepancies.push(...rows.map((row) => ({ kind: check.kind, ...row })));
  }
  return { ok: discrepancies.length === 0, discrepancies };
}

interface MovementRow {
  id: string; document_id: string; category: string; sequence: string; lot: string | null; expires_on: string | null; quantity: string; from_node: string; to_node: string;
  unit_cost: string | null; occurred_at: string; recorded_at: string; user_id: string | null; reason: string | null; hash: string; hash_version: number;
  line: string; warehouse: string | null; warehouse_balance: string | null; warehouse_position: string | null; category_balance: string | null; category_position: string | null;
  /** The document's header, for movement/v2 rows (null when the document is gone). */
  doc: StoredDocument | null;
}

export interface ChainProblem {
  category: string;
  sequence: string | null;
  kind: 'ROW_ALTERED' | 'HEAD_MISMATCH';
  message: string;
}

const BATCH_ROWS = 5000;

/** A timestamp in UTC with microseconds, as the canonical forms write it. */
const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A stored row as the chain hashed it, or null when it no longer reads as a movement at all. */
function toChained(row: MovementRow): ChainedMovement | null {
  // Written from a JS Date, recorded_at has whole milliseconds; anything finer was put there by hand.
  if (!row.recorded_at.endsWith('000Z')) return null;
  try {
    return {
      id: row.id, documentId: row.document_id, sequence: BigInt(row.sequence), category: row.category, lot: row.lot, expiresOn: row.expires_on,
      quantity: new Decimal(row.quantity), from: parseNode(row.from_node), to: parseNode(row.to_node), unitCost: row.unit_cost === null ? null : new Decimal(row.unit_cost),
      occurredAt: row.occurred_at, recordedAt: new Date(row.recorded_at.replace(/(\.\d{3})\d{3}Z$/, '$1Z')), userId: row.user_id ?? SYSTEM_USER, reason: row.reason, hash: row.hash,
    };
  } catch {
    return null;
  }
}

/** The hash a stored row should carry after `previous`, under the canonical form it was written with; null when it cannot be read as one. */
function expectedHash(previous: string, row: MovementRow): string | null {
  if (row.hash_version === 2) {
    if (row.doc === null) return null;
    return movementHashV2(previous, {
      id: row.id, documentId: row.document_id, line: row.line, sequence: row.sequence, category: row.category, lot: row.lot, expiresOn: row.expires_on, quantity: row.quantity,
      fromNode: row.from_node, toNode: row.to_node, warehouse: row.warehouse, unitCost: row.unit_cost, occurredAt: row.occurred_at, recordedAt: row.recorded_at, userId: row.user_id,
      reason: row.reason, warehouseBalance: row.warehouse_balance, warehousePosition: row.warehouse_position, categoryBalance: row.category_balance,
      categoryPosition: row.category_position, document: row.doc,
    });
  }
  if (row.hash_version !== 1) return null;
  const chained = toChained(row);
  return chained === null ? null : movementHash(previous, chained);
}

interface ChainState {
  category: string;
  previous: string;
  lastSequence: string;
  movements: number;
  broken: boolean;
}

export async function verifyLedger(em: EntityManager): Promise<{ ok: boolean; chains: number; movements: number; problems: ChainProblem[] }> {
  const heads = await em.execute<{ category: string; last_sequence: string; last_hash: string }[]>('SELECT category, last_sequence::text, last_hash FROM stock_chains ORDER BY category');
  const problems: ChainProblem[] = [];
  const states = new Map<string, ChainState>();
  let movements = 0;
  let after: [string, string] = ['', '0'];
  for (;;) {
    const rows = await em.execute<MovementRow[]>(
      // Qualified names: an unqualified ORDER BY would sort by the text output columns ("10" < "2").
      `SELECT m.id::text, m.document_id::text, m.category, m.sequence::text, m.lot, to_char(m.expires_on, 'YYYY-MM-DD') AS expires_on, m.quantity::text, m.from_node, m.to_node,
              m.unit_cost::text, to_char(m.occurred_at, 'YYYY-MM-DD') AS occurred_at, ${UTC('m.recorded_at')} AS recorded_at, m.user_id::text, m.reason, m.hash, m.hash_version,
              m.line::text, m.warehouse, m.warehouse_balance::text, m.warehouse_position::text, m.category_balance::text, m.category_position::text,
              CASE WHEN m.hash_version = 2 THEN (
                SELECT json_build_object('id', d.id::text, 'type', d.type, 'warehouse', d.warehouse, 'counterpartWarehouse', d.counterpart_warehouse, 'sourceKind', d.source_kind,
                  'sourceName', d.source_name, 'reference', d.reference, 'reason', d.reason, 'transferId', d.transfer_id::text, 'stocktakeId', d.stocktake_id::text,
                  'reversesDocumentId', d.reverses_document_id::text, 'occurredAt', to_char(d.occurred_at, 'YYYY-MM-DD'), 'createdAt', ${UTC('d.created_at')}, 'userId', d.user_id::text)
                FROM stock_documents d WHERE d.id = m.document_id) END AS doc
       FROM stock_movements m WHERE (m.category, m.sequence) > (?, ?::bigint) ORDER BY m.category, m.sequence LIMIT ${BATCH_ROWS}`,
      after,
    );
    for (const row of rows) {
      const state = states.get(row.category) ?? { category: row.category, previous: GENESIS, lastSequence: '0', movements: 0, broken: false };
      states.set(row.category, state);
      movements += 1;
      state.movements += 1;
      state.lastSequence = row.sequence;
      if (state.broken) continue;
      if (expectedHash(state.previous, row) !== row.hash) {
        state.broken = true;
        const message = `movement ${row.sequence} of ${row.category} does not match its hash: it was changed, or a row before it was removed or inserted`;
        problems.push({ category: row.category, sequence: row.sequence, kind: 'ROW_ALTERED', message });
      } else state.previous = row.hash;
    }
    if (rows.length < BATCH_ROWS) break;
    const last = rows[rows.length - 1]!;
    after = [last.category, last.sequence];
  }
  for (const head of heads) {
    const state = states.get(head.category);
    if (state?.broken) continue;
    if ((state?.previous ?? GENESIS) !== head.last_hash || (state?.lastSequence ?? '0') !== head.last_sequence) {
      const message = `the chain of ${head.category} ends at movement ${state?.lastSequence ?? 0} but its head records ${head.last_sequence}: the newest movements were removed or the head was altered`;
      problems.push({ category: head.category, sequence: head.last_sequence, kind: 'HEAD_MISMATCH', message });
    }
  }
  for (const state of states.values()) {
    if (!heads.some((h) => h.category === state.category)) {
      problems.push({ category: state.category, sequence: null, kind: 'HEAD_MISMATCH', message: `movements of ${state.category} have no chain head` });
    }
  }
  return { ok: problems.length === 0, chains: heads.length, movements, problems };
}
