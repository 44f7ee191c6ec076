// Proves allocation orders over HTTP: kits (versions, CSV, scaling rounded up), matching nearest-first above quotas, reservation visible in balances and checked by /ledger/check, refusals naming the line, the emergency override with four eyes, all-or-nothing, cancel and expiry releasing stock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory } from './stock.fixtures.js';
import { type AllocationWorld, allocationWorld, balance, order, picksOf, stockedTent } from './allocation.fixtures.js';

let app: TestApp;
let w: AllocationWorld;
beforeAll(async () => {
  app = await startTestApp();
  w = await allocationWorld(app);
});
afterAll(() => app.close());

describe('kits', () => {
  it('saves versions only when the content changes, lists them and scales an order rounded up', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '100' });
    const rice = await newCategory(app, 'rice');
    const body = { code: 'TEST-KIT-1', name: '测试安置包', per: 100, lines: [{ category: tent, quantity: '10' }] };
    const first = await app.request('POST', '/kits', { token: w.dispatcher, body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ code: 'TEST-KIT-1', version: 1, created: true });
    expect((await app.request('POST', '/kits', { token: w.dispatcher, body })).body).toMatchObject({ version: 1, created: false });
    const changed = await app.request('POST', '/kits', { token: w.dispatcher, body: { ...body, lines: [...body.lines, { category: rice, quantity: '0.125' }] } });
    expect(changed.body).toMatchObject({ version: 2, created: true });
    const got = await app.request('GET', '/kits/TEST-KIT-1', { token: w.finance });
    expect(got.body).toEqual({ code: 'TEST-KIT-1', name: '测试安置包', version: 2, per: 100, lines: [{ category: tent, quantity: '10' }, { category: rice, quantity: '0.125' }] });
    const list = await app.request('GET', '/kits?q=TEST-KIT', { token: w.keeperSN });
    expect(list.body.total).toBe(1);
    expect((await app.request('GET', '/kits/NO-SUCH-KIT')).status).toBe(404);
    // 150 people from a kit per 100: 15 tents; 0.1875 t of rice rounds up to 0.188 (no stock: a shortfall).
    const placed = await order(app, w.dispatcher, { kit: { code: 'TEST-KIT-1', people: 150 } });
    expect(placed.status).toBe(201);
    expect(placed.body.kit).toEqual({ code: 'TEST-KIT-1', version: 2, people: 150 });
    expect(placed.body.lines.map((l: any) => [l.category, l.requested, l.reserved, l.shortfall])).toEqual([[tent, '15', '15', '0'], [rice, '0.188', '0.000', '0.188']]);
  });

  it('imports kits from CSV, all or nothing, and unchanged on a second import', async () => {
    const tent = await newCategory(app, 'tent');
    const csv = `套餐编码,套餐名称,适用人数,物资编码,数量\nCSV-KIT,导入包,10,${tent},2\n`;
    const first = await app.request('POST', '/imports/kits', { token: w.dispatcher, raw: csv });
    expect(first.body).toMatchObject({ kind: 'kits', rows: 1, inserted: 1 });
    expect((await app.request('POST', '/imports/kits', { token: w.dispatcher, raw: csv })).body).toMatchObject({ unchanged: 1 });
    const bad = await app.request('POST', '/imports/kits', { token: w.dispatcher, raw: `${csv}CSV-KIT,另一个名字,10,NO-SUCH-CAT,1\n` });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: any) => d.reason)).toEqual(expect.arrayContaining(['unknown supply category', expect.stringContaining('is named 导入包')]));
  });
});

