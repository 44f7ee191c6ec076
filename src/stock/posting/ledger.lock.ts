/**
 * Locking the ledger of the categories a document touches. Every posting first locks the chain
 * heads of its categories in category order: postings of one category are serialised (the hash
 * chain needs a single order, and the running balances written with each row need it too), postings
 * of different categories run in parallel, and the fixed order means two documents cannot deadlock.
 * The same statement passes the period gate (stock_posting_gate: the periods lock, shared, and the
 * date the books are closed through), so closing a month adds no round trip to a posting.
 *
 * A document that needs nothing else read under the lock (receipts, write-offs of categories without
 * lots) skips this statement: it validates against the snapshot ChainHeads keeps, and the posting
 * call itself (stock_post_document) passes the gate, locks the heads and checks the snapshot.
 */
import { type FieldProblem, assert } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import { datingProblems } from '../core/periods.js';
import type { CategoryRule } from '../core/movement.js';
import { type LedgerTx, NeedsLock, type SqlRunner } from './ledger.sql.js';

/** What a posting validates against: category rules, warehouses, the closed-through date, and fresh document ids. */
export interface LedgerLock {
  readonly rules: ReadonlyMap<string, CategoryRule>;
  /** Warehouse code → active, for the warehouses named in the request that exist. */
  readonly warehouses: ReadonlyMap<string, boolean>;
  /** Every warehouse named in the request and what it was (null: unknown); the posting checks it is still so. */
  readonly named: readonly { code: string; active: boolean | null }[];
  /** Allocated by the locked path; an optimistic posting takes its id from the sequence as it posts. */
  readonly documentIds: string[];
  /** Last day of the latest closed month (月结), or null: nothing may be dated on or before it. */
  readonly closedThrough: string | null;
}

interface HeadRow {
  category: string;
  scale: number;
  lot_tracked: boolean;
  ours: boolean;
}

// Categories are filtered on both sides of the join so that both are read by primary key: the
// planner cannot carry a condition on an array across the join by itself.
// The gate is a one-time filter of the heads scan, so the periods lock is taken before any chain
// head: a posting waiting behind a close then holds no row another posting needs.
const LOCK_SQL = `
  WITH gate AS MATERIALIZED (SELECT stock_posting_gate()::text AS closed_through),
  heads AS (
    SELECT h.category, c.scale, c.lot_tracked,
           -- Written by this very transaction (created, or advanced by an earlier posting in it): not yet safe to remember.
           coalesce(h.xmin = xid(pg_current_xact_id_if_assigned()), false) AS ours
    FROM stock_chains h JOIN categories c ON c.code = h.category
    WHERE h.category = ANY ($1::text[]) AND c.code = ANY ($1::text[]) AND (SELECT true FROM gate)
    ORDER BY h.category
    FOR UPDATE OF h)
  SELECT (SELECT coalesce(json_agg(heads), '[]') FROM heads) AS heads,
         (SELECT coalesce(json_object_agg(code, active), '{}') FROM warehouses WHERE code = ANY ($2::text[])) AS warehouses,
         ARRAY(SELECT nextval('stock_documents_id_seq')::text FROM generate_series(1, $3::int)) AS document_ids,
         (SELECT closed_through FROM gate) AS closed_through`;

// What the lock reads, for every category and warehouse at once (as stock_posting_gate() gives the date).
const WARM_SQL = `
  SELECT (SELECT coalesce(json_agg(json_build_array(code, scale, lot_tracked)), '[]') FROM categories) AS rules,
         (SELECT coalesce(json_agg(json_build_array(code, active)), '[]') FROM warehouses) AS warehouses,
         (SELECT max(through)::text FROM stock_periods) AS closed_through`;

// Sorted like the lock below, so two postings creating the same heads cannot deadlock.
const CREATE_HEADS_SQL = `
  INSERT INTO stock_chains (category) SELECT code FROM categories WHERE code = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) ORDER BY code
  ON CONFLICT DO NOTHING`;

/**
 * Chain heads are created on first use, inside the posting's own transaction: asking the pool for
 * a second connection while holding one can starve it under load. A head committed by an earlier
 * transaction is never deleted, so it is remembered and not created again.
 *
 * It also keeps the snapshot an optimistic posting validates against (rules, warehouses, the
 * closed-through date, as last read under the lock). It needs no invalidation: stock_post_document
 * checks under the lock that what the posting relied on is still so, and a refusal found against it
 * is confirmed under the lock before it is given.
 */
export class ChainHeads {
  private readonly known = new Set<string>();
  private readonly rules = new Map<string, CategoryRule | null>();
  private readonly warehouseStates = new Map<string, boolean | null>();
  private closedThrough: string | null | undefined = undefined;
  private warming: Promise<void> | null = null;

  /**
   * `reader`: for filling the snapshot with every category, warehouse and the closed-through date in one
   * read, the first time an optimistic posting misses it, so that postings after a start do not each take
   * the locked path until their own category has been seen once.
   */
  constructor(private readonly reader?: SqlRunner) {}

