// Proves the bureau's real allocation figures end to end: a year of epidemic-control orders adding up to 13,337 pieces in /allocations/summary, a one-week flood relief by one-click kit orders dispatching exactly 9,815, and 50 concurrent all-or-nothing orders of which exactly those the stock covers reserve, with on hand, reserved and available adding up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/shared/decimal.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, receipt } from './stock.fixtures.js';
import { type AllocationWorld, allocationWorld, balance, order } from './allocation.fixtures.js';
import { dataRows, download } from './reports.helpers.js';

let app: TestApp;
let w: AllocationWorld;
beforeAll(async () => {
  app = await startTestApp();
  w = await allocationWorld(app);
});
afterAll(() => app.close());

const total = (items: { quantity: string }[]) => items.reduce((sum, item) => sum.plus(item.quantity), new Decimal(0)).toString();

async function stock(categories: string[], perWarehouse: Record<string, string>): Promise<void> {
  for (const [warehouse, quantity] of Object.entries(perWarehouse)) {
    expect((await receipt(app, warehouse, categories.map((category) => ({ category, quantity })))).status).toBe(201);
  }
}

async function dispatchAll(id: string): Promise<void> {
  const reply = await app.request('POST', `/allocations/${id}/dispatch`, { body: {} });
  expect(reply.status).toBe(201);
  expect(reply.body.status).toBe('DISPATCHED');
}

