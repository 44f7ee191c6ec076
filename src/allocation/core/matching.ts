/**
 * Matching an order against stock across all warehouses, as a pure function of what was read under
 * the ledger lock: nearest warehouse first, first-expiring-first-out within a warehouse, skipping
 * expired and quarantined lots, and never below a warehouse's reserve quota (储备定额) unless the
 * order's emergency override has been approved. The service reserves exactly what this returns.
 */
import { Decimal } from '../../shared/decimal.js';
import { sum } from '../../shared/amounts.js';
import { type Destination, type WarehouseSite, nearestFirst } from './geo.js';
import type { Demand } from './kits.js';

export type LotStatus = 'AVAILABLE' | 'QUARANTINED' | 'EXPIRED';

/** One balance row: on_hand − reserved of a (category, warehouse, lot); lot '' for untracked categories. */
export interface StockRow {
  readonly category: string;
  readonly warehouse: string;
  readonly lot: string;
  readonly expiresOn: string | null;
  readonly status: LotStatus;
  readonly available: Decimal;
}

export interface Pick {
  readonly warehouse: string;
  readonly lot: string;
  readonly expiresOn: string | null;
  readonly quantity: Decimal;
  /** The part of `quantity` that comes out of the warehouse's reserve quota (only with an approved override). */
  readonly protected: Decimal;
}

export interface PlannedLine {
  readonly category: string;
  readonly requested: Decimal;
  readonly reserved: Decimal;
  readonly shortfall: Decimal;
  readonly picks: readonly Pick[];
}

export interface PlanInput {
  readonly demands: readonly Demand[];
  readonly destination: Destination;
  /** Warehouses in use; inactive ones are left out by the caller. */
  readonly warehouses: readonly WarehouseSite[];
  readonly stock: readonly StockRow[];
  /** Reserve quota by `quotaKey(warehouse, category)`; absent means none. */
  readonly quotas: ReadonlyMap<string, Decimal>;
  /** YYYY-MM-DD in the city: a lot is usable through its expiry day. */
  readonly today: string;
  /** True only once an emergency override is approved: the quota no longer protects stock. */
  readonly takeProtected: boolean;
}

export interface Plan {
  readonly lines: readonly PlannedLine[];
  /** Every line fully reserved. */
  readonly covered: boolean;
}

export const quotaKey = (warehouse: string, category: string) => `${warehouse}\u0000${category}`;

export function isUsable(row: StockRow, today: string): boolean {
  return row.status === 'AVAILABLE' && (row.expiresOn === null || row.expiresOn >= today) && row.available.gt(0);
}

// Untracked stock has no expiry; expiring lots go first, then by lot code for a stable order.
function firstExpiringFirst(a: StockRow, b: StockRow): number {
  if (a.expiresOn !== b.expiresOn) {
    if (a.expiresOn === null) return 1;
    if (b.expiresOn === null) return -1;
    return a.expiresOn < b.expiresOn ? -1 : 1;
  }
  return a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0;
}

