/**
 * The reservation's SQL, on the ledger transaction (LedgerTx) after the chain heads of the order's
 * categories are locked: every balance change of those categories waits for that lock, so what is read
 * here is what the plan is made from. The increment is still a conditional UPDATE that refuses to pass
 * on_hand − reserved, and CHECK (reserved <= on_hand) backs it.
 */
import { Decimal } from '../shared/decimal.js';
import { ConflictError, assert } from '../shared/errors.js';
import type { LedgerTx } from '../stock/index.js';
import type { WarehouseSite } from './core/geo.js';
import type { Demand } from './core/kits.js';
import { type PlannedLine, type StockRow, quotaKey } from './core/matching.js';

const jsonList = (values: readonly string[]) => JSON.stringify(values);
const ANY_TEXT = 'ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))';

export async function activeWarehouses(tx: LedgerTx): Promise<WarehouseSite[]> {
  const rows = await tx.execute<{ code: string; district: string; level: WarehouseSite['level']; lat: string; lon: string }[]>(
    'SELECT code, district, level, lat::text, lon::text FROM warehouses WHERE active ORDER BY code',
  );
  return rows.map((row) => ({ code: row.code, district: row.district, level: row.level, lat: Number(row.lat), lon: Number(row.lon) }));
}

/**
 * The stock the plan can reach, read in one statement: usable balance rows (not expired or quarantined,
 * something available) of the demanded categories, with each warehouse's quota, but only from the
 * warehouses the plan can get to — in `order` (nearest first), a warehouse is left out once the
 * warehouses before it already offer the whole demand above their quotas. The matching core then decides
 * exactly as it would from every row (it would never reach those warehouses); PostgreSQL does the
 * pruning, so a 200-line order over 200 warehouses ships a few hundred rows instead of 40,000.
 */
export async function reachableStock(
  tx: LedgerTx, demands: readonly Demand[], order: readonly string[], today: string, takeProtected: boolean,
): Promise<{ stock: StockRow[]; quotas: Map<string, Decimal> }> {
  // One pass, no self-join: rows are grouped per warehouse (lots as JSON) and the window over the
  // groups says what the nearer warehouses already offer. (A join of the grouped rows back to the
  // rows was planned as a nested loop over 40,000 × 40,000 rows.)
  const rows = await tx.prepared<{ category: string; warehouse: string; quota: string; lots: { lot: string; expires_on: string | null; status: StockRow['status']; available: string }[] }>(
    'allocation_reachable_stock',
    `WITH r AS (
       SELECT b.category, b.warehouse, d.wanted, w.rank, b.lot, l.expires_on, coalesce(l.status, 'AVAILABLE') AS status, b.on_hand - b.reserved AS available,
              coalesce(q.quantity, 0) AS quota
       FROM unnest($1::text[], $2::numeric[]) AS d(category, wanted)
       JOIN stock_balances b ON b.category = d.category
       JOIN unnest($3::text[]) WITH ORDINALITY AS w(code, rank) ON w.code = b.warehouse
       LEFT JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot AND b.lot <> ''
       LEFT JOIN stock_quotas q ON q.category = b.category AND q.warehouse = b.warehouse
       WHERE b.on_hand > b.reserved AND (b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= $4::date))),
     g AS (
       SELECT category, warehouse, wanted, rank, max(quota) AS quota,
              greatest(sum(available) - CASE WHEN $5::boolean THEN 0 ELSE max(quota) END, 0) AS free,
              json_agg(json_build_object('lot', lot, 'expires_on', expires_on, 'status', status, 'available', available::text)) AS lots
       FROM r GROUP BY category, warehouse, wanted, rank),
     c AS (
       SELECT category, warehouse, wanted, quota, free, lots,
              coalesce(sum(free) OVER (PARTITION BY category ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
       FROM g)
     SELECT category, warehouse, quota::text AS quota, lots FROM c WHERE free > 0 AND before < wanted`,
    [demands.map((d) => d.category), demands.map((d) => d.quantity.toFixed()), [...order], today, takeProtected],
  );
  const quotas = new Map<string, Decimal>();
  const stock: StockRow[] = [];
  for (const row of rows) {
    if (row.quota !== '0') quotas.set(quotaKey(row.warehouse, row.category), new Decimal(row.quota));
    for (const lot of row.lots) {
      stock.push({ category: row.category, warehouse: row.warehouse, lot: lot.lot, expiresOn: lot.expires_on, status: lot.status, available: new Decimal(lot.available) });
    }
  }
  return { stock, quotas };
}

interface HeldRow {
  category: string;
  warehouse: string;
  lot: string;
  quantity: Decimal;
  protected: Decimal;
}