describe('scenarios', () => {
  it('(1) a year of epidemic control: 13,337 tents, quilts, cotton coats, raincoats and rain boots to control points', async () => {
    const [tent, quilt, coat, raincoat, boots] = [await newCategory(app, 'tent'), await newCategory(app, 'tent'), await newCategory(app, 'tent'), await newCategory(app, 'tent'), await newCategory(app, 'tent')];
    await stock([tent, quilt, coat, raincoat, boots], { 'AL-SN': '1000', 'AL-CY': '1000', 'AL-LX': '3000' });
    const point = (name: string) => ({ name: `疫情防控卡点-${name}`, district: '市南区' });
    const orders = [
      { destination: point('A'), lines: [[tent, '120'], [quilt, '1500'], [coat, '1500'], [raincoat, '800'], [boots, '800']] },
      { destination: point('B'), lines: [[tent, '80'], [quilt, '1000'], [coat, '1200'], [raincoat, '600'], [boots, '600']] },
      { destination: point('C'), lines: [[tent, '57'], [quilt, '900'], [coat, '900'], [raincoat, '700'], [boots, '700']] },
      { destination: point('A'), lines: [[quilt, '500'], [coat, '380'], [raincoat, '500'], [boots, '500']] },
    ];
    const warehouses = new Set<string>();
    for (const o of orders) {
      const placed = await order(app, w.dispatcher, { destination: o.destination, allOrNothing: true, lines: o.lines.map(([category, quantity]) => ({ category, quantity })) });
      expect(placed.status).toBe(201);
      placed.body.lines.forEach((l: any) => l.picks.forEach((p: any) => warehouses.add(p.warehouse)));
      await dispatchAll(placed.body.id);
    }
    expect([...warehouses].sort()).toEqual(['AL-CY', 'AL-LX', 'AL-SN']);
    const year = new Date().getFullYear();
    const summary = await app.request('GET', `/allocations/summary?from=${year}-01-01&to=${year}-12-31`, { token: w.finance });
    const ours = summary.body.items.filter((i: any) => i.destination.startsWith('疫情防控卡点-'));
    expect(total(ours)).toBe('13337');
    expect(ours.filter((i: any) => i.destination === '疫情防控卡点-A').map((i: any) => i.quantity).reduce((a: number, q: string) => a + Number(q), 0)).toBe(4720 + 1880);
    const pointB = await app.request('GET', `/allocations/summary?destination=${encodeURIComponent('疫情防控卡点-B')}`, { token: w.dispatcher });
    expect(total(pointB.body.items)).toBe('3480');
    // The 调拨汇总 report has the same rows as the API, and its total row sums them (value cached).
    const report = await download(app, `/reports/allocation-summary.xlsx?from=${year}-01-01&to=${year}-12-31`, w.finance);
    expect(report.status).toBe(200);
    const rows = dataRows(report.sheet!);
    const totalRow = rows.at(-1)!;
    const body = rows.slice(0, -1).filter((r) => String(r[0]).startsWith('疫情防控卡点-'));
    expect(body.map((r) => [r[0], r[1], r[4]])).toEqual(ours.map((i: any) => [i.destination, i.category, Number(i.quantity)]));
    expect(totalRow[4]).toMatchObject({ formula: expect.stringMatching(/^SUM\(E8:E\d+\)$/) });
    expect((totalRow[4] as { result: number }).result).toBe(summary.body.items.reduce((sum: number, i: any) => sum + Number(i.quantity), 0));
    expect((await download(app, `/reports/allocation-summary.xlsx?from=${year}-01-01&to=${year}-12-31`, w.keeperSN)).status).toBe(403);
    await expectLedgerHealthy(app);
  });

  it('(2) a flood in another province: one click per order on a kit, 9,815 lamps, blankets and emergency kits in one week', async () => {
    const [lamp, blanket, kitBag] = [await newCategory(app, 'tent'), await newCategory(app, 'tent'), await newCategory(app, 'tent')];
    await stock([lamp, blanket, kitBag], { 'AL-SN': '3000', 'AL-CY': '3000', 'AL-LX': '3000' });
    const kit = { code: 'FLOOD-LIGHT-T', name: '异地洪灾照明保暖包(每100人)', per: 100, lines: [{ category: lamp, quantity: '25' }, { category: blanket, quantity: '100' }, { category: kitBag, quantity: '40' }] };
    expect((await app.request('POST', '/kits', { token: w.dispatcher, body: kit })).status).toBe(201);
    // Out of the city to the west: the nearest store first by great-circle distance.
    const county = { name: '外省某县洪灾安置点', lat: '34.750000', lon: '113.620000' };
    const dispatched: string[] = [];
    for (const people of [2000, 3000, 948]) {
      const placed = await order(app, w.dispatcher, { destination: county, kit: { code: 'FLOOD-LIGHT-T', people } });
      expect(placed.status).toBe(201);
      dispatched.push(...placed.body.lines.map((l: any) => l.requested));
      await dispatchAll(placed.body.id);
    }
    // 948 people: 237 lamps, 948 blankets, 379.2 → 380 kits (rounded up).
    expect(dispatched.slice(-3)).toEqual(['237', '948', '380']);
    const summary = await app.request('GET', `/allocations/summary?destination=${encodeURIComponent(county.name)}`, { token: w.dispatcher });
    expect(total(summary.body.items)).toBe('9815');
    const year = new Date().getFullYear();
    const report = await download(app, `/reports/allocation-summary.xlsx?from=${year}-01-01&to=${year}-12-31&destination=${encodeURIComponent(county.name)}`, w.dispatcher);
    expect((dataRows(report.sheet!).at(-1)![4] as { result: number }).result).toBe(9815);
    const ledger = await app.request('GET', `/ledger?category=${blanket}`);
    const toCounty = ledger.body.items.filter((m: any) => m.documentType === 'ALLOCATION' && m.counterparty === `DESTINATION:${county.name}`);
    expect(toCounty.reduce((sum: Decimal, m: any) => sum.plus(m.out), new Decimal(0)).toString()).toBe('5948'); // every blanket of the three orders, in the 台帐 as ALLOCATION rows
    await expectLedgerHealthy(app);
  });

  it('(3) 50 concurrent all-or-nothing orders: exactly the orders the stock covers reserve, no deadlock, figures add up', async () => {
    const tent = await newCategory(app, 'tent');
    const blanket = await newCategory(app, 'tent');
    await stock([tent], { 'AL-SN': '100', 'AL-LX': '87' });
    await stock([blanket], { 'AL-CY': '1000' });
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        order(app, i % 2 ? w.dispatcher : w.dispatcher2, { allOrNothing: true, lines: [{ category: blanket, quantity: '3' }, { category: tent, quantity: '7' }] }, i % 3 === 0 ? { 'idempotency-key': `race-${tent}-${i}` } : undefined),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBe(26); // 187 tents / 7 per order
    expect(statuses.filter((s) => s === 409).length).toBe(24);
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.error.code).toBe('INSUFFICIENT_STOCK');
    const sn = await balance(app, 'AL-SN', tent);
    const lx = await balance(app, 'AL-LX', tent);
    const reserved = new Decimal(sn.reserved).plus(lx.reserved);
    expect(reserved.toString()).toBe('182');
    for (const b of [sn, lx]) expect(new Decimal(b.onHand).minus(b.reserved).eq(b.available)).toBe(true);
    expect(new Decimal(sn.available).plus(lx.available).toString()).toBe('5');
    expect((await balance(app, 'AL-CY', blanket)).reserved).toBe('78');
    await expectLedgerHealthy(app);
  });
});
