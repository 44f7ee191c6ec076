/**
 * Writing one document inside a transaction that holds the ledger lock of its categories, in one
 * statement: the balance projections (the conditional update that refuses to oversell), then, only
 * if every decrement went through, the positions, the document, its hash-chained movements with
 * their running balances, the chain heads and any new lots.
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, assert } from '../../shared/errors.js';
import { movementHash } from '../core/chain.js';
import { formatNode } from '../core/nodes.js';
import type { DocumentType, MovementLine } from '../core/movement.js';
import { type ChainHead, type LedgerLock, takeDocumentId } from './ledger.lock.js';
import type { LedgerTx } from './ledger.sql.js';

/** The user recorded on movements written by the system itself (CLI imports, sample data). */
export const SYSTEM_USER = 'system';

export interface DocumentHeader {
  readonly type: DocumentType;
  readonly warehouse: string | null;
  readonly counterpartWarehouse?: string | null;
  readonly sourceKind?: 'PROCUREMENT' | 'DONATION' | null;
  readonly sourceName?: string | null;
  readonly reference?: string | null;
  readonly reason: string | null;
  readonly transferId?: string | null;
  readonly stocktakeId?: string | null;
  readonly reversesDocumentId?: string | null;
  readonly occurredAt: string;
  /** null for the system. */
  readonly userId: string | null;
}

export interface NewLot {
  readonly category: string;
  readonly lot: string;
  readonly expiresOn: string;
}

export interface PostedMovement extends MovementLine {
  readonly id: string;
  readonly line: number;
  readonly sequence: bigint;
  readonly hash: string;
}

export interface PostedDocument {
  readonly id: string;
  readonly header: DocumentHeader;
  readonly recordedAt: Date;
  readonly movements: readonly PostedMovement[];
}

/** The warehouse side of a movement and its sign there; stock never moves warehouse to warehouse directly. */
export function warehouseSide(m: MovementLine): { warehouse: string; sign: 1 | -1 } | null {
  assert(!(m.from.kind === 'WH' && m.to.kind === 'WH'), 'stock between warehouses passes through TRANSIT');
  if (m.to.kind === 'WH') return { warehouse: m.to.code, sign: 1 };
  if (m.from.kind === 'WH') return { warehouse: m.from.code, sign: -1 };
  return null;
}

const key = (...parts: (string | null)[]): string => JSON.stringify(parts);
const signedQuantity = (m: MovementLine, sign: 1 | -1): Decimal => (sign === 1 ? m.quantity : m.quantity.negated());

interface BalanceDelta {
  category: string;
  warehouse: string;
  lot: string;
  delta: Decimal;
}

/** Nets the document per balance row and per (category, warehouse) position. */
function netDeltas(movements: readonly MovementLine[]) {
  const rows = new Map<string, BalanceDelta>();
  const positions = new Map<string, { category: string; warehouse: string; delta: Decimal; movements: number }>();
  for (const m of movements) {
    const side = warehouseSide(m);
    if (side === null) continue;
    const signed = signedQuantity(m, side.sign);
    const lot = m.lot ?? '';
    const row = rows.get(key(m.category, side.warehouse, lot)) ?? { category: m.category, warehouse: side.warehouse, lot, delta: new Decimal(0) };
    rows.set(key(m.category, side.warehouse, lot), { ...row, delta: row.delta.plus(signed) });
    const position = positions.get(key(m.category, side.warehouse)) ?? { category: m.category, warehouse: side.warehouse, delta: new Decimal(0), movements: 0 };
    positions.set(key(m.category, side.warehouse), { ...position, delta: position.delta.plus(signed), movements: position.movements + 1 });
  }
  return { rows: [...rows.values()].filter((row) => !row.delta.isZero()), positions: [...positions.values()] };
}

/**
 * The running balance of a (category, warehouse) after each movement is its position after the
 * whole document less what the document's later movements there add; the position statement
 * returns that figure, so each movement carries the offset to subtract.
 */
