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
import { type PlannedLine, type StockRow, quotaKey, readByRings } from './core/matching.js';


export async function activeWarehouses(tx: LedgerTx): Promise<WarehouseSite[]> {
  const rows = await tx.execute<{ code: string; district: string; level: WarehouseSite['level']; lat: string; lon: string }[]>(
    'SELECT code, district, level, lat::text, lon::text FROM warehouses WHERE active ORDER BY code',
  );
  return rows.map((row) => ({ code: row.code, district: row.district, level: row.level, lat: Number(row.lat), lon: Number(row.lon) }));
}

const REACHABLE_SQL = `
  SELECT b.category, b.warehouse, b.lot, l.expires_on::text AS expires_on, coalesce(l.status, 'AVAILABLE') AS status, (b.on_hand - b.reserved)::text AS available,
         q.quantity::text AS quota
  FROM stock_balances b
  LEFT JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot AND b.lot <> ''
  LEFT JOIN stock_quotas q ON q.category = b.category AND q.warehouse = b.warehouse
  WHERE b.category = ANY ($1::text[]) AND b.warehouse = ANY ($2::text[]) AND b.on_hand > b.reserved
    AND (b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= $3::date))`;

/**
 * The stock the plan can reach, read ring by ring outward from the destination (readByRings): usable
 * balance rows (not expired or quarantined, something available) of the categories still short, with
 * their quotas, one statement per ring. The chain heads are locked, so the rings read one consistent
 * state. A 200-line order over 200 warehouses whose nearest warehouses hold the stock reads a few
 * thousand rows in one or two statements instead of 40,000.
 */
export function reachableStock(
  tx: LedgerTx, demands: readonly Demand[], order: readonly string[], today: string, takeProtected: boolean,
): Promise<{ stock: StockRow[]; quotas: Map<string, Decimal> }> {
  return readByRings(demands, order, async (categories, warehouses) => {
    const rows = await tx.prepared<{ category: string; warehouse: string; lot: string; expires_on: string | null; status: StockRow['status']; available: string; quota: string | null }>(
      'allocation_reachable_stock', REACHABLE_SQL, [categories, warehouses, today],
    );
    const quotas = new Map<string, Decimal>();
    for (const row of rows) if (row.quota !== null && !new Decimal(row.quota).isZero()) quotas.set(quotaKey(row.warehouse, row.category), new Decimal(row.quota));
    const stock = rows.map((row) => ({ category: row.category, warehouse: row.warehouse, lot: row.lot, expiresOn: row.expires_on, status: row.status, available: new Decimal(row.available) }));
    return { stock, quotas };
  }, today, takeProtected);
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

/** Reserves every pick of the plan or nothing: allocation_reserve must take each balance row (see its migration). */
export async function reservePlan(tx: LedgerTx, allocationId: string, lines: readonly PlannedLine[]): Promise<void> {
  const rows = heldRows(lines);
  if (rows.length === 0) return;
  const [taken] = await tx.prepared<{ n: number }>('allocation_reserve', 'SELECT allocation_reserve($1::bigint, $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[]) AS n', [
    allocationId, rows.map((r) => r.category), rows.map((r) => r.warehouse), rows.map((r) => r.lot), rows.map((r) => r.quantity.toFixed()), rows.map((r) => r.protected.toFixed()),
  ]);
  if (taken?.n !== rows.length) {
    // Only a change of stock outside the ledger lock gets here; the caller's transaction rolls back whole.
    throw new ConflictError('STOCK_CHANGED', 'the stock changed while the order was being reserved; nothing was reserved, try again', []);
  }
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
  const [result] = await tx.prepared<{ balances: number; held: number }>(
    'allocation_release', 'SELECT balances, held FROM allocation_release($1::bigint, $2::text[], $3::text[], $4::text[], $5::numeric[], $6::boolean)',
    [allocationId, picks.map((p) => p.category), picks.map((p) => p.warehouse), picks.map((p) => p.lot), picks.map((p) => p.open.toFixed()), how === 'dispatch'],
  );
  assert(result?.balances === picks.length && result.held === picks.length, `release of allocation ${allocationId}: reserved and open picks agree`);
}
