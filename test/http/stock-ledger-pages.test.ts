// Proves the 台帐 pages agree with the whole ledger read at once: every page, whether the service finds
// its first row from the start or (past the middle) from the end, holds the same rows with the same
// running balances, in business-date order, late entries included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

const TODAY = todayInCity();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

type Item = { id: string; occurredAt: string; balance: string };

describe('台帐 pages', () => {
  it('every page, from the start or from the end, is a slice of the whole ledger', async () => {
    const tent = await newCategory(app, 'tent');
    // Recorded in this order, dated out of order: 23 rows whose business-date order differs from record order.
    for (let i = 0; i < 23; i++) {
      const occurredAt = addDays(TODAY, -((i * 7) % 20));
      const reply = i % 4 === 3
        ? await writeOff(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: TODAY })
        : await receipt(app, 'WH-A', [{ category: tent, quantity: String(i + 1) }], { occurredAt });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    }
    for (const warehouse of ['&warehouse=WH-A', '']) {
      const whole = (await app.request('GET', `/ledger?category=${tent}${warehouse}&limit=500`)).body;
      expect(whole.total).toBe(23);
      const dates = whole.items.map((i: Item) => i.occurredAt);
      expect(dates).toEqual([...dates].sort());
      for (const limit of [1, 5, 7]) {
        for (let offset = 0; offset < 25; offset++) {
          const page = (await app.request('GET', `/ledger?category=${tent}${warehouse}&limit=${limit}&offset=${offset}`)).body;
          const expected = whole.items.slice(offset, offset + limit);
          expect(page.items.map((i: Item) => [i.id, i.balance]), `limit ${limit} offset ${offset}`).toEqual(expected.map((i: Item) => [i.id, i.balance]));
          if (expected.length) expect(page.pageOpening).toBe(offset === 0 ? whole.opening : whole.items[offset - 1].balance);
        }
      }
    }
  }, 120_000);
});