function offsetsFromEnd(movements: readonly MovementLine[]): ({ balance: Decimal; position: number } | null)[] {
  const after = new Map<string, { balance: Decimal; position: number }>();
  const offsets: ({ balance: Decimal; position: number } | null)[] = new Array(movements.length).fill(null);
  for (let index = movements.length - 1; index >= 0; index--) {
    const m = movements[index]!;
    const side = warehouseSide(m);
    if (side === null) continue;
    const later = after.get(key(m.category, side.warehouse)) ?? { balance: new Decimal(0), position: 0 };
    offsets[index] = later;
    after.set(key(m.category, side.warehouse), { balance: later.balance.plus(signedQuantity(m, side.sign)), position: later.position + 1 });
  }
  return offsets;
}

interface Chained {
  movements: PostedMovement[];
  rows: object[];
  heads: Map<string, ChainHead>;
}

/** Hashes each movement onto its category's chain; works on copies of the heads, kept only if the posting succeeds. */
function chain(lock: LedgerLock, documentId: string, header: DocumentHeader, recordedAt: Date, movements: readonly MovementLine[]): Chained {
  const heads = new Map<string, ChainHead>();
  const offsets = offsetsFromEnd(movements);
  const posted: PostedMovement[] = [];
  const rows = movements.map((m, index) => {
    const locked = lock.heads.get(m.category);
    assert(locked !== undefined, `the chain of ${m.category} is locked`);
    const head = heads.get(m.category) ?? { ...locked };
    heads.set(m.category, head);
    const sequence = head.lastSequence + 1n;
    const id = randomUUID();
    const prevHash = head.lastHash;
    const hash = movementHash(prevHash, { ...m, id, documentId, sequence, occurredAt: header.occurredAt, recordedAt, userId: header.userId ?? SYSTEM_USER, reason: header.reason });
    Object.assign(head, { lastSequence: sequence, lastHash: hash });
    if (head.lastOccurredOn === null || header.occurredAt > head.lastOccurredOn) head.lastOccurredOn = header.occurredAt;
    const side = warehouseSide(m);
    if (side !== null) Object.assign(head, { onHand: head.onHand.plus(signedQuantity(m, side.sign)), positions: head.positions + 1n });
    posted.push({ ...m, id, line: index + 1, sequence, hash });
    return {
      id, line: index + 1, category: m.category, sequence: sequence.toString(), lot: m.lot, expires_on: m.expiresOn, quantity: m.quantity.toFixed(),
      from_node: formatNode(m.from), to_node: formatNode(m.to), warehouse: side?.warehouse ?? null, unit_cost: m.unitCost?.toFixed() ?? null, reason: header.reason,
      prev_hash: prevHash, hash, balance_offset: offsets[index]?.balance.toFixed() ?? null, position_offset: offsets[index]?.position ?? null,
      category_balance: side ? head.onHand.toFixed() : null, category_position: side ? head.positions.toString() : null,
    };
  });
  return { movements: posted, rows, heads };
}

const ONLY_IF_OK = '(SELECT ok FROM ok)';

