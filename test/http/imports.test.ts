// Proves the catalog and warehouse CSV imports: encodings, headers, every kind of bad row, all-or-nothing, re-import and limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { CATALOG_HEADER, catalogCsv, gb18030, warehousesCsv } from '../support/csv.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const countCategories = async () => Number((await app.sql('SELECT count(*) AS n FROM categories'))[0].n);

describe('catalog import', () => {
  it('imports a good file and serves the categories in the documented shape', async () => {
    const reply = await app.request('POST', '/imports/catalog', { raw: catalogCsv(10) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ kind: 'catalog', rows: 10, inserted: 10, updated: 0, unchanged: 0, dryRun: false, encoding: 'utf-8' });
    const tent = await app.request('GET', '/categories/T-00001');
    expect(tent.body).toEqual({ code: 'T-00001', name: '帐篷 1型', classPath: ['生活保障物资', '帐篷'], unit: '顶', scale: 0, lotTracked: false, spec: '12平方米' });
    const rice = await app.request('GET', '/categories/R-00002');
    expect(rice.body).toMatchObject({ unit: 't', scale: 3, lotTracked: true, spec: null });
  });

  it('re-importing the same file reports everything unchanged; a changed row is updated', async () => {
    const again = await app.request('POST', '/imports/catalog', { raw: catalogCsv(10) });
    expect(again.body).toMatchObject({ rows: 10, inserted: 0, updated: 0, unchanged: 10 });
    const changed = catalogCsv(10).replace('帐篷 1型', '帐篷 1型(加厚)');
    const reply = await app.request('POST', '/imports/catalog', { raw: changed });
    expect(reply.body).toMatchObject({ inserted: 0, updated: 1, unchanged: 9 });
    expect((await app.request('GET', '/categories/T-00001')).body.name).toBe('帐篷 1型(加厚)');
  });

  it('accepts GB18030 (Excel on Chinese Windows), BOM, CRLF and English headers', async () => {
    const gbk = gb18030(`${CATALOG_HEADER}\nGB-001,棉被 2.0×2.3m,生活保障物资,被褥,床,0,否,\n`);
    const reply = await app.request('POST', '/imports/catalog', { raw: gbk });
    expect(reply.status).toBe(200);
    expect(reply.body.encoding).toBe('gb18030');
    expect((await app.request('GET', '/categories/GB-001')).body.name).toBe('棉被 2.0×2.3m');

    const bomCrlf = '\uFEFF' + 'code,name,majorClass,minorClass,unit,scale,lotTracked\r\nBOM-1,雨靴 42码,生活保障物资,鞋帽,双,0,no\r\n';
    const second = await app.request('POST', '/imports/catalog', { raw: bomCrlf });
    expect(second.status).toBe(200);
    expect((await app.request('GET', '/categories/BOM-1')).body).toMatchObject({ name: '雨靴 42码', unit: '双', lotTracked: false });
  });

  it('lists every bad row with line, column, value and reason, and writes nothing', async () => {
    const before = await countCategories();
    const csv = [
      CATALOG_HEADER,
      'OK-1,合格的行,生活保障物资,帐篷,顶,0,否,',
      'bad code,名称,生活保障物资,帐篷,顶,0,否,', // line 3: code pattern
      'OK-2,,生活保障物资,帐篷,顶,0,否,', // line 4: name required
      'OK-3,帐篷,生活保障物资,帐篷,顶,1,否,', // line 5: piece unit with decimals
      'OK-4,大米,生活保障物资,食品,t,4,是,', // line 6: scale out of range
      'OK-5,大米,生活保障物资,食品,t,3,也许,', // line 7: flag
      'OK-6,未知,生活保障物资,食品,斤斤,0,否,', // line 8: unknown unit
      'OK-1,重复,生活保障物资,帐篷,顶,0,否,', // line 9: duplicate code
    ].join('\n');
    const reply = await app.request('POST', '/imports/catalog', { raw: csv });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('IMPORT_REJECTED');
    const problems = reply.body.error.details as { line: number; field: string; value: string; reason: string }[];
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, '编码'], [4, '名称'], [5, '计量单位'], [6, '数量精度'], [7, '批次管理'], [8, '计量单位'], [9, '编码'],
    ]);
    expect(problems[0]).toMatchObject({ value: 'bad code' });
    expect(problems[6]!.reason).toBe('duplicate of line 2');
    expect(await countCategories()).toBe(before);
  });

  it('a 2,000-row file with one bad row imports nothing', async () => {
    const before = await countCategories();
    const lines = catalogCsv(2000).split('\n');
    lines[1501] = lines[1501]!.replace(',顶,0,', ',顶,x,');
    expect(lines[1501]).toContain(',顶,x,');
    const reply = await app.request('POST', '/imports/catalog', { raw: lines.join('\n') });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ line: 1502, field: '数量精度', value: 'x' })]);
    expect(await countCategories()).toBe(before);
  });

  it('a bad row only the service refuses (PostgreSQL would store it) still writes and changes nothing', async () => {
    // The merge may already have run beside the row checks; it must not survive their refusal.
    const before = await countCategories();
    const nameBefore = await app.sql("SELECT name FROM categories WHERE code = 'T-00001'");
    const lines = catalogCsv(2000).split('\n');
    lines[1] = lines[1]!.replace('帐篷 1型', '帐篷 1型 改名');
    lines[1501] = lines[1501]!.replace(',顶,0,', ',斤斤,0,');
    lines[1801] = lines[1801]!.replace(',否,', ',也许,');
    const reply = await app.request('POST', '/imports/catalog', { raw: lines.join('\n') });
    expect(reply.status).toBe(422);
    expect((reply.body.error.details as { line: number; field: string }[]).map((p) => [p.line, p.field])).toEqual([[1502, '计量单位'], [1802, '批次管理']]);
    expect(await countCategories()).toBe(before);
    expect(await app.sql("SELECT name FROM categories WHERE code = 'T-00001'")).toEqual(nameBefore);
  });

  it('names the real line of a bad row after blank lines and quoted multi-line cells', async () => {
    const csv = `${CATALOG_HEADER}\nML-1,多行规格,生活保障物资,帐篷,顶,0,否,"第一行\n第二行"\n\nML-2,坏行,生活保障物资,帐篷,顶,0,不知道,\n`;
    const reply = await app.request('POST', '/imports/catalog', { raw: csv });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ line: 5, field: '批次管理' })]);
  });

  it('a dry run validates and counts exactly but writes nothing', async () => {
    const before = await countCategories();
    const reply = await app.request('POST', '/imports/catalog?dryRun=true', { raw: catalogCsv(20) });
    expect(reply.body).toMatchObject({ dryRun: true, rows: 20, inserted: 10, unchanged: 9, updated: 1 });
    expect(await countCategories()).toBe(before);
  });

  it('refuses a header with unknown or missing columns', async () => {
    const reply = await app.request('POST', '/imports/catalog', { raw: '编码,名称,颜色\nA-1,x,红\n' });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('BAD_HEADER');
    const fields = reply.body.error.details.map((p: { field: string }) => p.field);
    expect(fields).toContain('颜色');
    expect(fields).toContain('大类');
  });

  it('refuses bytes that are not text, an empty file, and files over the size or row limits', async () => {
    const binary = await app.request('POST', '/imports/catalog', { raw: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x30, 0xff]) });
    expect(binary.status).toBe(400);
    const empty = await app.request('POST', '/imports/catalog', { raw: '' });
    expect(empty.status).toBe(422);

    const small = await startTestApp({ limits: { importBytes: 2048, importRows: 5, jsonBytes: 1024 } });
    try {
      const big = await small.request('POST', '/imports/catalog', { raw: catalogCsv(200) });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('TOO_LARGE');
      const many = await small.request('POST', '/imports/catalog', { raw: catalogCsv(6) });
      expect(many.status).toBe(413);
      expect(many.body.error.message).toContain('more than 5 rows');
    } finally {
      await small.close();
    }
  });
});

