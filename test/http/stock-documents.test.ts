// Proves receipts and write-offs over HTTP: what they post, every refusal (scale, lots, expiry, warehouses, dates, roles, scope), idempotent retries, and stock that never goes below zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
let keeperA: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
});
afterAll(() => app.close());

const countDocuments = async () => Number((await app.sql('SELECT count(*) AS n FROM stock_documents'))[0].n);

describe('receipts', () => {
  it('receives procurement with cost and a donation naming the donor, and replies 201 with the document', async () => {
    const tent = await newCategory(app, 'tent');
    const bought = await receipt(app, 'WH-A', [{ category: tent, quantity: '120', unitCost: '1350.5' }], { token: keeperA });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({
      id: expect.stringMatching(/^\d+$/), type: 'RECEIPT', warehouse: 'WH-A', recordedBy: 'keeper-a', occurredAt: todayInCity(),
      source: { kind: 'PROCUREMENT', name: '某应急物资公司', reference: 'CG-2026-001' },
      lines: [{ line: 1, category: tent, quantity: '120', from: 'SUPPLIER:某应急物资公司', to: 'WH:WH-A', unitCost: '1350.50', lot: null }],
    });
    const donated = await receipt(app, 'WH-A', [{ category: tent, quantity: '30' }], { donor: '某某慈善基金会' });
    expect(donated.status).toBe(201);
    expect(donated.body.source).toEqual({ kind: 'DONATION', name: '某某慈善基金会', reference: null });
    expect(donated.body.lines[0].from).toBe('DONOR:某某慈善基金会');
    expect(await onHand(app, 'WH-A', tent)).toBe('150');
    const stored = await app.request('GET', `/documents/${donated.body.id}`);
    expect(stored.body).toMatchObject({ id: donated.body.id, type: 'RECEIPT', source: { kind: 'DONATION' }, reversedByDocumentId: null });
    expect(stored.body.lines).toEqual(donated.body.lines);
  });

  it('keeps quantities to the category scale: 1.25 t of rice is fine, 1.5 tents is refused naming lines[0].quantity', async () => {
    const rice = await newCategory(app, 'rice');
    const tent = await newCategory(app, 'tent');
    const fine = await receipt(app, 'WH-A', [{ category: rice, quantity: '1.25' }]);
    expect(fine.status).toBe(201);
    expect(fine.body.lines[0].quantity).toBe('1.250');
    const before = await countDocuments();
    const refused = await receipt(app, 'WH-A', [{ category: rice, quantity: '2' }, { category: tent, quantity: '1.5' }]);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([{ field: 'lines[1].quantity', value: '1.5', reason: `category ${tent} is counted in whole units` }]);
    expect(await countDocuments()).toBe(before);
    expect(await onHand(app, 'WH-A', rice)).toBe('1.250');
  });

  it('refuses a JSON number, zero, negatives, unknown categories and bad unit costs, listing every problem and writing nothing', async () => {
    const tent = await newCategory(app, 'tent');
    const number = await app.request('POST', '/receipts', { body: { warehouse: 'WH-A', source: { kind: 'PROCUREMENT', name: 'X' }, lines: [{ category: tent, quantity: 5 }] } });
    expect(number.status).toBe(422);
    expect(number.body.error.details[0].field).toBe('lines[0].quantity');
    const before = await countDocuments();
    const bad = await receipt(app, 'WH-A', [
      { category: tent, quantity: '0' },
      { category: tent, quantity: '-3' },
      { category: 'NO-SUCH-1', quantity: '1' },
      { category: tent, quantity: '1', unitCost: '1.005' },
    ]);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((p: { field: string }) => p.field)).toEqual(['lines[0].quantity', 'lines[1].quantity', 'lines[2].category', 'lines[3].unitCost']);
    expect(await countDocuments()).toBe(before);
  });

  it('requires a lot and expiry for lot-tracked categories, refuses them for others, and keeps a lot to its first expiry date', async () => {
    const water = await newCategory(app, 'water');
    const tent = await newCategory(app, 'tent');
    const missing = await receipt(app, 'WH-A', [{ category: water, quantity: '10' }, { category: tent, quantity: '1', lot: 'L1', expiresOn: '2030-01-01' }]);
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.map((p: { field: string }) => p.field)).toEqual(['lines[0].lot', 'lines[0].expiresOn', 'lines[1].lot', 'lines[1].expiresOn']);
    const first = await receipt(app, 'WH-A', [{ category: water, quantity: '10', lot: 'W-01', expiresOn: '2030-06-30' }]);
    expect(first.status).toBe(201);
    const clash = await receipt(app, 'WH-B', [{ category: water, quantity: '5', lot: 'W-01', expiresOn: '2031-01-01' }]);
    expect(clash.status).toBe(422);
    expect(clash.body.error.details).toEqual([{ field: 'lines[0].expiresOn', value: '2031-01-01', reason: `lot W-01 of ${water} is recorded with expiry 2030-06-30` }]);
    const twice = await receipt(app, 'WH-B', [{ category: water, quantity: '1', lot: 'W-02', expiresOn: '2030-01-01' }, { category: water, quantity: '1', lot: 'W-02', expiresOn: '2030-02-01' }]);
    expect(twice.status).toBe(422);
    expect(twice.body.error.details[0].field).toBe('lines[1].expiresOn');
    const same = await receipt(app, 'WH-B', [{ category: water, quantity: '5', lot: 'W-01', expiresOn: '2030-06-30' }]);
    expect(same.status).toBe(201);
    expect(await onHand(app, 'WH-B', water, 'W-01')).toBe('5');
  });

  it('refuses unknown and inactive warehouses and future dates; takes dates before the last movement of the category', async () => {
    const tent = await newCategory(app, 'tent');
    const unknown = await receipt(app, 'WH-ZZ', [{ category: tent, quantity: '1' }]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ field: 'warehouse', value: 'WH-ZZ', reason: 'unknown warehouse' }]);
    const inactive = await receipt(app, 'WH-C', [{ category: tent, quantity: '1' }]);
    expect(inactive.body.error.details[0]).toMatchObject({ field: 'warehouse', reason: expect.stringContaining('inactive') });
    const future = await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: '2999-01-01' });
    expect(future.status).toBe(422);
    expect(future.body.error.details[0].field).toBe('occurredAt');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: '2025-03-10' })).status).toBe(201);
    // Late paperwork: a date before the category's last movement is taken while its period is open.
    const earlier = await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }], { occurredAt: '2025-03-09' });
    expect(earlier.status).toBe(201);
    expect(earlier.body.occurredAt).toBe('2025-03-09');
    expect((await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }], { occurredAt: '2025-03-10' })).status).toBe(201);
  });

  it('retried with the same Idempotency-Key, a receipt is posted once and the first reply is returned', async () => {
    const tent = await newCategory(app, 'tent');
    const headers = { 'Idempotency-Key': `receipt-${tent}` };
    const first = await receipt(app, 'WH-A', [{ category: tent, quantity: '7' }], { headers });
    const again = await receipt(app, 'WH-A', [{ category: tent, quantity: '7' }], { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await onHand(app, 'WH-A', tent)).toBe('7');
    const changed = await receipt(app, 'WH-A', [{ category: tent, quantity: '8' }], { headers });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('who may post', () => {
  it('keepers post only for their own warehouses; finance, assessors and approvers post nothing', async () => {
    const tent = await newCategory(app, 'tent');
    const elsewhere = await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }], { token: keeperA });
    expect(elsewhere.status).toBe(403);
    for (const role of ['finance', 'assessor', 'approver']) {
      const token = await app.user(`${role}-poster`, role);
      expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { token })).status).toBe(403);
      expect((await writeOff(app, 'WH-A', [{ category: tent, quantity: '1' }], { token })).status).toBe(403);
    }
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { token: null })).status).toBe(401);
    expect(await onHand(app, 'WH-B', tent)).toBe('0');
  });
});

