// Proves dispatch, delivery and pick lists over HTTP: keepers ship only from their own warehouses as ALLOCATION documents in the 台帐 (reservation released in the same transaction), FEFO lots carried through, delivery differences need a reason, a reversed dispatch goes back onto its order (held again, status back, a history entry; refused once delivered), the pick list as JSON and as an A4 xlsx with Chinese headers where typed text never becomes a formula.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, receipt } from './stock.fixtures.js';
import { type AllocationWorld, allocationWorld, balance, order, stockedTent } from './allocation.fixtures.js';

let app: TestApp;
let w: AllocationWorld;
beforeAll(async () => {
  app = await startTestApp();
  w = await allocationWorld(app);
});
afterAll(() => app.close());

describe('dispatch and delivery', () => {
  it('keepers dispatch their own warehouse; the order is PARTIALLY_DISPATCHED, then DISPATCHED; the 台帐 shows ALLOCATION documents', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '30', 'AL-LX': '100' });
    const placed = await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '50' }] });
    const id = placed.body.id;
    expect((await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperSN, body: { warehouse: 'AL-LX' } })).status).toBe(403);
    expect((await app.request('POST', `/allocations/${id}/dispatch`, { token: w.dispatcher, body: {} })).status).toBe(403);
    const first = await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperSN, body: {} });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'PARTIALLY_DISPATCHED', documents: [{ warehouse: 'AL-SN' }] });
    expect(await balance(app, 'AL-SN', tent)).toEqual({ onHand: '0', reserved: '0', available: '0' });
    const again = await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperSN, body: {} });
    expect(again.body.error.code).toBe('NOTHING_TO_DISPATCH');
    const second = await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperLX, body: {} });
    expect(second.body.status).toBe('DISPATCHED');
    expect(await balance(app, 'AL-LX', tent)).toEqual({ onHand: '80', reserved: '0', available: '80' });
    const document = await app.request('GET', `/documents/${second.body.documents[0].documentId}`);
    expect(document.body).toMatchObject({ type: 'ALLOCATION', warehouse: 'AL-LX', lines: [{ category: tent, quantity: '20', from: 'WH:AL-LX', to: 'DESTINATION:市南区防疫卡点一' }] });
    const ledger = await app.request('GET', `/ledger?category=${tent}&warehouse=AL-LX`);
    expect(ledger.body.closing).toBe('80');
    expect(second.body.dispatches.map((d: any) => d.warehouse).sort()).toEqual(['AL-LX', 'AL-SN']);
    // Cancel after a full dispatch is refused; delivery: a difference needs a reason.
    expect((await app.request('POST', `/allocations/${id}/cancel`, { token: w.dispatcher, body: {} })).status).toBe(409);
    const noReason = await app.request('POST', `/allocations/${id}/deliver`, { token: w.dispatcher, body: { lines: [{ category: tent, received: '49' }] } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.details[0]).toMatchObject({ field: 'lines[0].reason' });
    const delivered = await app.request('POST', `/allocations/${id}/deliver`, { token: w.dispatcher, body: { lines: [{ category: tent, received: '49', reason: '途中破损1顶' }] } });
    expect(delivered.body).toMatchObject({ status: 'DELIVERED', lines: [{ dispatched: '50', received: '49', differenceReason: '途中破损1顶' }] });
    expect((await app.request('POST', `/allocations/${id}/deliver`, { token: w.dispatcher, body: { lines: [{ category: tent, received: '50' }] } })).status).toBe(409);
    await expectLedgerHealthy(app);
  });

  it('a reversed dispatch goes back onto its order: dispatched less, held again, status back, a history entry; refused once delivered', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '30', 'AL-LX': '100' });
    const id = (await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '50' }] })).body.id;
    const fromSN = (await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperSN, body: {} })).body.documents[0].documentId;
    const fromLX = (await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperLX, body: {} })).body.documents[0].documentId;
    const reversal = await app.request('POST', `/documents/${fromLX}/reverse`, { token: w.keeperLX, body: { reason: '车辆未出库' } });
    expect(reversal.status).toBe(201);
    const back = (await app.request('GET', `/allocations/${id}`)).body;
    expect(back).toMatchObject({ status: 'PARTIALLY_DISPATCHED', lines: [{ requested: '50', reserved: '50', dispatched: '30' }] });
    expect(back.lines[0].picks.map((p: any) => [p.warehouse, p.open, p.dispatched])).toEqual([['AL-LX', '20', '0'], ['AL-SN', '0', '30']]);
    expect(back.dispatches.find((d: any) => d.documentId === fromLX).reversedBy).toBe(reversal.body.id);
    expect(back.history).toEqual([expect.objectContaining({
      action: 'DISPATCH_REVERSED', statusBefore: 'DISPATCHED', statusAfter: 'PARTIALLY_DISPATCHED', by: expect.any(String),
      details: expect.objectContaining({ document: fromLX, reversal: reversal.body.id, warehouse: 'AL-LX', heldAgain: true, lines: [{ category: tent, lot: null, quantity: '20.000' }] }),
    })]);
    expect(await balance(app, 'AL-LX', tent)).toEqual({ onHand: '100', reserved: '20', available: '80' });
    await expectLedgerHealthy(app);
    // Held again, so it ships again; then delivered, after which no dispatch of the order can be reversed.
    expect((await app.request('POST', `/allocations/${id}/dispatch`, { token: w.keeperLX, body: {} })).body).toMatchObject({ status: 'DISPATCHED', lines: [{ dispatched: '50' }] });
    expect((await app.request('POST', `/allocations/${id}/deliver`, { token: w.dispatcher, body: { lines: [{ category: tent, received: '50' }] } })).status).toBe(201);
    const late = await app.request('POST', `/documents/${fromSN}/reverse`, { token: w.keeperSN, body: { reason: '晚了' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ALLOCATION_DELIVERED');
    expect(await balance(app, 'AL-SN', tent)).toEqual({ onHand: '0', reserved: '0', available: '0' });

    // Held again after a reversal, an order can still be cancelled; a cancelled order only counts reversed goods back.
    const other = (await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '30' }] })).body;
    const shipped = (await app.request('POST', `/allocations/${other.id}/dispatch`, { token: w.keeperLX, body: {} })).body.documents[0].documentId;
    expect((await app.request('POST', `/documents/${shipped}/reverse`, { token: w.keeperLX, body: { reason: '录入错误' } })).status).toBe(201);
    expect((await app.request('GET', `/allocations/${other.id}`)).body).toMatchObject({ status: 'RESERVED', lines: [{ dispatched: '0', picks: [{ warehouse: 'AL-LX', open: '30' }] }] });
    expect((await app.request('POST', `/allocations/${other.id}/cancel`, { token: w.dispatcher, body: {} })).body.status).toBe('CANCELLED');
    expect(await balance(app, 'AL-LX', tent)).toEqual({ onHand: '80', reserved: '0', available: '80' });
    expect((await receipt(app, 'AL-SN', [{ category: tent, quantity: '10' }])).status).toBe(201);
    const third = (await order(app, w.dispatcher, { lines: [{ category: tent, quantity: '40' }] })).body;
    const fromSN2 = (await app.request('POST', `/allocations/${third.id}/dispatch`, { token: w.keeperSN, body: {} })).body.documents[0].documentId;
    expect((await app.request('POST', `/allocations/${third.id}/cancel`, { token: w.dispatcher, body: {} })).body.status).toBe('CANCELLED');
    expect((await app.request('POST', `/documents/${fromSN2}/reverse`, { token: w.keeperSN, body: { reason: '录入错误' } })).status).toBe(201);
    const cancelled = (await app.request('GET', `/allocations/${third.id}`)).body;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', lines: [{ dispatched: '0' }], history: [{ statusBefore: 'CANCELLED', statusAfter: 'CANCELLED', details: { heldAgain: false } }] });
    expect(await balance(app, 'AL-SN', tent)).toEqual({ onHand: '10', reserved: '0', available: '10' });
    await expectLedgerHealthy(app);
  });

  it('carries first-expiring lots to the ledger and refuses a lot quarantined after it was reserved', async () => {
    const water = await newCategory(app, 'water');
    const soon = addDays(todayInCity(), 30);
    const later = addDays(todayInCity(), 300);
    expect((await receipt(app, 'AL-SN', [{ category: water, quantity: '10', lot: 'LATE', expiresOn: later }, { category: water, quantity: '10', lot: 'SOON', expiresOn: soon }])).status).toBe(201);
    const placed = await order(app, w.dispatcher, { lines: [{ category: water, quantity: '15' }] });
    expect(placed.body.lines[0].picks.map((p: any) => [p.lot, p.expiresOn, p.quantity])).toEqual([['SOON', soon, '10'], ['LATE', later, '5']]);
    const quarantine = await app.request('POST', `/lots/${water}/LATE/status`, { body: { status: 'QUARANTINED', reason: '抽检' } });
    expect(quarantine.status).toBe(200);
    const refused = await app.request('POST', `/allocations/${placed.body.id}/dispatch`, { token: w.keeperSN, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'LOT_UNAVAILABLE', details: [{ category: water, lot: 'LATE', warehouse: 'AL-SN' }] });
    await app.request('POST', `/lots/${water}/LATE/status`, { body: { status: 'AVAILABLE', reason: '复检合格' } });
    const shipped = await app.request('POST', `/allocations/${placed.body.id}/dispatch`, { token: w.keeperSN, body: {} });
    const document = await app.request('GET', `/documents/${shipped.body.documents[0].documentId}`);
    expect(document.body.lines.map((l: any) => [l.lot, l.quantity])).toEqual([['LATE', '5'], ['SOON', '10']].sort());
    await expectLedgerHealthy(app);
  });
});

