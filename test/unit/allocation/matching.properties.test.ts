// Proves, for random stock, quotas and orders (fast-check), that a plan never takes more than a row holds, never touches expired or quarantined lots, keeps every quota without an approved override, fills nearest-first and first-expiring-first, and that reserved plus shortfall is always exactly what was asked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { type StockRow, type WarehouseSite, isUsable, nearestFirst, planAllocation, quotaKey, readByRings } from '../../../src/allocation/index.js';

const TODAY = '2026-12-01';
const CATEGORIES = ['A', 'B', 'C'];
const site = fc.record({
  district: fc.constantFrom('市南区', '市北区', '崂山区'),
  level: fc.constantFrom('CITY' as const, 'DISTRICT' as const, 'AGREEMENT' as const),
  lat: fc.double({ min: 35.5, max: 37, noNaN: true }),
  lon: fc.double({ min: 119.5, max: 121, noNaN: true }),
});
const quantity = fc.integer({ min: 0, max: 5000 }).map((n) => new Decimal(n).div(10)); // one decimal place
const world = fc
  .record({
    sites: fc.array(site, { minLength: 1, maxLength: 6 }),
    rows: fc.array(
      fc.record({
        site: fc.nat(), category: fc.constantFrom(...CATEGORIES), lot: fc.constantFrom('', 'L1', 'L2', 'L3'),
        expiresOn: fc.constantFrom(null, '2026-11-30', '2026-12-01', '2027-03-01', '2027-09-01'),
        status: fc.constantFrom('AVAILABLE' as const, 'AVAILABLE' as const, 'QUARANTINED' as const, 'EXPIRED' as const), available: quantity,
      }),
      { maxLength: 30 },
    ),
    quotas: fc.array(fc.record({ site: fc.nat(), category: fc.constantFrom(...CATEGORIES), quantity }), { maxLength: 6 }),
    demands: fc.uniqueArray(fc.record({ category: fc.constantFrom(...CATEGORIES), quantity: quantity.filter((q) => q.gt(0)) }), { selector: (d) => d.category, minLength: 1 }),
    destination: fc.oneof(fc.record({ lat: fc.double({ min: 35.5, max: 37, noNaN: true }), lon: fc.double({ min: 119.5, max: 121, noNaN: true }) }), fc.record({ district: fc.constantFrom('市南区', '市北区') })),
    takeProtected: fc.boolean(),
  })
  .map((w) => {
    const warehouses: WarehouseSite[] = w.sites.map((s, i) => ({ ...s, code: `WH-${i}` }));
    const unique = new Map<string, StockRow>();
    for (const r of w.rows) {
      const warehouse = warehouses[r.site % warehouses.length]!.code;
      const row: StockRow = { category: r.category, warehouse, lot: r.lot, expiresOn: r.lot === '' ? null : r.expiresOn, status: r.status, available: r.available };
      unique.set(`${r.category}|${warehouse}|${r.lot}`, row);
    }
    const quotas = new Map(w.quotas.map((q) => [quotaKey(warehouses[q.site % warehouses.length]!.code, q.category), q.quantity]));
    return { ...w, warehouses, stock: [...unique.values()], quotas };
  });

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;
const plan = (w: World) =>
  planAllocation({ demands: w.demands, destination: w.destination, warehouses: w.warehouses, stock: w.stock, quotas: w.quotas, today: TODAY, takeProtected: w.takeProtected });
const usableOf = (w: World, category: string, warehouse: string): StockRow[] => w.stock.filter((r) => r.category === category && r.warehouse === warehouse && isUsable(r, TODAY));
const total = (values: Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));

