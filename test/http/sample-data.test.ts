// Proves the shipped sample data (imports/) loads into an empty database, is what the issue asks for (opening stock in a closed previous month), and is left alone on a second start.
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../../src/sample-data.js';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

it('loads 2,089 categories and the warehouses once', async () => {
  const log = pino({ level: 'silent' });
  const config = { ...app.config, loadSampleData: true };
  expect(await loadSampleDataIfEmpty(app.services, config, log)).toBe(true);
  expect((await app.request('GET', '/categories?limit=1')).body.total).toBe(2089);
  const warehouses = (await app.request('GET', '/warehouses?limit=100')).body;
  expect(warehouses.total).toBe((await readFile('imports/warehouses.csv', 'utf8')).trim().split('\n').length - 1);
  expect(new Set(warehouses.items.map((w: { level: string }) => w.level))).toEqual(new Set(['CITY', 'DISTRICT', 'AGREEMENT']));
  const lotTracked = await app.sql<{ n: string }>('SELECT count(*) AS n FROM categories WHERE lot_tracked');
  expect(Number(lotTracked[0]!.n)).toBeGreaterThan(100);
  // Opening stock is dated in the previous month, which is closed on load: the month-end machinery shows on first start.
  const current = todayInCity().slice(0, 7);
  const previous = addDays(`${current}-01`, -1).slice(0, 7);
  const periods = (await app.request('GET', '/periods')).body;
  expect(periods.items.map((p: { period: string; status: string }) => [p.period, p.status])).toEqual([[previous, 'CLOSED'], [current, 'OPEN']]);
  expect(periods.firstOpenDate).toBe(`${current}-01`);
  expect((await app.request('GET', `/balances?asOf=${addDays(`${current}-01`, -1)}&limit=1`)).body.total).toBeGreaterThan(100);
  expect((await app.request('GET', '/ledger/check')).body).toEqual({ ok: true, discrepancies: [] });
  expect(await loadSampleDataIfEmpty(app.services, config, log)).toBe(false);
  const reimport = await app.request('POST', '/imports/catalog', { raw: await readFile('imports/catalog.csv') });
  expect(reimport.body).toMatchObject({ rows: 2089, inserted: 0, updated: 0, unchanged: 2089 });
});
