// Proves the read side: balances now and as of a past date, the 台帐 with opening, closing, running balance, dates and pages, reserve quotas and alerts, and who may read what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
let keeperA: string;
let finance: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
  finance = await app.user('finance-1', 'finance');
});
afterAll(() => app.close());

describe('balances as of a date', () => {
  it('sums the ledger up to the end of the given day; today it matches the projection', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '50' }, { category: water, quantity: '30', lot: 'W1', expiresOn: '2030-01-01' }], { occurredAt: '2025-01-10' });
    await receipt(app, 'WH-B', [{ category: tent, quantity: '5' }], { occurredAt: '2025-01-20' });
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '20' }, { category: water, quantity: '30', lot: 'W1' }], { occurredAt: '2025-02-01' });
    const asOf = async (date: string, category: string) => (await app.request('GET', `/balances?category=${category}&asOf=${date}`)).body.items;
    expect(await asOf('2025-01-09', tent)).toEqual([]);
    expect(await asOf('2025-01-10', tent)).toEqual([{ warehouse: 'WH-A', category: tent, lot: null, onHand: '50', reserved: null, available: null }]);
    expect((await asOf('2025-01-31', tent)).map((b: { warehouse: string; onHand: string }) => [b.warehouse, b.onHand])).toEqual([['WH-A', '50'], ['WH-B', '5']]);
    expect((await asOf('2025-02-01', tent)).map((b: { warehouse: string; onHand: string }) => [b.warehouse, b.onHand])).toEqual([['WH-A', '30'], ['WH-B', '5']]);
    expect(await asOf('2025-01-15', water)).toEqual([{ warehouse: 'WH-A', category: water, lot: 'W1', onHand: '30', reserved: null, available: null }]);
    expect(await asOf('2025-02-01', water)).toEqual([]);
    const now = await app.request('GET', `/balances?category=${tent}`);
    expect(now.body.items).toEqual([
      { warehouse: 'WH-A', category: tent, lot: null, onHand: '30', reserved: '0', available: '30' },
      { warehouse: 'WH-B', category: tent, lot: null, onHand: '5', reserved: '0', available: '5' },
    ]);
    expect((await app.request('GET', '/balances?asOf=2025-02-30')).status).toBe(422);
  });
});

