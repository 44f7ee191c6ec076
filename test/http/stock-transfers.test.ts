// Proves transfers over HTTP: shipping into transit with first-expiring-first-out, receiving with shortfall and damage, cancelling, lot status, and who may do each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses } from './stock.fixtures.js';

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

const ship = (lines: object[], token?: string, from = 'WH-A', to = 'WH-B') => app.request('POST', '/transfers', { token, body: { from, to, lines } });
const transitOf = async (transferId: string) =>
  (await app.sql(`SELECT coalesce(sum(CASE WHEN to_node = ? THEN quantity ELSE -quantity END), 0)::text AS q FROM stock_movements WHERE ? IN (to_node, from_node)`, [`TRANSIT:${transferId}`, `TRANSIT:${transferId}`]))[0].q;

async function lotsOfWater(): Promise<string> {
  const water = await newCategory(app, 'water');
  const reply = await receipt(app, 'WH-A', [
    { category: water, quantity: '10', lot: 'LATE', expiresOn: '2031-12-31' },
    { category: water, quantity: '10', lot: 'EARLY', expiresOn: '2030-03-31' },
    { category: water, quantity: '10', lot: 'GONE', expiresOn: '2021-01-01' },
    { category: water, quantity: '10', lot: 'HELD', expiresOn: '2029-01-01' },
  ]);
  expect(reply.status).toBe(201);
  const quarantine = await app.request('POST', `/lots/${water}/HELD/status`, { token: keeperA, body: { status: 'QUARANTINED', reason: '抽检不合格' } });
  expect(quarantine.status).toBe(200);
  expect(quarantine.body).toMatchObject({ lot: 'HELD', status: 'QUARANTINED', effectiveStatus: 'QUARANTINED', stock: [{ warehouse: 'WH-A', onHand: '10' }] });
  return water;
}

describe('shipping', () => {
  it('moves stock into TRANSIT:<id>, first-expiring-first-out, skipping quarantined and expired lots', async () => {
    const water = await lotsOfWater();
    const shipped = await ship([{ category: water, quantity: '15' }], keeperA);
    expect(shipped.status).toBe(201);
    const id = shipped.body.id;
    expect(shipped.body).toMatchObject({ type: 'TRANSFER_SHIP', status: 'IN_TRANSIT', transferId: id, warehouse: 'WH-A', counterpartWarehouse: 'WH-B' });
    expect(shipped.body.lines.map((l: { lot: string; quantity: string; to: string }) => [l.lot, l.quantity, l.to])).toEqual([
      ['EARLY', '10', `TRANSIT:${id}`],
      ['LATE', '5', `TRANSIT:${id}`],
    ]);
    expect(await transitOf(id)).toBe('15.000');
    expect(await onHand(app, 'WH-A', water, 'EARLY')).toBe('0');
    expect(await onHand(app, 'WH-A', water, 'LATE')).toBe('5');
    expect((await app.request('GET', `/transfers/${id}`, { token: keeperB })).body).toEqual({ id, from: 'WH-A', to: 'WH-B', status: 'IN_TRANSIT', settledBy: null });
  });

  it('refuses a named quarantined or expired lot, and more than the usable lots hold', async () => {
    const water = await lotsOfWater();
    const held = await ship([{ category: water, quantity: '1', lot: 'HELD' }]);
    expect(held.status).toBe(409);
    expect(held.body.error).toMatchObject({ code: 'LOT_UNAVAILABLE', details: [{ lot: 'HELD', reason: 'QUARANTINED', field: 'lines[0]', warehouse: 'WH-A' }] });
    const expired = await ship([{ category: water, quantity: '1', lot: 'GONE' }]);
    expect(expired.body.error).toMatchObject({ code: 'LOT_UNAVAILABLE', details: [{ reason: 'EXPIRED' }] });
    const tooMuch = await ship([{ category: water, quantity: '21' }]);
    expect(tooMuch.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ requested: '21', available: '20' }] });
    const released = await app.request('POST', `/lots/${water}/HELD/status`, { body: { status: 'AVAILABLE', reason: '复检合格' } });
    expect(released.body.status).toBe('AVAILABLE');
    const named = await ship([{ category: water, quantity: '2', lot: 'HELD' }]);
    expect(named.status).toBe(201);
    const expiredByDate = (await app.request('GET', `/lots?category=${water}`)).body.items.find((l: { lot: string }) => l.lot === 'GONE');
    expect(expiredByDate).toMatchObject({ status: 'AVAILABLE', effectiveStatus: 'EXPIRED' });
  });

  it('refuses shipping to the same or an unknown warehouse, repeated lines, and a keeper of another warehouse', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
    expect((await ship([{ category: tent, quantity: '1' }], undefined, 'WH-A', 'WH-A')).body.error.details).toContainEqual(expect.objectContaining({ field: 'to' }));
    expect((await ship([{ category: tent, quantity: '1' }], undefined, 'WH-A', 'WH-ZZ')).body.error.details).toContainEqual(expect.objectContaining({ field: 'to', reason: 'unknown warehouse' }));
    const repeated = await ship([{ category: tent, quantity: '1' }, { category: tent, quantity: '1' }]);
    expect(repeated.body.error.details).toContainEqual(expect.objectContaining({ field: 'lines[1]' }));
    expect((await ship([{ category: tent, quantity: '1' }], keeperB)).status).toBe(403);
    expect(await onHand(app, 'WH-A', tent)).toBe('5');
  });
});