describe('planAllocation properties', () => {
  it('reserved + shortfall = requested, reserved = sum of picks, covered iff no shortfall', () => {
    fc.assert(fc.property(world, (w) => {
      const p = plan(w);
      for (const line of p.lines) {
        expect(line.reserved.plus(line.shortfall).eq(line.requested)).toBe(true);
        expect(total(line.picks.map((x) => x.quantity)).eq(line.reserved)).toBe(true);
        expect(line.shortfall.gte(0)).toBe(true);
      }
      expect(p.covered).toBe(p.lines.every((l) => l.shortfall.isZero()));
    }));
  });

  it('takes only usable rows, never more than a row holds, and keeps quotas unless released', () => {
    fc.assert(fc.property(world, (w) => {
      for (const line of plan(w).lines) {
        const perWarehouse = new Map<string, Decimal>();
        for (const pick of line.picks) {
          const row = w.stock.find((r: StockRow) => r.category === line.category && r.warehouse === pick.warehouse && r.lot === pick.lot)!;
          expect(isUsable(row, TODAY)).toBe(true);
          expect(pick.quantity.gt(0) && pick.quantity.lte(row.available)).toBe(true);
          expect(pick.protected.gte(0) && pick.protected.lte(pick.quantity)).toBe(true);
          perWarehouse.set(pick.warehouse, (perWarehouse.get(pick.warehouse) ?? new Decimal(0)).plus(pick.quantity));
        }
        for (const [warehouse, taken] of perWarehouse) {
          const usable = total(usableOf(w, line.category, warehouse).map((r) => r.available));
          const quota = w.quotas.get(quotaKey(warehouse, line.category)) ?? new Decimal(0);
          if (!w.takeProtected) expect(usable.minus(taken).gte(Decimal.min(quota, usable))).toBe(true);
        }
        if (!w.takeProtected) expect(line.picks.every((p) => p.protected.isZero())).toBe(true);
      }
    }));
  });

  it('fills nearest-first and first-expiring-first: a later source is used only when every earlier one is exhausted', () => {
    fc.assert(fc.property(world, (w) => {
      const order = nearestFirst(w.destination, w.warehouses).map((s) => s.code);
      for (const line of plan(w).lines) {
        const used = line.picks.map((p) => order.indexOf(p.warehouse));
        expect([...used].sort((a, b) => a - b)).toEqual(used);
        if (line.picks.length === 0) continue;
        const last = Math.max(...used);
        for (const [index, code] of order.entries()) {
          if (index >= last) break;
          const usable = total(usableOf(w, line.category, code).map((r) => r.available));
          const quota = w.takeProtected ? new Decimal(0) : (w.quotas.get(quotaKey(code, line.category)) ?? new Decimal(0));
          const taken = total(line.picks.filter((p) => p.warehouse === code).map((p) => p.quantity));
          expect(taken.eq(Decimal.max(0, usable.minus(quota)))).toBe(true);
        }
        for (const pick of line.picks) {
          const earlier = usableOf(w, line.category, pick.warehouse).filter((r) => r.expiresOn !== null && pick.expiresOn !== null && r.expiresOn < pick.expiresOn);
          for (const row of earlier) {
            const taken = line.picks.find((p) => p.warehouse === row.warehouse && p.lot === row.lot)?.quantity ?? new Decimal(0);
            expect(taken.eq(row.available)).toBe(true);
          }
        }
      }
    }));
  });

  it('covers the order whenever the takeable stock is enough', () => {
    fc.assert(fc.property(world, (w) => {
      for (const line of plan(w).lines) {
        const takeable = total(w.warehouses.map((s: WarehouseSite) => {
          const usable = total(usableOf(w, line.category, s.code).map((r) => r.available));
          const quota = w.takeProtected ? new Decimal(0) : (w.quotas.get(quotaKey(s.code, line.category)) ?? new Decimal(0));
          return Decimal.max(0, usable.minus(quota));
        }));
        expect(line.reserved.eq(Decimal.min(takeable, line.requested))).toBe(true);
      }
    }));
  });

  it('plans the same from the stock read ring by ring, nearest warehouses first, as from every row', async () => {
    await fc.assert(fc.asyncProperty(world, fc.integer({ min: 1, max: 3 }), async (w, firstRing) => {
      const reads: string[][] = [];
      const read = async (categories: readonly string[], warehouses: readonly string[]) => {
        reads.push([...warehouses]);
        const stock = w.stock.filter((r) => categories.includes(r.category) && warehouses.includes(r.warehouse) && isUsable(r, TODAY));
        return { stock, quotas: new Map([...w.quotas].filter(([key]) => stock.some((r) => quotaKey(r.warehouse, r.category) === key))) };
      };
      const order = nearestFirst(w.destination, w.warehouses).map((s) => s.code);
      const ringed = await readByRings(w.demands, order, read, TODAY, w.takeProtected, firstRing);
      const fromRings = planAllocation({ demands: w.demands, destination: w.destination, warehouses: w.warehouses, stock: ringed.stock, quotas: ringed.quotas, today: TODAY, takeProtected: w.takeProtected });
      expect(fromRings).toEqual(plan(w));
      expect(reads.flat()).toEqual(order.slice(0, reads.flat().length));
    }));
  });
});
