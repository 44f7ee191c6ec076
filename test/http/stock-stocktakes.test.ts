// Proves stocktakes: the snapshot, counts that replace earlier counts, differences posted against the current balance even after later movements, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
let keeperA: string;
let keeperB: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
  keeperB = await app.user('keeper-b', 'keeper', ['WH-B']);
});
afterAll(() => app.close());

const open = (warehouse: string, token?: string) => app.request('POST', '/stocktakes', { token, body: { warehouse } });
const count = (id: string, lines: object[], token?: string) => app.request('POST', `/stocktakes/${id}/counts`, { token, body: { lines } });
const post = (id: string, token?: string) => app.request('POST', `/stocktakes/${id}/post`, { token });

describe('stocktake', () => {
  it('books counted − snapshot onto the current balance, keeping movements recorded while counting', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '100' }, { category: water, quantity: '50', lot: 'W1', expiresOn: '2030-01-01' }]);
    const taken = await open('WH-A', keeperA);
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), warehouse: 'WH-A', status: 'COUNTING' });
    // While counting goes on, 20 tents arrive and 5 cases of water leave.
    await receipt(app, 'WH-A', [{ category: tent, quantity: '20' }]);
    await writeOff(app, 'WH-A', [{ category: water, quantity: '5', lot: 'W1' }]);
    expect((await count(taken.body.id, [{ category: tent, counted: '90' }], keeperA)).status).toBe(201);
    const recount = await count(taken.body.id, [{ category: tent, counted: '97' }, { category: water, lot: 'W1', counted: '51' }], keeperA);
    expect(recount.body.lines).toEqual(expect.arrayContaining([{ category: tent, lot: null, book: '100', counted: '97' }, { category: water, lot: 'W1', book: '50', counted: '51' }]));
    const posted = await post(taken.body.id, keeperA);
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ type: 'STOCKTAKE', stocktakeId: taken.body.id, warehouse: 'WH-A' });
    expect(posted.body.differences).toEqual([
      { category: tent, lot: null, book: '100', counted: '97', difference: '-3' },
      { category: water, lot: 'W1', book: '50', counted: '51', difference: '1' },
    ]);
    expect(posted.body.lines.map((l: { from: string; to: string; quantity: string }) => [l.from, l.to, l.quantity])).toEqual([['WH:WH-A', 'STOCKTAKE', '3'], ['STOCKTAKE', 'WH:WH-A', '1']]);
    expect(await onHand(app, 'WH-A', tent)).toBe('117');
    expect(await onHand(app, 'WH-A', water, 'W1')).toBe('46');
    expect((await app.request('GET', `/stocktakes/${taken.body.id}`)).body).toMatchObject({ status: 'POSTED', documentId: posted.body.id });
    expect((await post(taken.body.id, keeperA)).body.error.code).toBe('STOCKTAKE_POSTED');
    const late = await count(taken.body.id, [{ category: tent, counted: '1' }], keeperA);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('STOCKTAKE_POSTED');
    await expectLedgerHealthy(app);
  });

  it('checks counts against the category scale and lots, names the line, and records nothing', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    const id = (await open('WH-A')).body.id;
    const bad = await count(id, [{ category: tent, counted: '2.5' }, { category: water, counted: '1' }, { category: water, lot: 'NEVER', counted: '1' }, { category: tent, counted: '-1' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((p: { field: string }) => p.field)).toEqual(['lines[0].counted', 'lines[1].lot', 'lines[3]', 'lines[3].counted', 'lines[2].lot']);
    const view = await app.request('GET', `/stocktakes/${id}`);
    expect(view.body.lines.every((l: { counted: string | null }) => l.counted === null)).toBe(true);
  });

  it('a stocktake with nothing counted posts nothing; keepers of other warehouses may not touch it; unknown ids are 404', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '4' }]);
    const id = (await open('WH-A')).body.id;
    const ledgerRows = async () => (await app.sql(`SELECT (SELECT count(*) FROM stock_documents)::int AS documents, (SELECT count(*) FROM stock_movements)::int AS movements`))[0];
    const before = await ledgerRows();
    expect(before.documents).toBeGreaterThan(0);
    expect((await count(id, [{ category: tent, counted: '1' }], keeperB)).status).toBe(403);
    expect((await post(id, keeperB)).status).toBe(403);
    expect((await open('WH-A', keeperB)).status).toBe(403);
    expect((await open('WH-C')).status).toBe(422);
    expect((await post('987654')).status).toBe(404);
    const empty = await post(id);
    expect(empty.status).toBe(422);
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'counts', reason: 'at least one line is required' }] });
    expect(await ledgerRows()).toEqual(before);
    expect((await app.request('GET', `/stocktakes/${id}`)).body).toMatchObject({ status: 'COUNTING', documentId: null });
    expect((await app.request('GET', `/stocktakes/${id}`)).body.lines.every((l: { counted: string | null }) => l.counted === null)).toBe(true);
    expect(await onHand(app, 'WH-A', tent)).toBe('4');
  });

  it('a loss larger than what is available now is refused, not booked below zero', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const id = (await open('WH-A')).body.id;
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '8' }]);
    await count(id, [{ category: tent, counted: '0' }]);
    const refused = await post(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ requested: '10', available: '2' }] });
    expect(await onHand(app, 'WH-A', tent)).toBe('2');
  });
});