describe('receiving and cancelling', () => {
  it('the receiving keeper books received stock in, damage and shortfall to loss, and settles the transit', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '100' }]);
    const shipped = await ship([{ category: tent, quantity: '60' }], keeperA);
    const id = shipped.body.id;
    expect((await app.request('POST', `/transfers/${id}/receive`, { token: keeperA, body: { lines: [{ category: tent, received: '60' }] } })).status).toBe(403);
    const tooMuch = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { lines: [{ category: tent, received: '58', damaged: '3' }] } });
    expect(tooMuch.status).toBe(422);
    const received = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { note: '两顶破损,一顶缺失', lines: [{ category: tent, received: '57', damaged: '2' }] } });
    expect(received.status).toBe(201);
    expect(received.body).toMatchObject({ type: 'TRANSFER_RECEIVE', transferId: id, warehouse: 'WH-B', recordedBy: 'keeper-b', reason: '两顶破损,一顶缺失' });
    expect(received.body.lines.map((l: { to: string; quantity: string }) => [l.to, l.quantity])).toEqual([['WH:WH-B', '57'], ['LOSS:DAMAGE', '2'], ['LOSS:SHORTFALL', '1']]);
    expect(await onHand(app, 'WH-A', tent)).toBe('40');
    expect(await onHand(app, 'WH-B', tent)).toBe('57');
    expect(await transitOf(id)).toBe('0.000');
    expect((await app.request('GET', `/transfers/${id}`)).body).toMatchObject({ status: 'RECEIVED', settledBy: received.body.id });
    const again = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { lines: [{ category: tent, received: '60' }] } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TRANSFER_SETTLED');
    const cancel = await app.request('POST', `/transfers/${id}/cancel`, { token: keeperA, body: {} });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('TRANSFER_SETTLED');
  });

  it('every shipped line must be reported; an unshipped one is refused', async () => {
    const tent = await newCategory(app, 'tent');
    const rice = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }, { category: rice, quantity: '2.5' }]);
    const id = (await ship([{ category: tent, quantity: '10' }, { category: rice, quantity: '2.5' }])).body.id;
    const partial = await app.request('POST', `/transfers/${id}/receive`, { body: { lines: [{ category: tent, received: '10' }, { category: 'OTHER-1', received: '1' }] } });
    expect(partial.status).toBe(422);
    expect(partial.body.error.details.map((p: { field: string }) => p.field)).toEqual(['lines[1]', 'lines']);
  });

  it('before receipt the shipping keeper cancels and the goods return, lots included; afterwards it cannot be received', async () => {
    const water = await lotsOfWater();
    const id = (await ship([{ category: water, quantity: '12' }], keeperA)).body.id;
    expect((await app.request('POST', `/transfers/${id}/cancel`, { token: keeperB, body: {} })).status).toBe(403);
    const cancelled = await app.request('POST', `/transfers/${id}/cancel`, { token: keeperA, body: { note: '调拨计划取消' } });
    expect(cancelled.status).toBe(201);
    expect(cancelled.body.lines.map((l: { lot: string; to: string }) => [l.lot, l.to])).toEqual([['EARLY', 'WH:WH-A'], ['LATE', 'WH:WH-A']]);
    expect(await onHand(app, 'WH-A', water, 'EARLY')).toBe('10');
    expect(await onHand(app, 'WH-A', water, 'LATE')).toBe('10');
    const receive = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { lines: [{ category: water, lot: 'EARLY', received: '10' }] } });
    expect(receive.status).toBe(409);
    expect(receive.body.error.code).toBe('TRANSFER_SETTLED');
    const listed = await app.request('GET', '/transfers?warehouse=WH-B&status=CANCELLED', { token: keeperB });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(id);
    await expectLedgerHealthy(app);
  });

  it('lots keep their lot and expiry through transit and arrive as the same lot', async () => {
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: water, quantity: '8', lot: 'W9', expiresOn: '2030-09-09' }]);
    const id = (await ship([{ category: water, quantity: '8' }])).body.id;
    const received = await app.request('POST', `/transfers/${id}/receive`, { body: { lines: [{ category: water, lot: 'W9', received: '8' }] } });
    expect(received.body.lines).toEqual([expect.objectContaining({ lot: 'W9', expiresOn: '2030-09-09', to: 'WH:WH-B' })]);
    expect(await onHand(app, 'WH-B', water, 'W9')).toBe('8');
  });
});

describe('lot status', () => {
  it('a keeper changes only lots they hold; unknown lots are 404; status and reason are validated', async () => {
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: water, quantity: '3', lot: 'X1', expiresOn: '2030-01-01' }]);
    expect((await app.request('POST', `/lots/${water}/X1/status`, { token: keeperB, body: { status: 'QUARANTINED', reason: 'x' } })).status).toBe(403);
    expect((await app.request('POST', `/lots/${water}/NOPE/status`, { body: { status: 'QUARANTINED', reason: 'x' } })).status).toBe(404);
    expect((await app.request('POST', `/lots/${water}/X1/status`, { body: { status: 'BROKEN', reason: 'x' } })).status).toBe(422);
    const expired = await app.request('POST', `/lots/${water}/X1/status`, { token: keeperA, body: { status: 'EXPIRED', reason: '外包装破损,提前报废' } });
    expect(expired.body).toMatchObject({ status: 'EXPIRED', effectiveStatus: 'EXPIRED', statusReason: '外包装破损,提前报废' });
    expect((await ship([{ category: water, quantity: '1' }])).body.error.code).toBe('INSUFFICIENT_STOCK');
  });
});
