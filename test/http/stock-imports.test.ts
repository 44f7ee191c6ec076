// Proves the opening stock and reserve quota CSV imports: Chinese and English headers, GB18030, every bad row named by line and column, all or nothing, dry runs, and no double import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { gb18030 } from '../support/csv.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

const HEADER = '仓库编码,物资编码,批次号,有效期至,数量,单价';
const documents = async () => Number((await app.sql("SELECT count(*) AS n FROM stock_documents WHERE type = 'OPENING'"))[0].n);

describe('opening stock import', () => {
  it('posts one OPENING document per warehouse, with lots, expiry and cost, and reports the rows', async () => {
    const tent = await newCategory(app, 'tent');
    const rice = await newCategory(app, 'rice');
    const water = await newCategory(app, 'water');
    const csv = [HEADER, `WH-A,${tent},,,120,1350.00`, `WH-A,${rice},,,3.5,`, `WH-A,${water},W-01,2030/6/30,40,24.50`, `WH-B,${tent},,,15,1350`, `WH-B,${water},W-01,2030-06-30,10,`].join('\n');
    const before = await documents();
    const reply = await app.request('POST', '/imports/opening-stock', { raw: gb18030(csv) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ kind: 'opening-stock', rows: 5, inserted: 5, dryRun: false, encoding: 'gb18030' });
    expect(await documents()).toBe(before + 2);
    expect(await onHand(app, 'WH-A', tent)).toBe('120');
    expect(await onHand(app, 'WH-A', rice)).toBe('3.500');
    expect(await onHand(app, 'WH-A', water, 'W-01')).toBe('40');
    expect(await onHand(app, 'WH-B', water, 'W-01')).toBe('10');
    const ledger = await app.request('GET', `/ledger?category=${water}&warehouse=WH-A`);
    expect(ledger.body.items[0]).toMatchObject({ documentType: 'OPENING', counterparty: 'OPENING', lot: 'W-01', expiresOn: '2030-06-30', unitCost: '24.50', recordedBy: 'admin' });
    await expectLedgerHealthy(app);
  });

  it('refuses the whole file for any bad row, naming line, column and reason, and writes nothing', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: water, quantity: '1', lot: 'KNOWN', expiresOn: '2030-01-01' }]);
    const csv = [
      'warehouse,category,lot,expiresOn,quantity,unitCost',
      `WH-B,${tent},,,10,`, // 2: fine on its own
      `WH-ZZ,${tent},,,1,`, // 3: unknown warehouse
      `WH-C,${tent},,,1,`, // 4: inactive warehouse
      `WH-B,NOPE-1,,,1,`, // 5: unknown category
      `WH-B,${water},,,1,`, // 6: lot and expiry missing
      `WH-A,${tent},L1,,2,`, // 7: tents are not kept in lots
      `WH-B,${water},L2,2030-02-30,1,`, // 8: no such date
      `WH-B,${water},KNOWN,2031-01-01,1,`, // 9: lot known with another expiry
      `WH-A,${tent},,,1.5,`, // 10: whole tents only
      `WH-B,${tent},,,3,`, // 11: duplicate of line 2
      `WH-A,${water},KNOWN,2030-01-01,1,`, // 12: the ledger of water in WH-A has started
      `WH-A,${tent},,,0,-1`, // 13: zero quantity, negative cost
    ].join('\n');
    const before = await documents();
    const reply = await app.request('POST', '/imports/opening-stock', { raw: csv });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('IMPORT_REJECTED');
    const problems = reply.body.error.details.map((p: { line: number; field: string }) => `${p.line}:${p.field}`);
    expect(problems).toEqual(['3:warehouse', '4:warehouse', '5:category', '6:lot', '6:expiresOn', '7:lot', '8:expiresOn', '9:expiresOn', '10:quantity', '11:warehouse', '12:category', '13:quantity', '13:unitCost']);
    expect(await documents()).toBe(before);
    expect(await onHand(app, 'WH-B', tent)).toBe('0');
  });

  it('a dry run counts exactly and writes nothing; importing the same file twice is refused the second time', async () => {
    const tent = await newCategory(app, 'tent');
    const csv = `${HEADER}\nWH-A,${tent},,,5,\nWH-B,${tent},,,6,\n`;
    const dry = await app.request('POST', '/imports/opening-stock?dryRun=true', { raw: csv });
    expect(dry.body).toMatchObject({ dryRun: true, rows: 2, inserted: 2 });
    expect(await onHand(app, 'WH-A', tent)).toBe('0');
    expect((await app.request('POST', '/imports/opening-stock', { raw: csv })).status).toBe(200);
    const again = await app.request('POST', '/imports/opening-stock', { raw: csv });
    expect(again.status).toBe(422);
    expect(again.body.error.details).toEqual([
      expect.objectContaining({ line: 2, field: '物资编码', reason: expect.stringContaining('has already started') }),
      expect.objectContaining({ line: 3, field: '物资编码' }),
    ]);
    expect(await onHand(app, 'WH-A', tent)).toBe('5');
  });

  it('only admins import', async () => {
    const keeper = await app.user('keeper-imports', 'keeper', ['WH-A']);
    expect((await app.request('POST', '/imports/opening-stock', { token: keeper, raw: `${HEADER}\n` })).status).toBe(403);
    expect((await app.request('POST', '/imports/quotas', { token: keeper, raw: '仓库编码,物资编码,储备定额\n' })).status).toBe(403);
  });
});

describe('quota import', () => {
  it('upserts quotas, reports unchanged rows on re-import, and refuses bad rows by line', async () => {
    const tent = await newCategory(app, 'tent');
    const rice = await newCategory(app, 'rice');
    const csv = `仓库编码,物资编码,储备定额\nWH-A,${tent},500\nWH-A,${rice},12.5\nWH-B,${tent},200\n`;
    expect((await app.request('POST', '/imports/quotas', { raw: csv })).body).toMatchObject({ kind: 'quotas', rows: 3, inserted: 3, updated: 0, unchanged: 0 });
    expect((await app.request('POST', '/imports/quotas', { raw: csv.replace(',200', ',250') })).body).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    const quotas = await app.request('GET', `/quotas?category=${rice}`);
    expect(quotas.body.items).toEqual([{ warehouse: 'WH-A', category: rice, quantity: '12.500' }]);
    const bad = await app.request('POST', '/imports/quotas', { raw: `warehouse,category,quota\nWH-ZZ,${tent},1\nWH-A,NOPE-9,1\nWH-A,${tent},1.5\nWH-A,${tent},x\n` });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((p: { line: number; field: string }) => `${p.line}:${p.field}`)).toEqual(['2:warehouse', '3:category', '4:quota', '5:quota']);
  });
});

describe('a rolled-back import leaves no trace', () => {
  it('a category first touched by a dry run over several write batches can be posted to afterwards', async () => {
    const water = await newCategory(app, 'water');
    // 5,001 rows: two write batches, the second locking a chain head the first created and advanced.
    const rows = Array.from({ length: 5001 }, (_, i) => `WH-A,${water},L${i},2030-01-01,1,`);
    const dry = await app.request('POST', '/imports/opening-stock?dryRun=true', { raw: `${HEADER}\n${rows.join('\n')}\n` });
    expect(dry.body).toMatchObject({ dryRun: true, rows: 5001, inserted: 5001 });
    const after = await receipt(app, 'WH-A', [{ category: water, quantity: '1', lot: 'L1', expiresOn: '2030-01-01' }]);
    expect(after.status).toBe(201);
    expect(after.body.lines[0]).toMatchObject({ lot: 'L1' });
    await expectLedgerHealthy(app);
  });
});
