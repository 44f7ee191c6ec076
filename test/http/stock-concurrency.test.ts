// Proves concurrent requests never oversell: racing write-offs and FEFO shipments take exactly what the stock covers, down to exactly zero, refuse the rest as INSUFFICIENT_STOCK, and documents locking categories in opposite orders do not deadlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

describe('racing for the same stock', () => {
  it.each([
    { stock: '36', left: '0', leftScaled: '0.000' },
    { stock: '37', left: '1', leftScaled: '1.000' },
  ])('50 parallel write-offs of 2 against $stock in stock: exactly 18 succeed, the rest are refused as INSUFFICIENT_STOCK, $left left, never below zero', async ({ stock, left, leftScaled }) => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: stock }]);
    const replies = await Promise.all(Array.from({ length: 50 }, () => writeOff(app, 'WH-A', [{ category: tent, quantity: '2' }])));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(18);
    const refused = replies.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(32);
    for (const reply of refused) {
      expect(reply.status).toBe(409);
      expect(reply.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ category: tent, warehouse: 'WH-A', requested: '2', available: left }] });
    }
    expect(await onHand(app, 'WH-A', tent)).toBe(left);
    const [row] = await app.sql('SELECT min(warehouse_balance)::text AS low, count(*)::int AS n FROM stock_movements WHERE category = ?', [tent]);
    expect(row).toEqual({ low: leftScaled, n: 19 });
    await expectLedgerHealthy(app);
  });

  it('40 parallel first-expiring-first-out shipments against three lots of 10: exactly 30 leave, no lot goes below zero', async () => {
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', ['L1', 'L2', 'L3'].map((lot, i) => ({ category: water, quantity: '10', lot, expiresOn: `2030-0${i + 1}-01` })));
    const replies = await Promise.all(Array.from({ length: 40 }, () => app.request('POST', '/transfers', { body: { from: 'WH-A', to: 'WH-B', lines: [{ category: water, quantity: '1' }] } })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(30);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(10);
    for (const reply of replies.filter((r) => r.status === 409)) expect(reply.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ category: water, available: '0' }] });
    for (const lot of ['L1', 'L2', 'L3']) expect(await onHand(app, 'WH-A', water, lot)).toBe('0');
    await expectLedgerHealthy(app);
  });

  it('documents naming two categories in opposite orders, in parallel, all go through', async () => {
    const a = await newCategory(app, 'tent');
    const b = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: a, quantity: '100' }, { category: b, quantity: '100' }]);
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const lines = [{ category: a, quantity: '1' }, { category: b, quantity: '1' }];
        return i % 3 === 0 ? receipt(app, 'WH-A', i % 2 ? lines : lines.reverse()) : writeOff(app, 'WH-A', i % 2 ? lines : lines.reverse());
      }),
    );
    expect(replies.map((r) => r.status).every((s) => s === 201)).toBe(true);
    expect(await onHand(app, 'WH-A', a)).toBe('90');
    expect(await onHand(app, 'WH-A', b)).toBe('90.000');
    await expectLedgerHealthy(app);
  });
});