function heldRows(lines: readonly PlannedLine[]): HeldRow[] {
  const rows = new Map<string, HeldRow>();
  for (const line of lines) {
    for (const pick of line.picks) {
      const key = JSON.stringify([line.category, pick.warehouse, pick.lot]);
      const row = rows.get(key);
      if (row) rows.set(key, { ...row, quantity: row.quantity.plus(pick.quantity), protected: row.protected.plus(pick.protected) });
      else rows.set(key, { category: line.category, warehouse: pick.warehouse, lot: pick.lot, quantity: pick.quantity, protected: pick.protected });
    }
  }
  // A fixed order, so the row locks of two reservations are always taken the same way round.
  return [...rows.values()].sort((a, b) => (a.category + '\u0000' + a.warehouse + '\u0000' + a.lot < b.category + '\u0000' + b.warehouse + '\u0000' + b.lot ? -1 : 1));
}

const RESERVE_SQL = `
  WITH x AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS x(category, warehouse, lot, quantity)),
  taken AS (
    UPDATE stock_balances b SET reserved = b.reserved + x.quantity FROM x
    WHERE b.category = x.category AND b.warehouse = x.warehouse AND b.lot = x.lot AND b.on_hand - b.reserved >= x.quantity
    RETURNING 1)
  SELECT count(*)::int AS n FROM taken`;

const HOLD_SQL = `
  INSERT INTO allocation_picks AS p (allocation_id, category, warehouse, lot, quantity, open, protected)
  SELECT $1::bigint, category, warehouse, lot, quantity, quantity, protected
  FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[]) AS x(category, warehouse, lot, quantity, protected)
  ON CONFLICT (allocation_id, category, warehouse, lot)
  DO UPDATE SET quantity = p.quantity + EXCLUDED.quantity, open = p.open + EXCLUDED.open, protected = p.protected + EXCLUDED.protected`;

/** Reserves every pick of the plan or nothing: the conditional update must take each row. */
export async function reservePlan(tx: LedgerTx, allocationId: string, lines: readonly PlannedLine[]): Promise<void> {
  const rows = heldRows(lines);
  if (rows.length === 0) return;
  const columns = [rows.map((r) => r.category), rows.map((r) => r.warehouse), rows.map((r) => r.lot)];
  const [taken] = await tx.prepared<{ n: number }>('allocation_reserve', RESERVE_SQL, [...columns, rows.map((r) => r.quantity.toFixed())]);
  if (taken?.n !== rows.length) {
    // Only a change of stock outside the ledger lock gets here; the caller's transaction rolls back whole.
    throw new ConflictError('STOCK_CHANGED', 'the stock changed while the order was being reserved; nothing was reserved, try again', []);
  }
  await tx.prepared('allocation_hold', HOLD_SQL, [allocationId, ...columns, rows.map((r) => r.quantity.toFixed()), rows.map((r) => r.protected.toFixed())]);
}

export interface OpenPick {
  category: string;
  warehouse: string;
  lot: string;
  expiresOn: string | null;
  open: Decimal;
}

export async function openPicks(tx: LedgerTx, allocationId: string): Promise<OpenPick[]> {
  const rows = await tx.execute<{ category: string; warehouse: string; lot: string; expires_on: string | null; open: string }[]>(
    `SELECT p.category, p.warehouse, p.lot, l.expires_on::text AS expires_on, p.open::text AS open
     FROM allocation_picks p LEFT JOIN stock_lots l ON l.category = p.category AND l.lot = p.lot AND p.lot <> ''
     WHERE p.allocation_id = ? AND p.open > 0 ORDER BY p.category, p.warehouse, p.lot`,
    [allocationId],
  );
  return rows.map((row) => ({ category: row.category, warehouse: row.warehouse, lot: row.lot, expiresOn: row.expires_on, open: new Decimal(row.open) }));
}

/**
 * Gives back what the picks still hold: reserved goes down by each open quantity, and the pick's open
 * quantity becomes dispatched (goods leaving) or zero (cancel, expiry). One statement, so the
 * reserved column and the open picks never disagree.
 */
export async function releasePicks(tx: LedgerTx, allocationId: string, picks: readonly OpenPick[], how: 'dispatch' | 'release'): Promise<void> {
  if (picks.length === 0) return;
  const [result] = await tx.execute<{ balances: number; held: number }[]>(
    `WITH x AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(category text, warehouse text, lot text, open numeric)),
     balances AS (
       UPDATE stock_balances b SET reserved = b.reserved - x.open FROM x
       WHERE b.category = x.category AND b.warehouse = x.warehouse AND b.lot = x.lot AND b.reserved >= x.open RETURNING 1),
     held AS (
       UPDATE allocation_picks p SET open = p.open - x.open, dispatched = p.dispatched + CASE WHEN ? THEN x.open ELSE 0 END FROM x
       WHERE p.allocation_id = ? AND p.category = x.category AND p.warehouse = x.warehouse AND p.lot = x.lot AND p.open >= x.open RETURNING 1)
     SELECT (SELECT count(*) FROM balances)::int AS balances, (SELECT count(*) FROM held)::int AS held`,
    [JSON.stringify(picks.map((p) => ({ category: p.category, warehouse: p.warehouse, lot: p.lot, open: p.open.toFixed() }))), how === 'dispatch', allocationId],
  );
  assert(result?.balances === picks.length && result.held === picks.length, `release of allocation ${allocationId}: reserved and open picks agree`);
}