describe('the 台帐', () => {
  it('gives opening, closing, running balances and totals for a warehouse and for the whole category, by date range', async () => {
    const rice = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: rice, quantity: '10.5' }], { occurredAt: '2025-03-01' });
    await receipt(app, 'WH-B', [{ category: rice, quantity: '4' }], { occurredAt: '2025-03-02' });
    await writeOff(app, 'WH-A', [{ category: rice, quantity: '0.25' }], { occurredAt: '2025-03-03' });
    await receipt(app, 'WH-A', [{ category: rice, quantity: '1' }], { occurredAt: '2025-03-05' });
    const wh = await app.request('GET', `/ledger?category=${rice}&warehouse=WH-A`);
    expect(wh.body).toMatchObject({ opening: '0.000', closing: '11.250', total: 3 });
    expect(wh.body.items.map((i: { in: string; out: string; balance: string; counterparty: string }) => [i.in, i.out, i.balance, i.counterparty])).toEqual([
      ['10.500', null, '10.500', 'SUPPLIER:某应急物资公司'],
      [null, '0.250', '10.250', 'LOSS:DAMAGE'],
      ['1.000', null, '11.250', 'SUPPLIER:某应急物资公司'],
    ]);
    const all = await app.request('GET', `/ledger?category=${rice}`);
    expect(all.body.items.map((i: { warehouse: string; balance: string }) => [i.warehouse, i.balance])).toEqual([['WH-A', '10.500'], ['WH-B', '14.500'], ['WH-A', '14.250'], ['WH-A', '15.250']]);
    const range = await app.request('GET', `/ledger?category=${rice}&from=2025-03-02&to=2025-03-04`);
    expect(range.body).toMatchObject({ opening: '10.500', closing: '14.250', total: 2 });
    expect(range.body.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual(['2025-03-02', '2025-03-03']);
    const empty = await app.request('GET', `/ledger?category=${rice}&warehouse=WH-A&from=2025-03-06`);
    expect(empty.body).toMatchObject({ opening: '11.250', closing: '11.250', total: 0, items: [] });
    expect((await app.request('GET', '/ledger?category=NOPE-1')).status).toBe(404);
  });

  it('pages by limit and offset with the running balance carried across pages', async () => {
    const tent = await newCategory(app, 'tent');
    const lines = Array.from({ length: 120 }, (_, i) => ({ category: tent, quantity: String(i + 1) }));
    expect((await receipt(app, 'WH-A', lines)).status).toBe(201);
    const page = async (offset: number) => (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&limit=50&offset=${offset}`)).body;
    const first = await page(0);
    const last = await page(100);
    expect(first.total).toBe(120);
    expect(first.items).toHaveLength(50);
    expect(first.items[0]).toMatchObject({ position: '1', in: '1', balance: '1' });
    expect(last.items).toHaveLength(20);
    expect(last.items[0]).toMatchObject({ position: '101', in: '101', balance: String((101 * 102) / 2) });
    expect(last.items[19]).toMatchObject({ position: '120', balance: String((120 * 121) / 2) });
    expect((await page(500)).items).toEqual([]);
  });
});

describe('who may read', () => {
  it('keepers read their own warehouses only; finance reads everything; claims roles read nothing', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    await receipt(app, 'WH-B', [{ category: tent, quantity: '4' }]);
    const own = await app.request('GET', `/balances?category=${tent}`, { token: keeperA });
    expect(own.body.items.map((b: { warehouse: string }) => b.warehouse)).toEqual(['WH-A']);
    expect((await app.request('GET', `/balances?warehouse=WH-B`, { token: keeperA })).status).toBe(403);
    expect((await app.request('GET', `/ledger?category=${tent}&warehouse=WH-B`, { token: keeperA })).status).toBe(403);
    expect((await app.request('GET', `/ledger?category=${tent}`, { token: keeperA })).status).toBe(403);
    expect((await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A`, { token: keeperA })).body.closing).toBe('3');
    expect((await app.request('GET', `/balances?category=${tent}`, { token: finance })).body.items).toHaveLength(2);
    expect((await app.request('GET', `/ledger?category=${tent}`, { token: finance })).body.closing).toBe('7');
    expect((await app.request('GET', '/ledger/check', { token: finance })).body.ok).toBe(true);
    expect((await app.request('GET', '/ledger/check', { token: keeperA })).status).toBe(403);
    const assessor = await app.user('assessor-1', 'assessor');
    expect((await app.request('GET', `/balances`, { token: assessor })).status).toBe(403);
    expect((await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A`, { token: assessor })).status).toBe(403);
  });
});

describe('quotas and alerts', () => {
  it('lists categories whose usable stock is below quota, not counting quarantined or expired lots', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '80' }, { category: water, quantity: '100', lot: 'OK', expiresOn: '2031-01-01' }, { category: water, quantity: '50', lot: 'BAD', expiresOn: '2031-02-01' }]);
    expect((await app.request('PUT', '/quotas', { body: { warehouse: 'WH-A', category: tent, quantity: '100' } })).body).toEqual({ warehouse: 'WH-A', category: tent, quantity: '100' });
    await app.request('PUT', '/quotas', { body: { warehouse: 'WH-A', category: water, quantity: '120' } });
    expect((await app.request('PUT', '/quotas', { body: { warehouse: 'WH-A', category: tent, quantity: '1.5' } })).body.error.details[0].field).toBe('quantity');
    expect((await app.request('PUT', '/quotas', { token: keeperA, body: { warehouse: 'WH-A', category: tent, quantity: '1' } })).status).toBe(403);
    const below = async () => (await app.request('GET', '/alerts/below-quota?warehouse=WH-A')).body.items.filter((i: { category: string }) => [tent, water].includes(i.category));
    expect((await below()).map((i: { category: string; shortfall: string }) => [i.category, i.shortfall])).toEqual([[tent, '20']]);
    await app.request('POST', `/lots/${water}/BAD/status`, { body: { status: 'QUARANTINED', reason: '召回' } });
    expect(await below()).toEqual([
      expect.objectContaining({ category: tent, quota: '100', onHand: '80', usable: '80', shortfall: '20' }),
      expect.objectContaining({ category: water, quota: '120', onHand: '150', usable: '100', shortfall: '20' }),
    ]);
    expect((await app.request('GET', '/quotas?warehouse=WH-A', { token: keeperA })).body.items.length).toBeGreaterThanOrEqual(2);
  });

  it('lists lots on hand expiring within the given days, expired ones first', async () => {
    const water = await newCategory(app, 'water');
    const today = todayInCity();
    await receipt(app, 'WH-A', [
      { category: water, quantity: '1', lot: 'PAST', expiresOn: addDays(today, -3) },
      { category: water, quantity: '2', lot: 'SOON', expiresOn: addDays(today, 30) },
      { category: water, quantity: '3', lot: 'FAR', expiresOn: addDays(today, 200) },
    ]);
    const mine = (items: { category: string; lot: string; status: string; daysLeft: number; onHand: string }[]) => items.filter((i) => i.category === water);
    const in90 = mine((await app.request('GET', '/alerts/expiring?days=90')).body.items);
    expect(in90.map((i: { lot: string; status: string; daysLeft: number; onHand: string }) => [i.lot, i.status, i.daysLeft, i.onHand])).toEqual([['PAST', 'EXPIRED', -3, '1'], ['SOON', 'AVAILABLE', 30, '2']]);
    expect(mine((await app.request('GET', '/alerts/expiring?days=365')).body.items)).toHaveLength(3);
    expect(mine((await app.request('GET', '/alerts/expiring?warehouse=WH-B')).body.items)).toEqual([]);
  });
});
