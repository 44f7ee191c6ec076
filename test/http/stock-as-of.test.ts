// Proves as-of balances equal a plain sum of the movements up to each date, on every day from the first
// movement through today, whichever way the service reads them (forward from a closed month's frozen
// balances or back from the current balances), with late entries and closed months in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

const TODAY = todayInCity();
const CURRENT = TODAY.slice(0, 7);
const PREVIOUS = addDays(`${CURRENT}-01`, -1).slice(0, 7);
const TWO_AGO = addDays(`${PREVIOUS}-01`, -1).slice(0, 7);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

describe('as-of balances', () => {
  it('equal the sum of movements up to the date on every day, across closed and open months and late entries', async () => {
    const rice = await newCategory(app, 'rice');
    const tent = await newCategory(app, 'tent');
    const post = async (reply: Promise<{ status: number; body: unknown }>) => expect((await reply).status, JSON.stringify((await reply).body)).toBe(201);
    await post(receipt(app, 'WH-A', [{ category: rice, quantity: '10.500' }, { category: tent, quantity: '40' }], { occurredAt: `${TWO_AGO}-03` }));
    await post(receipt(app, 'WH-B', [{ category: tent, quantity: '7' }], { occurredAt: `${TWO_AGO}-20` }));
    await post(writeOff(app, 'WH-A', [{ category: tent, quantity: '4' }], { occurredAt: `${PREVIOUS}-05` }));
    await post(receipt(app, 'WH-A', [{ category: rice, quantity: '2.250' }], { occurredAt: TODAY }));
    // Late paperwork, keyed in after today's receipt, dated back into the open months.
    await post(receipt(app, 'WH-B', [{ category: rice, quantity: '1.125' }], { occurredAt: `${PREVIOUS}-12`, donor: '某商会' }));
    await post(writeOff(app, 'WH-A', [{ category: rice, quantity: '0.500' }], { occurredAt: addDays(TODAY, -1) < `${CURRENT}-01` ? `${PREVIOUS}-28` : addDays(TODAY, -1) }));
    expect((await app.request('POST', `/periods/${TWO_AGO}/close`)).status).toBe(200);
    await post(receipt(app, 'WH-A', [{ category: tent, quantity: '3' }], { occurredAt: `${PREVIOUS}-02` }));

    const naive = async (date: string) =>
      (await app.sql<{ warehouse: string; category: string; on_hand: string }>(
        `SELECT warehouse, category, sum(CASE WHEN to_node = 'WH:' || warehouse THEN quantity ELSE -quantity END)::text AS on_hand
         FROM stock_movements WHERE category IN (?, ?) AND warehouse IS NOT NULL AND occurred_at <= ?
         GROUP BY 1, 2 HAVING sum(CASE WHEN to_node = 'WH:' || warehouse THEN quantity ELSE -quantity END) <> 0 ORDER BY 1, 2`,
        [rice, tent, date],
      )).map((r) => `${r.warehouse} ${r.category} ${Number(r.on_hand)}`);
    let days = 0;
    for (let date = `${TWO_AGO}-01`; date <= TODAY; date = addDays(date, 1), days++) {
      const [a, b] = await Promise.all([
        app.request('GET', `/balances?asOf=${date}&category=${rice}`),
        app.request('GET', `/balances?asOf=${date}&category=${tent}`),
      ]);
      const served = [...a.body.items, ...b.body.items]
        .map((i: { warehouse: string; category: string; onHand: string }) => `${i.warehouse} ${i.category} ${Number(i.onHand)}`)
        .sort();
      expect(served, date).toEqual((await naive(date)).sort());
    }
    expect(days).toBeGreaterThan(58);
  }, 120_000);
});