describe('pick lists', () => {
  it('per warehouse as JSON (keepers: their own) and as a printable xlsx; typed text stays text', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '5', 'AL-LX': '5' });
    const destination = { name: '=HYPERLINK("http://x","点我")', district: '市南区' };
    const placed = await order(app, w.dispatcher, { destination, lines: [{ category: tent, quantity: '8' }] });
    expect(placed.status).toBe(201);
    const all = await app.request('GET', `/allocations/${placed.body.id}/pick-list`, { token: w.finance });
    expect(all.body.warehouses.map((x: any) => [x.warehouse, x.lines.map((l: any) => l.quantity)])).toEqual([['AL-LX', ['3']], ['AL-SN', ['5']]]);
    const own = await app.request('GET', `/allocations/${placed.body.id}/pick-list`, { token: w.keeperSN });
    expect(own.body.warehouses.map((x: any) => x.warehouse)).toEqual(['AL-SN']);
    expect((await app.request('GET', `/allocations/${placed.body.id}/pick-list?warehouse=AL-LX`, { token: w.keeperSN })).status).toBe(403);

    const xlsx = await app.request('GET', `/allocations/${placed.body.number}/pick-list.xlsx?warehouse=AL-SN`, { token: w.dispatcher });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(xlsx.headers.get('content-disposition')).toContain('.xlsx');

    // The same workbook the route streams, read back cell by cell (the test client reads bodies as text).
    const me = (await app.request('GET', '/me')).body;
    const { bytes } = await app.services.allocations.pickListXlsx({ id: me.id, name: me.name, role: 'admin', warehouses: [] }, placed.body.id, 'AL-SN');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getCell('A1').value).toBe('应急物资调拨拣货单');
    expect(sheet.getRow(8).values).toEqual([undefined, '物资编码', '物资名称', '规格', '单位', '批次', '有效期至', '数量']);
    expect(sheet.getRow(9).getCell(1).value).toBe(tent);
    expect(sheet.getRow(9).getCell(7).value).toBe(5); // a number with the category's decimals (#,##0), as in every report
    expect(sheet.getRow(9).getCell(7).numFmt).toBe('#,##0');
    const typed = sheet.getCell('B4');
    expect(typed.value).toBe('=HYPERLINK("http://x","点我") / 市南区');
    expect(typed.type).toBe(ExcelJS.ValueType.String);
    expect(sheet.pageSetup.paperSize).toBe(9);
    const texts = sheet.getSheetValues().flat().filter((v) => typeof v === 'string') as string[];
    expect(texts).toEqual(expect.arrayContaining(['拣货人:', '复核人:', '日期:']));
  });
});