describe('write-offs', () => {
  it('writes off to LOSS with the reason and refuses more than is available, naming category, warehouse and what is available', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const damaged = await writeOff(app, 'WH-A', [{ category: tent, quantity: '4' }], { token: keeperA, reason: 'DAMAGE' });
    expect(damaged.status).toBe(201);
    expect(damaged.body.lines[0]).toMatchObject({ from: 'WH:WH-A', to: 'LOSS:DAMAGE', quantity: '4' });
    const tooMuch = await writeOff(app, 'WH-A', [{ category: tent, quantity: '7' }]);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ category: tent, warehouse: 'WH-A', requested: '7', available: '6', lot: null }] });
    const nothingThere = await writeOff(app, 'WH-B', [{ category: tent, quantity: '1' }]);
    expect(nothingThere.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ available: '0' }] });
    const badReason = await writeOff(app, 'WH-A', [{ category: tent, quantity: '1' }], { reason: 'BORED' });
    expect(badReason.status).toBe(422);
    expect(await onHand(app, 'WH-A', tent)).toBe('6');
  });

  it('may name an expired or quarantined lot (that is how it leaves the books); without a lot it takes first-expiring usable lots', async () => {
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [
      { category: water, quantity: '5', lot: 'OLD', expiresOn: '2020-01-31' },
      { category: water, quantity: '5', lot: 'SOON', expiresOn: '2030-01-31' },
      { category: water, quantity: '5', lot: 'LATER', expiresOn: '2031-01-31' },
    ]);
    const expired = await writeOff(app, 'WH-A', [{ category: water, quantity: '5', lot: 'OLD' }], { reason: 'EXPIRY' });
    expect(expired.status).toBe(201);
    expect(expired.body.lines[0]).toMatchObject({ lot: 'OLD', expiresOn: '2020-01-31', to: 'LOSS:EXPIRY' });
    const fefo = await writeOff(app, 'WH-A', [{ category: water, quantity: '7' }]);
    expect(fefo.body.lines.map((l: { lot: string; quantity: string }) => [l.lot, l.quantity])).toEqual([['SOON', '5'], ['LATER', '2']]);
    const unknownLot = await writeOff(app, 'WH-A', [{ category: water, quantity: '1', lot: 'NOPE' }]);
    expect(unknownLot.status).toBe(409);
    expect(unknownLot.body.error).toMatchObject({ code: 'LOT_UNAVAILABLE', details: [{ field: 'lines[0]', lot: 'NOPE', reason: 'NOT_HELD' }] });
    await expectLedgerHealthy(app);
  });
});
