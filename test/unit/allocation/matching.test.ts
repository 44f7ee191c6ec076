// Proves the matching core's rules on worked cases: nearest warehouse first (by distance, or district then city level), first-expiring-first-out, expired and quarantined lots skipped, reserve quotas kept unless the override is approved, and shortfalls reported.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { type StockRow, type WarehouseSite, planAllocation, quotaKey } from '../../../src/allocation/index.js';

const d = (text: string) => new Decimal(text);
const SITES: WarehouseSite[] = [
  { code: 'WH-CITY-01', district: '城阳区', level: 'CITY', lat: 36.274512, lon: 120.384236 },
  { code: 'WH-SN-01', district: '市南区', level: 'DISTRICT', lat: 36.072938, lon: 120.381556 },
  { code: 'WH-LX-01', district: '莱西市', level: 'DISTRICT', lat: 36.868307, lon: 120.521679 },
];
const row = (warehouse: string, available: string, extra: Partial<StockRow> = {}): StockRow => ({
  category: 'TENT', warehouse, lot: '', expiresOn: null, status: 'AVAILABLE', available: d(available), ...extra,
});
const plan = (stock: StockRow[], quantity: string, options: { destination?: object; quotas?: [string, string][]; takeProtected?: boolean; category?: string } = {}) =>
  planAllocation({
    demands: [{ category: options.category ?? 'TENT', quantity: d(quantity) }],
    destination: options.destination ?? { lat: 36.07, lon: 120.38 },
    warehouses: SITES,
    stock,
    quotas: new Map((options.quotas ?? []).map(([w, q]) => [quotaKey(w, options.category ?? 'TENT'), d(q)])),
    today: '2026-12-01',
    takeProtected: options.takeProtected ?? false,
  });
const picks = (p: ReturnType<typeof plan>) => p.lines[0]!.picks.map((pick) => `${pick.warehouse}${pick.lot ? `/${pick.lot}` : ''}:${pick.quantity.toString()}`);

describe('planAllocation', () => {
  it('takes from the nearest warehouse first and moves on when it runs out', () => {
    const p = plan([row('WH-CITY-01', '100'), row('WH-SN-01', '30'), row('WH-LX-01', '100')], '50');
    expect(picks(p)).toEqual(['WH-SN-01:30', 'WH-CITY-01:20']);
    expect(p.covered).toBe(true);
  });

  it('without coordinates: the district first, then city level, then the rest', () => {
    const stock = [row('WH-CITY-01', '10'), row('WH-SN-01', '10'), row('WH-LX-01', '10')];
    expect(picks(plan(stock, '25', { destination: { district: '莱西市' } }))).toEqual(['WH-LX-01:10', 'WH-CITY-01:10', 'WH-SN-01:5']);
    expect(picks(plan(stock, '15', { destination: {} }))).toEqual(['WH-CITY-01:10', 'WH-LX-01:5']);
  });

  it('takes lots first-expiring-first-out and skips expired and quarantined lots', () => {
    const lot = (name: string, expiresOn: string, available: string, status: StockRow['status'] = 'AVAILABLE') =>
      row('WH-SN-01', available, { category: 'WATER', lot: name, expiresOn, status });
    const stock = [lot('L3', '2027-06-01', '50'), lot('L1', '2026-11-30', '50'), lot('L2', '2027-01-01', '20'), lot('Q', '2026-12-15', '50', 'QUARANTINED'), lot('L0', '2026-12-01', '5')];
    expect(picks(plan(stock, '40', { category: 'WATER' }))).toEqual(['WH-SN-01/L0:5', 'WH-SN-01/L2:20', 'WH-SN-01/L3:15']);
  });

  it('keeps the reserve quota unless the override is approved, and says how much was protected', () => {
    const stock = [row('WH-SN-01', '100'), row('WH-CITY-01', '10')];
    const kept = plan(stock, '100', { quotas: [['WH-SN-01', '80']] });
    expect(picks(kept)).toEqual(['WH-SN-01:20', 'WH-CITY-01:10']);
    expect(kept.lines[0]!.shortfall.toString()).toBe('70');
    const released = plan(stock, '100', { quotas: [['WH-SN-01', '80']], takeProtected: true });
    expect(picks(released)).toEqual(['WH-SN-01:100']);
    expect(released.lines[0]!.picks[0]!.protected.toString()).toBe('80');
  });

  it('reports the shortfall of a line it cannot cover', () => {
    const p = plan([row('WH-SN-01', '7.5')], '10.25');
    expect(p.covered).toBe(false);
    expect([p.lines[0]!.reserved.toString(), p.lines[0]!.shortfall.toString()]).toEqual(['7.5', '2.75']);
  });
});