const POST_SQL = `
  WITH rows AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS x(category, warehouse, lot, delta)),
  pos AS (SELECT * FROM unnest($5::text[], $6::text[], $7::numeric[], $8::bigint[]) AS x(category, warehouse, delta, movements)),
  taken AS (
    UPDATE stock_balances b SET on_hand = b.on_hand + r.delta FROM rows r
    WHERE r.delta < 0 AND b.category = r.category AND b.warehouse = r.warehouse AND b.lot = r.lot AND b.on_hand - b.reserved + r.delta >= 0
    RETURNING 1),
  ok AS (SELECT count(*) = $9::int AS ok FROM taken),
  added AS (
    INSERT INTO stock_balances AS b (category, warehouse, lot, on_hand) SELECT category, warehouse, lot, delta FROM rows WHERE delta > 0 AND ${ONLY_IF_OK}
    ON CONFLICT (category, warehouse, lot) DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand),
  -- A CHECK constraint judges the candidate row of an INSERT before ON CONFLICT makes it an update,
  -- so a position that goes down is updated, never upserted.
  fell AS (
    UPDATE stock_positions p SET on_hand = p.on_hand + x.delta, movements = p.movements + x.movements FROM pos x
    WHERE x.delta < 0 AND p.category = x.category AND p.warehouse = x.warehouse AND ${ONLY_IF_OK}
    RETURNING p.category, p.warehouse, p.on_hand, p.movements),
  rose AS (
    INSERT INTO stock_positions AS p (category, warehouse, on_hand, movements) SELECT category, warehouse, delta, movements FROM pos WHERE delta >= 0 AND ${ONLY_IF_OK}
    ON CONFLICT (category, warehouse) DO UPDATE SET on_hand = p.on_hand + EXCLUDED.on_hand, movements = p.movements + EXCLUDED.movements
    RETURNING p.category, p.warehouse, p.on_hand, p.movements),
  moved AS (SELECT * FROM fell UNION ALL SELECT * FROM rose),
  doc AS (
    INSERT INTO stock_documents (id, type, warehouse, counterpart_warehouse, source_kind, source_name, reference, reason, transfer_id, stocktake_id, reverses_document_id, occurred_at, created_at, user_id)
    SELECT * FROM jsonb_to_record($10::jsonb) AS d(id bigint, type text, warehouse text, counterpart_warehouse text, source_kind text, source_name text, reference text, reason text,
      transfer_id bigint, stocktake_id bigint, reverses_document_id bigint, occurred_at date, created_at timestamptz, user_id bigint)
    WHERE ${ONLY_IF_OK}),
  written AS (
    INSERT INTO stock_movements (id, document_id, line, category, sequence, lot, expires_on, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at, user_id, reason,
      prev_hash, hash, warehouse_balance, warehouse_position, category_balance, category_position)
    SELECT m.id, $11::bigint, m.line, m.category, m.sequence, m.lot, m.expires_on, m.quantity, m.from_node, m.to_node, m.warehouse, m.unit_cost, $12::date, $13::timestamptz, $14::bigint, m.reason,
           m.prev_hash, m.hash, p.on_hand - m.balance_offset, p.movements - m.position_offset, m.category_balance, m.category_position
    FROM jsonb_to_recordset($15::jsonb) AS m(id uuid, line integer, category text, sequence bigint, lot text, expires_on date, quantity numeric, from_node text, to_node text,
      warehouse text, unit_cost numeric, reason text, prev_hash text, hash text, balance_offset numeric, position_offset bigint, category_balance numeric, category_position bigint)
    LEFT JOIN moved p ON p.category = m.category AND p.warehouse = m.warehouse
    WHERE ${ONLY_IF_OK}),
  heads AS (
    UPDATE stock_chains h SET last_sequence = x.last_sequence, last_hash = x.last_hash, on_hand = x.on_hand, positions = x.positions, last_occurred_on = x.last_occurred_on
    FROM unnest($16::text[], $17::bigint[], $18::text[], $19::numeric[], $20::bigint[], $21::date[]) AS x(category, last_sequence, last_hash, on_hand, positions, last_occurred_on)
    WHERE h.category = x.category AND ${ONLY_IF_OK}),
  lots AS (
    INSERT INTO stock_lots (category, lot, expires_on) SELECT * FROM jsonb_to_recordset($22::jsonb) AS l(category text, lot text, expires_on date) WHERE ${ONLY_IF_OK}
    ON CONFLICT (category, lot) DO NOTHING)
  SELECT ok FROM ok`;

/**
 * Posts one document. Throws ConflictError INSUFFICIENT_STOCK (naming category, lot, warehouse and
 * what is available) when a warehouse would go below what it can give; the caller's transaction
 * then rolls back, so nothing of the document remains.
 */
