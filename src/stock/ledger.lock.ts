/**
 * Locking the ledger of the categories a document touches. Every posting first locks the chain
 * heads of its categories in category order: postings of one category are serialised (the hash
 * chain needs a single order, and the running balances written with each row need it too), postings
 * of different categories run in parallel, and the fixed order means two documents cannot deadlock.
 */
import { Decimal } from '../shared/decimal.js';
import { type FieldProblem, assert } from '../shared/errors.js';
import { todayInCity } from '../shared/dates.js';
import type { CategoryRule } from './movement.js';
import type { LedgerTx } from './ledger.sql.js';

export interface ChainHead {
  readonly category: string;
  lastSequence: bigint;
  lastHash: string;
  /** Stock of the category over all warehouses, after the last movement. */
  onHand: Decimal;
  /** Movements of the category with a warehouse side: the position of the last one in the category ledger. */
  positions: bigint;
  lastOccurredOn: string | null;
}

/** What a transaction holds after locking: category rules, chain heads, warehouses and fresh document ids. */
export interface LedgerLock {
  readonly rules: ReadonlyMap<string, CategoryRule>;
  readonly heads: ReadonlyMap<string, ChainHead>;
  /** Warehouse code → active, for the warehouses named in the request that exist. */
  readonly warehouses: ReadonlyMap<string, boolean>;
  readonly documentIds: string[];
}

interface HeadRow {
  category: string;
  last_sequence: string;
  last_hash: string;
  on_hand: string;
  positions: string;
  last_occurred_on: string | null;
  scale: number;
  lot_tracked: boolean;
  ours: boolean;
}

// Categories are filtered on both sides of the join so that both are read by primary key: the
// planner cannot carry a condition on an array across the join by itself.
const LOCK_SQL = `
  WITH heads AS (
    SELECT h.category, h.last_sequence::text AS last_sequence, h.last_hash, h.on_hand::text AS on_hand, h.positions::text AS positions,
           h.last_occurred_on::text AS last_occurred_on, c.scale, c.lot_tracked,
           -- Written by this very transaction (created, or advanced by an earlier posting in it): not yet safe to remember.
           coalesce(h.xmin = xid(pg_current_xact_id_if_assigned()), false) AS ours
    FROM stock_chains h JOIN categories c ON c.code = h.category
    WHERE h.category = ANY ($1::text[]) AND c.code = ANY ($1::text[])
    ORDER BY h.category
    FOR UPDATE OF h)
  SELECT (SELECT coalesce(json_agg(heads), '[]') FROM heads) AS heads,
         (SELECT coalesce(json_object_agg(code, active), '{}') FROM warehouses WHERE code = ANY ($2::text[])) AS warehouses,
         ARRAY(SELECT nextval('stock_documents_id_seq')::text FROM generate_series(1, $3::int)) AS document_ids`;

// Sorted like the lock below, so two postings creating the same heads cannot deadlock.
const CREATE_HEADS_SQL = `
  INSERT INTO stock_chains (category) SELECT code FROM categories WHERE code = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) ORDER BY code
  ON CONFLICT DO NOTHING`;

/**
 * Chain heads are created on first use, inside the posting's own transaction: asking the pool for
 * a second connection while holding one can starve it under load. A head committed by an earlier
 * transaction is never deleted, so it is remembered and not created again.
 */
export class ChainHeads {
  private readonly known = new Set<string>();

  /** Locks the heads of `categories` (unknown codes are simply absent) and allocates document ids. */
  async lock(tx: LedgerTx, categories: Iterable<string>, warehouses: Iterable<string>, documentCount = 1): Promise<LedgerLock> {
    const codes = [...new Set(categories)].sort();
    // Heads this call creates are not remembered: inside a request transaction the insert runs in a
    // savepoint, its xmin is not the top-level xid tested below, and a refusal rolls it back.
    const created = codes.some((code) => !this.known.has(code))
      ? new Set((await tx.execute<{ category: string }[]>(`${CREATE_HEADS_SQL} RETURNING category`, [JSON.stringify(codes)])).map((r) => r.category))
      : new Set<string>();
    const [row] = await tx.prepared<{ heads: HeadRow[]; warehouses: Record<string, boolean>; document_ids: string[] }>('stock_lock', LOCK_SQL, [
      codes,
      [...new Set(warehouses)],
      documentCount,
    ]);
    assert(row !== undefined, 'the lock query returns one row');
    const rules = new Map<string, CategoryRule>();
    const heads = new Map<string, ChainHead>();
    for (const head of row.heads) {
      if (!head.ours && !created.has(head.category)) this.known.add(head.category);
      rules.set(head.category, { code: head.category, scale: head.scale, lotTracked: head.lot_tracked });
      heads.set(head.category, {
        category: head.category,
        lastSequence: BigInt(head.last_sequence),
        lastHash: head.last_hash,
        onHand: new Decimal(head.on_hand),
        positions: BigInt(head.positions),
        lastOccurredOn: head.last_occurred_on,
      });
    }
    return { rules, heads, warehouses: new Map(Object.entries(row.warehouses)), documentIds: [...row.document_ids] };
  }
}

export function takeDocumentId(lock: LedgerLock): string {
  const id = lock.documentIds.shift();
  assert(id !== undefined, 'the lock allocated too few document ids');
  return id;
}

/** A warehouse named in a request must exist and be in use. */
export function warehouseProblems(lock: LedgerLock, code: string, field: string): FieldProblem[] {
  const active = lock.warehouses.get(code);
  if (active === undefined) return [{ field, value: code, reason: 'unknown warehouse' }];
  if (!active) return [{ field, value: code, reason: 'the warehouse is not in use (inactive)' }];
  return [];
}

/**
 * The ledger of a category is kept in date order: a movement may be dated back, but not before the
 * last one already recorded for its category (that would rewrite balances others have already
 * reported), and never in the future. This keeps the record order and the business-date order the
 * same, which is what makes as-of balances and dated ledger pages consistent with the running balance.
 */
export function occurredAtProblems(lock: LedgerLock, categories: Iterable<string>, occurredAt: string, field = 'occurredAt', today = todayInCity()): FieldProblem[] {
  if (occurredAt > today) return [{ field, value: occurredAt, reason: `must not be after today (${today})` }];
  const problems: FieldProblem[] = [];
  for (const category of new Set(categories)) {
    const last = lock.heads.get(category)?.lastOccurredOn;
    if (last && occurredAt < last) {
      problems.push({ field, value: occurredAt, reason: `the ledger of ${category} already has movements dated ${last}; date this document ${last} or later` });
    }
  }
  return problems;
}