/** Usable rows per category and warehouse, each list first-expiring-first. */
function usableStock(stock: readonly StockRow[], today: string): Map<string, StockRow[]> {
  const byKey = new Map<string, StockRow[]>();
  for (const row of stock) {
    if (!isUsable(row, today)) continue;
    const key = quotaKey(row.warehouse, row.category);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  for (const list of byKey.values()) list.sort(firstExpiringFirst);
  return byKey;
}

/** What one warehouse gives towards `wanted` of a category: lots first-expiring-first, the quota kept unless released. */
function takeFromWarehouse(rows: readonly StockRow[], wanted: Decimal, quota: Decimal, takeProtected: boolean): Pick[] {
  const usable = sum(rows.map((row) => row.available));
  const free = Decimal.max(0, usable.minus(quota));
  const takeable = takeProtected ? usable : free;
  let remaining = Decimal.min(wanted, takeable);
  let protectedLeft = Decimal.max(0, remaining.minus(free));
  const picks: Pick[] = [];
  for (const row of rows) {
    if (remaining.isZero()) break;
    const quantity = Decimal.min(remaining, row.available);
    // Stock is taken above the quota first, so the protected share is the last part taken.
    const fromProtected = Decimal.max(0, protectedLeft.minus(remaining.minus(quantity)));
    protectedLeft = protectedLeft.minus(fromProtected);
    picks.push({ warehouse: row.warehouse, lot: row.lot, expiresOn: row.expiresOn, quantity, protected: fromProtected });
    remaining = remaining.minus(quantity);
  }
  return picks;
}

/**
 * The demands the given stock cannot yet cover: what each category's usable stock offers above the
 * quotas (all of it once the override is approved), summed over the warehouses read so far, is less
 * than wanted. planAllocation over the rows read then gives exactly the plan it would give over every
 * row, since it never goes past a warehouse once the nearer ones cover the line.
 */
export function stillShort(demands: readonly Demand[], stock: readonly StockRow[], quotas: ReadonlyMap<string, Decimal>, today: string, takeProtected: boolean): Demand[] {
  const offered = new Map<string, Decimal>();
  for (const [key, rows] of usableStock(stock, today)) {
    const usable = sum(rows.map((row) => row.available));
    const free = takeProtected ? usable : Decimal.max(0, usable.minus(quotas.get(key) ?? 0));
    const category = rows[0]!.category;
    offered.set(category, (offered.get(category) ?? new Decimal(0)).plus(free));
  }
  return demands.filter((demand) => (offered.get(demand.category) ?? new Decimal(0)).lt(demand.quantity));
}

/** The first ring holds this many of the nearest warehouses; each further ring twice as many as the one before. */
export const FIRST_RING = 8;

export type StockReader = (categories: readonly string[], warehouses: readonly string[]) => Promise<{ stock: StockRow[]; quotas: ReadonlyMap<string, Decimal> }>;

/**
 * The stock a plan needs, read ring by ring outward from the destination: the nearest `firstRing`
 * warehouses of `order` for every demanded category, then the next ring (twice as many) only for the
 * categories still short (stillShort), and so on until nothing is short or no warehouse is left.
 * `read` returns the usable rows and quotas of the given categories in the given warehouses.
 */
export async function readByRings(
  demands: readonly Demand[], order: readonly string[], read: StockReader, today: string, takeProtected: boolean, firstRing = FIRST_RING,
): Promise<{ stock: StockRow[]; quotas: Map<string, Decimal> }> {
  const stock: StockRow[] = [];
  const quotas = new Map<string, Decimal>();
  let short: readonly Demand[] = demands;
  for (let from = 0, size = firstRing; from < order.length && short.length > 0; from += size, size *= 2) {
    const ring = await read(short.map((d) => d.category), order.slice(from, from + size));
    stock.push(...ring.stock);
    for (const [key, quota] of ring.quotas) quotas.set(key, quota);
    short = stillShort(short, stock, quotas, today, takeProtected);
  }
  return { stock, quotas };
}

export function planAllocation(input: PlanInput): Plan {
  const order = nearestFirst(input.destination, input.warehouses);
  const usable = usableStock(input.stock, input.today);
  const lines = input.demands.map((demand): PlannedLine => {
    const picks: Pick[] = [];
    let remaining = demand.quantity;
    for (const site of order) {
      if (remaining.lte(0)) break;
      const rows = usable.get(quotaKey(site.code, demand.category));
      if (!rows) continue;
      const quota = input.quotas.get(quotaKey(site.code, demand.category)) ?? new Decimal(0);
      const taken = takeFromWarehouse(rows, remaining, quota, input.takeProtected);
      picks.push(...taken);
      remaining = remaining.minus(sum(taken.map((pick) => pick.quantity)));
    }
    const reserved = demand.quantity.minus(remaining);
    return { category: demand.category, requested: demand.quantity, reserved, shortfall: remaining, picks };
  });
  return { lines, covered: lines.every((line) => line.shortfall.isZero()) };
}