export async function postDocument(tx: LedgerTx, lock: LedgerLock, header: DocumentHeader, movements: readonly MovementLine[], newLots: readonly NewLot[] = []): Promise<PostedDocument> {
  const { rows, positions } = netDeltas(movements);
  const decrements = rows.filter((row) => row.delta.isNegative());
  const documentId = takeDocumentId(lock);
  const recordedAt = new Date();
  const chained = chain(lock, documentId, header, recordedAt, movements);
  const document = {
    id: documentId, type: header.type, warehouse: header.warehouse, counterpart_warehouse: header.counterpartWarehouse ?? null, source_kind: header.sourceKind ?? null,
    source_name: header.sourceName ?? null, reference: header.reference ?? null, reason: header.reason, transfer_id: header.transferId ?? null, stocktake_id: header.stocktakeId ?? null,
    reverses_document_id: header.reversesDocumentId ?? null, occurred_at: header.occurredAt, created_at: recordedAt.toISOString(), user_id: header.userId,
  };
  const heads = [...chained.heads.values()];
  // Sets joined with the projections go as arrays: unnest is estimated at a few rows, so the
  // cached plan probes the primary keys instead of scanning whole tables.
  const [result] = await tx.prepared<{ ok: boolean }>('stock_post', POST_SQL, [
    rows.map((r) => r.category), rows.map((r) => r.warehouse), rows.map((r) => r.lot), rows.map((r) => r.delta.toFixed()),
    positions.map((p) => p.category), positions.map((p) => p.warehouse), positions.map((p) => p.delta.toFixed()), positions.map((p) => p.movements),
    decrements.length,
    JSON.stringify(document),
    documentId, header.occurredAt, recordedAt.toISOString(), header.userId,
    JSON.stringify(chained.rows),
    heads.map((h) => h.category), heads.map((h) => h.lastSequence.toString()), heads.map((h) => h.lastHash), heads.map((h) => h.onHand.toFixed()),
    heads.map((h) => h.positions.toString()), heads.map((h) => h.lastOccurredOn),
    JSON.stringify(newLots.map((l) => ({ category: l.category, lot: l.lot, expires_on: l.expiresOn }))),
  ]);
  if (!result?.ok) return refuseShortage(tx, lock, decrements);
  for (const [category, head] of chained.heads) Object.assign(lock.heads.get(category)!, head);
  return { id: documentId, header, recordedAt, movements: chained.movements };
}

/** Names every balance row the document would take below what is available there. */
async function refuseShortage(tx: LedgerTx, lock: LedgerLock, decrements: readonly BalanceDelta[]): Promise<never> {
  const found = await tx.execute<{ category: string; warehouse: string; lot: string; available: string }[]>(
    `SELECT b.category, b.warehouse, b.lot, (b.on_hand - b.reserved)::text AS available
     FROM stock_balances b JOIN jsonb_to_recordset(?::jsonb) AS x(category text, warehouse text, lot text) USING (category, warehouse, lot)`,
    [JSON.stringify(decrements.map(({ category, warehouse, lot }) => ({ category, warehouse, lot })))],
  );
  const available = new Map(found.map((row) => [key(row.category, row.warehouse, row.lot), new Decimal(row.available)]));
  const shortages = decrements
    .map((row) => {
      const scale = lock.rules.get(row.category)?.scale ?? 3;
      const has = available.get(key(row.category, row.warehouse, row.lot)) ?? new Decimal(0);
      return { category: row.category, lot: row.lot || null, warehouse: row.warehouse, requested: row.delta.negated(), available: has, scale };
    })
    .filter((row) => row.requested.gt(row.available))
    .map(({ scale, requested, available: has, ...row }) => ({ ...row, requested: requested.toFixed(scale), available: has.toFixed(scale) }));
  assert(shortages.length > 0, 'a refused decrement has a shortage');
  const first = shortages[0]!;
  const what = first.lot ? `${first.category} lot ${first.lot}` : first.category;
  throw new ConflictError('INSUFFICIENT_STOCK', `not enough ${what} in ${first.warehouse}: ${first.requested} requested, ${first.available} available`, { ...first, shortages });
}