describe('warehouse import', () => {
  it('imports warehouses with Chinese level names and serves them', async () => {
    const reply = await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
    expect(reply.body).toMatchObject({ rows: 3, inserted: 3 });
    const wh = await app.request('GET', '/warehouses/WH-CITY-01');
    expect(wh.body).toEqual({ code: 'WH-CITY-01', name: '市级应急物资储备库', level: 'CITY', district: '李沧区', address: '李沧区九水东路100号', lat: '36.160000', lon: '120.430000', active: true });
    expect((await app.request('GET', '/warehouses/WH-AG-01')).body).toMatchObject({ level: 'AGREEMENT', active: false });
    const list = await app.request('GET', '/warehouses?q=市南&limit=10');
    expect(list.body).toMatchObject({ total: 1, items: [expect.objectContaining({ code: 'WH-SN-01' })] });
  });

  it('reports bad coordinates and levels by line and column', async () => {
    const csv = 'code,name,level,district,address,lat,lon\nWH-X,某库,PROVINCE,市南区,某路,91,120.1\nWH-Y,某库,CITY,市南区,某路,36.1234567,120.1\n';
    const reply = await app.request('POST', '/imports/warehouses', { raw: csv });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details.map((p: { line: number; field: string }) => `${p.line}:${p.field}`)).toEqual(['2:level', '2:lat', '3:lat']);
  });
});

describe('catalog search', () => {
  it('searches by code, name and class with pagination and a total', async () => {
    const page = await app.request('GET', '/categories?q=大米&limit=3&offset=0');
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(3);
    expect(page.body.total).toBeGreaterThan(3);
    const byClass = await app.request('GET', '/categories?q=被褥');
    expect(byClass.body.items.map((c: { code: string }) => c.code)).toEqual(['GB-001']);
    const wildcard = await app.request('GET', '/categories?q=%25');
    expect(wildcard.body.total).toBe(0);
    const unknown = await app.request('GET', '/categories/NOPE-1');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });
});