  /** Locks the heads of `categories` (unknown codes are simply absent) and allocates document ids. */
  async lock(tx: LedgerTx, categories: Iterable<string>, warehouses: Iterable<string>, documentCount = 1): Promise<LedgerLock> {
    const codes = [...new Set(categories)].sort();
    const named = [...new Set(warehouses)];
    if (tx.optimistic) {
      // A failed read is not remembered: the posting takes the locked path, and a later one reads again.
      if (!this.covers(codes, named) && this.reader) await (this.warming ??= this.warm(this.reader).catch(() => void (this.warming = null)));
      return this.snapshot(codes, named);
    }
    if (codes.some((code) => !this.known.has(code))) await tx.execute(CREATE_HEADS_SQL, [JSON.stringify(codes)]);
    const [row] = await tx.prepared<{ heads: HeadRow[]; warehouses: Record<string, boolean>; document_ids: string[]; closed_through: string | null }>('stock_lock', LOCK_SQL, [
      codes,
      named,
      documentCount,
    ]);
    assert(row !== undefined, 'the lock query returns one row');
    const rules = new Map<string, CategoryRule>();
    for (const head of row.heads) {
      // Remembered only once committed: inside a savepoint `ours` cannot see that the row is this
      // transaction's own (a subtransaction has its own xid), and a rollback would remove it.
      if (!head.ours) tx.afterCommit(() => this.known.add(head.category));
      rules.set(head.category, { code: head.category, scale: head.scale, lotTracked: head.lot_tracked });
    }
    for (const code of codes) this.rules.set(code, rules.get(code) ?? null);
    for (const code of named) this.warehouseStates.set(code, row.warehouses[code] ?? null);
    this.closedThrough = row.closed_through;
    return {
      rules,
      warehouses: new Map(Object.entries(row.warehouses)),
      named: named.map((code) => ({ code, active: row.warehouses[code] ?? null })),
      documentIds: [...row.document_ids],
      closedThrough: row.closed_through,
    };
  }

  private covers(codes: readonly string[], named: readonly string[]): boolean {
    return this.closedThrough !== undefined && codes.every((code) => this.rules.has(code)) && named.every((code) => this.warehouseStates.has(code));
  }

  /**
   * Reads the whole snapshot once, outside any lock. What it reads may be out of date by the time a
   * posting relies on it, like anything remembered here: stock_post_document checks it under the lock.
   * It fills only what is not yet known, so it never replaces what a locked path read later.
   */
  private async warm(reader: SqlRunner): Promise<void> {
    const [row] = await reader.execute<{ rules: [string, number, boolean][]; warehouses: [string, boolean][]; closed_through: string | null }[]>(WARM_SQL);
    assert(row !== undefined, 'the snapshot query returns one row');
    for (const [code, scale, lotTracked] of row.rules) if (!this.rules.has(code)) this.rules.set(code, { code, scale, lotTracked });
    for (const [code, active] of row.warehouses) if (!this.warehouseStates.has(code)) this.warehouseStates.set(code, active);
    if (this.closedThrough === undefined) this.closedThrough = row.closed_through;
  }

  /** The lock as last seen, without asking the database; NeedsLock when part of it was never seen. */
  private snapshot(codes: readonly string[], named: readonly string[]): LedgerLock {
    const closedThrough = this.closedThrough;
    if (closedThrough === undefined || !this.covers(codes, named)) throw new NeedsLock();
    const rules = new Map<string, CategoryRule>();
    for (const code of codes) {
      const rule = this.rules.get(code);
      if (rule) rules.set(code, rule);
    }
    const states = named.map((code) => ({ code, active: this.warehouseStates.get(code) ?? null }));
    const warehouses = new Map(states.filter((state) => state.active !== null).map((state) => [state.code, state.active!] as const));
    return { rules, warehouses, named: states, documentIds: [], closedThrough };
  }
}

/** A document id the locked path allocated, or null: the posting then takes one from the sequence. */
export function takeDocumentId(lock: LedgerLock): string | null {
  return lock.documentIds.shift() ?? null;
}

/** A warehouse named in a request must exist and be in use. */
export function warehouseProblems(lock: LedgerLock, code: string, field: string): FieldProblem[] {
  const active = lock.warehouses.get(code);
  if (active === undefined) return [{ field, value: code, reason: 'unknown warehouse' }];
  if (!active) return [{ field, value: code, reason: 'the warehouse is not in use (inactive)' }];
  return [];
}

/**
 * A document may be dated on any day of an open period up to today, whatever other warehouses or
 * categories posted since: its movements enter the 台帐 at their business date and the running
 * balances are computed at read time. The period gate holds until commit, so a month cannot be
 * closed between this check and the posting.
 */
export function occurredAtProblems(lock: LedgerLock, occurredAt: string, field = 'occurredAt', today = todayInCity()): FieldProblem[] {
  return datingProblems(occurredAt, lock.closedThrough, today, field);
}
