// Proves the stock reports: listed per role, streamed as xlsx with a UTF-8 file name, title block, frozen header and print set-up, figures equal to /ledger, typed text inert, keepers limited to their warehouses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';
import { dataRows, download } from './reports.helpers.js';

let app: TestApp;
let keeperA: string;
let assessor: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
  assessor = await app.user('assessor-1', 'assessor');
});
afterAll(() => app.close());

const EVIL = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '@SUM(1)', '-1+1'];

describe('reports', () => {
  it('GET /reports lists what the role may run', async () => {
    const admin = await app.request('GET', '/reports');
    expect(admin.status).toBe(200);
    expect(admin.body.items.map((i: { name: string }) => i.name)).toEqual(expect.arrayContaining(['stock-ledger', 'movement-journal']));
    expect(admin.body.items[0].parameters.length).toBeGreaterThan(0);
    expect((await app.request('GET', '/reports', { token: assessor })).body.items.map((i: { name: string }) => i.name)).not.toContain('stock-ledger');
  });

  it('refuses unknown reports, bad parameters, other roles and other warehouses before streaming', async () => {
    expect((await download(app, '/reports/nope.xlsx')).status).toBe(404);
    expect((await download(app, '/reports/stock-ledger.xlsx?from=2025-13-01&to=2025-01-01')).status).toBe(422);
    expect((await download(app, '/reports/stock-ledger.xlsx?from=2025-02-01&to=2025-01-01')).status).toBe(422);
    expect((await download(app, '/reports/stock-ledger.xlsx?from=2025-01-01&to=2025-01-31&bogus=1')).status).toBe(422);
    expect((await download(app, '/reports/stock-ledger.xlsx?from=2025-01-01&to=2025-01-31', assessor)).status).toBe(403);
    expect((await download(app, '/reports/stock-ledger.xlsx?from=2025-01-01&to=2025-01-31&warehouse=WH-B', keeperA)).status).toBe(403);
  });

  it('the movement journal: totals equal the 台帐 of /ledger, typed text stays text, dates are dates', async () => {
    const tent = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '12.5', unitCost: '45.5' }], { occurredAt: '2025-03-02' });
    for (const [i, donor] of EVIL.entries()) await receipt(app, 'WH-A', [{ category: tent, quantity: `1.25${i}` }], { occurredAt: '2025-03-05', donor });
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '3.1' }], { occurredAt: '2025-03-20' });
    await receipt(app, 'WH-B', [{ category: tent, quantity: '7' }], { occurredAt: '2025-03-21' });
    const ledger = (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&from=2025-03-01&to=2025-03-31&limit=500`)).body;
    const file = await download(app, `/reports/movement-journal.xlsx?from=2025-03-01&to=2025-03-31&warehouse=WH-A&category=${tent}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('出入库明细_2025-03-01_2025-03-31.xlsx')}`);
    const sheet = file.sheet!;
    expect(sheet.getCell('A1').value).toBe('出入库明细');
    expect(sheet.getCell('A2').value).toBe('某市应急管理局');
    expect(String(sheet.getCell('A3').value)).toContain('2025-03-01 至 2025-03-31');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 7 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1 });
    expect(sheet.getCell('A7').value).toBe('业务日期');
    const rows = dataRows(sheet);
    const body = rows.slice(0, -1);
    expect(body).toHaveLength(ledger.total);
    expect(body[0]![0]).toEqual(new Date(Date.UTC(2025, 2, 2)));
    const received = ledger.items.reduce((s: number, i: { in: string | null }) => s + Math.round(Number(i.in ?? 0) * 1000), 0) / 1000;
    const issued = ledger.items.reduce((s: number, i: { out: string | null }) => s + Math.round(Number(i.out ?? 0) * 1000), 0) / 1000;
    const total = rows.at(-1)!;
    expect(total[9]).toMatchObject({ formula: `SUM(J8:J${7 + body.length})`, result: received });
    expect(total[10]).toMatchObject({ result: issued });
    expect(Number(ledger.opening) + received - issued).toBeCloseTo(Number(ledger.closing), 6);
    const sources = body.map((r) => r[13]);
    for (const evil of EVIL) expect(sources).toContain(evil);
    sheet.eachRow((row, n) => {
      if (n > 7 && n < 7 + rows.length) row.eachCell((cell) => expect(cell.formula).toBeUndefined());
    });
  });

  it('the 物资台帐: opening, receipts, issues and closing per warehouse equal /ledger; a keeper gets only their warehouses', async () => {
    const rice = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: rice, quantity: '10.125' }], { occurredAt: '2025-04-10' });
    await receipt(app, 'WH-A', [{ category: rice, quantity: '2' }], { occurredAt: '2025-05-03' });
    await writeOff(app, 'WH-A', [{ category: rice, quantity: '0.5' }], { occurredAt: '2025-05-09' });
    await receipt(app, 'WH-B', [{ category: rice, quantity: '4' }], { occurredAt: '2025-05-10' });
    const ledger = (await app.request('GET', `/ledger?category=${rice}&warehouse=WH-A&from=2025-05-01&to=2025-05-31`)).body;
    const file = await download(app, `/reports/stock-ledger.xlsx?from=2025-05-01&to=2025-05-31&category=${rice}`);
    const rows = dataRows(file.sheet!);
    expect(rows.map((r) => [r[0], r[5], r[6], r[7], r[8]])).toEqual([
      ['WH-A', Number(ledger.opening), 2, 0.5, Number(ledger.closing)],
      ['WH-B', 0, 4, 0, 4],
    ]);
    expect(file.sheet!.getRow(8).getCell(6).numFmt).toBe('#,##0.000');
    const mine = await download(app, `/reports/stock-ledger.xlsx?from=2025-05-01&to=2025-05-31&category=${rice}`, keeperA);
    expect(dataRows(mine.sheet!).map((r) => r[0])).toEqual(['WH-A']);
  });

  it('临期及低于定额: the same lots and shortfalls as /alerts/expiring and /alerts/below-quota', async () => {
    const water = await newCategory(app, 'water');
    const soon = addDays(todayInCity(), 10);
    await receipt(app, 'WH-C', [{ category: water, quantity: '8', lot: 'W-SOON', expiresOn: soon }, { category: water, quantity: '5', lot: 'W-LATER', expiresOn: '2099-01-01' }]);
    expect((await app.request('PUT', '/quotas', { body: { warehouse: 'WH-C', category: water, quantity: '100' } })).status).toBe(200);
    const expiring = (await app.request('GET', '/alerts/expiring?warehouse=WH-C&days=30')).body.items;
    const below = (await app.request('GET', '/alerts/below-quota?warehouse=WH-C')).body.items;
    const file = await download(app, '/reports/stock-alerts.xlsx?warehouse=WH-C&days=30');
    expect(file.status).toBe(200);
    const rows = dataRows(file.sheet!);
    expect(rows.filter((r) => r[0] === '临期').map((r) => [r[2], r[5], r[7], r[9]])).toEqual(expiring.map((e: any) => [e.category, e.lot, e.daysLeft, Number(e.onHand)]));
    expect(rows.filter((r) => r[0] === '低于定额').map((r) => [r[2], r[9], r[10], r[11], r[12]])).toEqual(below.map((b: any) => [b.category, Number(b.onHand), Number(b.quota), Number(b.usable), Number(b.shortfall)]));
    expect(rows.some((r) => r[2] === water && r[0] === '低于定额')).toBe(true);
  });

  it('捐赠接收凭证: one receipt, the donor in the title block as text, value total; portrait A4 on one page; not for another keeper', async () => {
    const tent = await newCategory(app, 'tent');
    const reply = await receipt(app, 'WH-A', [{ category: tent, quantity: '3', unitCost: '1250.5' }, { category: tent, quantity: '2', unitCost: '0.25' }], { donor: '=HYPERLINK("http://x","y")' });
    expect(reply.status).toBe(201);
    const file = await download(app, `/reports/donation-certificate.xlsx?receipt=${reply.body.id}`, keeperA);
    expect(file.status).toBe(200);
    const sheet = file.sheet!;
    expect(sheet.getCell('A4').value).toBe('捐赠方：=HYPERLINK("http://x","y")　　接收仓库：WH-A 甲库');
    expect(sheet.getCell('A4').type).toBe(3); // ValueType.String: the donor's text is never a formula
    expect(sheet.pageSetup).toMatchObject({ orientation: 'portrait', fitToWidth: 1 });
    const rows = dataRows(sheet);
    expect(rows[2]![9]).toMatchObject({ formula: 'SUM(J8:J9)', result: 3752 });
    expect(rows.at(-1)![0]).toBe('接收单位（盖章）：');
    expect((await download(app, '/reports/donation-certificate.xlsx?receipt=999999')).status).toBe(404);
    const other = await app.user('keeper-b', 'keeper', ['WH-B']);
    expect((await download(app, `/reports/donation-certificate.xlsx?receipt=${reply.body.id}`, other)).status).toBe(403);
  });
});