describe('orders', () => {
  it('reserves nearest warehouse first, shows it in balances and keeps /ledger/check ok', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '30', 'AL-CY': '100', 'AL-LX': '100' });
    const placed = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '50' }] });
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('RESERVED');
    expect(placed.body.number).toMatch(/^DB\d{8}-\d{6}$/);
    expect(picksOf(placed.body)).toEqual(['AL-CY:20', 'AL-SN:30']);
    expect(await balance(app, 'AL-SN', tent)).toEqual({ onHand: '30', reserved: '30', available: '0' });
    expect(await balance(app, 'AL-CY', tent)).toEqual({ onHand: '100', reserved: '20', available: '80' });
    await expectLedgerHealthy(app);
    // Tampering with the reserved column is found by /ledger/check.
    await app.sql(`UPDATE stock_balances SET reserved = reserved + 1 WHERE category = ? AND warehouse = 'AL-LX'`, [tent]);
    const check = await app.request('GET', '/ledger/check');
    expect(check.body.discrepancies).toEqual([{ kind: 'RESERVED', category: tent, warehouse: 'AL-LX', lot: null, ledger: '0', projection: '1.000' }]);
    await app.sql(`UPDATE stock_balances SET reserved = reserved - 1 WHERE category = ? AND warehouse = 'AL-LX'`, [tent]);
    // A write-off cannot take reserved stock.
    const writeOff = await app.request('POST', '/write-offs', { body: { warehouse: 'AL-SN', reason: 'DAMAGE', lines: [{ category: tent, quantity: '1' }] } });
    expect(writeOff.status).toBe(409);
  });

  it('refuses with a 4xx naming the line: unknown category, off-scale quantity, unknown kit, bad destination', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '5' });
    const bad = await order(app, w.dispatcher, { lines: [{ category: 'NO-SUCH', quantity: '1' }, { category: tent, quantity: '1.5' }], kit: { code: 'NO-KIT', people: 10 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual(['kit.code', 'lines[0].category', 'lines[1].quantity']);
    expect((await order(app, w.dispatcher, { destination: { name: '甲', lat: '36.1' }, lines: [{ category: tent, quantity: '1' }] })).status).toBe(422);
    expect((await order(app, w.dispatcher, {})).status).toBe(422);
    expect((await order(app, w.keeperSN, { lines: [{ category: tent, quantity: '1' }] })).status).toBe(403);
    const none = await order(app, w.dispatcher, { lines: [{ category: await newCategory(app, 'tent'), quantity: '1' }] });
    expect(none.status).toBe(409);
    expect(none.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ field: 'lines[0]', shortfall: '1' }] });
  });

  it('all-or-nothing reserves nothing when a line is short; otherwise the shortfall is reported', async () => {
    const tent = await stockedTent(app, { 'AL-LX': '10' });
    const other = await stockedTent(app, { 'AL-SN': '100' });
    const lines = [{ category: other, quantity: '20' }, { category: tent, quantity: '15' }];
    const refused = await order(app, w.dispatcher, { lines, allOrNothing: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ category: tent, requested: '15', available: '10', shortfall: '5' })]);
    expect(await balance(app, 'AL-SN', other)).toMatchObject({ reserved: '0' });
    const partial = await order(app, w.dispatcher, { lines });
    expect(partial.body.lines.map((l: any) => [l.reserved, l.shortfall])).toEqual([['20', '0'], ['10', '5']]);
  });

  it('keeps reserve quotas; an emergency override needs a second dispatcher or an admin before it takes protected stock', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '100' });
    expect((await app.request('PUT', '/quotas', { body: { warehouse: 'AL-SN', category: tent, quantity: '80' } })).status).toBe(200);
    // The first order takes the 20 above the quota; the override's 50 then all come out of the protected 80.
    const kept = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '50' }] });
    expect(kept.body.lines[0]).toMatchObject({ reserved: '20', shortfall: '30' });
    const urgent = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '50' }], emergencyOverride: { reason: '特大暴雨,紧急转移安置' } });
    expect(urgent.status).toBe(201);
    expect(urgent.body).toMatchObject({ status: 'AWAITING_OVERRIDE', lines: [{ reserved: '0', shortfall: '50' }] });
    const id = urgent.body.id;
    expect((await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperSN, body: {} })).body.error.code).toBe('OVERRIDE_NOT_APPROVED');
    expect((await app.request('POST', `/allocations/${id}/approve-override`, { token: w.dispatcher })).body.error.code).toBe('SELF_APPROVAL');
    expect((await app.request('POST', `/allocations/${id}/approve-override`, { token: w.keeperSN })).status).toBe(403);
    const approved = await app.request('POST', `/allocations/${id}/approve-override`, { token: w.dispatcher2 });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ status: 'RESERVED', emergencyOverride: { reason: '特大暴雨,紧急转移安置', approvedBy: expect.stringContaining('调度员乙') }, createdBy: expect.stringContaining('调度员甲') });
    expect(approved.body.lines[0]).toMatchObject({ reserved: '50', shortfall: '0', picks: [{ warehouse: 'AL-SN', quantity: '50', protected: '50' }] });
    expect((await app.request('POST', `/allocations/${id}/approve-override`, { token: w.dispatcher2 })).status).toBe(409);
    await expectLedgerHealthy(app);
  });

  it('cancel and expiry release what the order holds', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '10' });
    const a = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '4' }] });
    const b = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '5' }] });
    expect(await balance(app, 'AL-SN', tent)).toMatchObject({ reserved: '9' });
    const cancelled = await app.request('POST', `/allocations/${a.body.id}/cancel`, { token: w.dispatcher, body: { reason: '需求取消' } });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', closeReason: '需求取消' });
    expect((await app.request('POST', `/allocations/${a.body.id}/cancel`, { token: w.dispatcher, body: {} })).status).toBe(409);
    expect(await balance(app, 'AL-SN', tent)).toMatchObject({ reserved: '5' });
    expect(await app.services.allocations.orders.expireDue(new Date(Date.now() + 47 * 3600_000))).toBe(0);
    expect(await app.services.allocations.orders.expireDue(new Date(Date.now() + 49 * 3600_000))).toBeGreaterThanOrEqual(1);
    expect((await app.request('GET', `/allocations/${b.body.id}`)).body.status).toBe('EXPIRED');
    expect(await balance(app, 'AL-SN', tent)).toMatchObject({ reserved: '0', available: '10' });
    await expectLedgerHealthy(app);
  });

  it('is idempotent under an Idempotency-Key: the same order once', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '10' });
    const headers = { 'idempotency-key': `alloc-${tent}` };
    const first = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '3' }] }, headers);
    const again = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '3' }] }, headers);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(app, 'AL-SN', tent)).toMatchObject({ reserved: '3' });
  });
});
