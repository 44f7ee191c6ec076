// Proves that the catalog import gives the same categories whichever reader stages the file: PostgreSQL's
// CSV reader (plain files: quoted cells, padded cells, flags in any spelling, columns in any order, CRLF)
// or re-encoded rows (files only our reader takes as meant: a quote inside text, a short row, blank lines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const category = async (code: string) => (await app.request('GET', `/categories/${code}`)).body;

describe('catalog import readers', () => {
  it.each([
    ['plain', '', '\n'],
    ['CRLF', '', '\r\n'],
    ['a quote inside text (our reader only)', 'DN65 2.5" ', '\n'],
  ])('reads quoted, padded and reordered cells alike: %s', async (name, specPrefix, eol) => {
    const prefix = name.slice(0, 2).toUpperCase().replace(/[^A-Z]/g, 'Q');
    const csv = [
      '规格型号,编码,名称,大类,小类,计量单位,数量精度,批次管理',
      `"12平方米, 加厚", ${prefix}-1 ,"帐篷 ""A""型",生活保障物资,帐篷,顶,0, YES `,
      `,${prefix}-2,大米,生活保障物资,粮油,t,3,是`,
      `${specPrefix}x,${prefix}-3,手电,照明,手电,件,0,否`,
    ].join(eol) + eol;
    const reply = await app.request('POST', '/imports/catalog', { raw: csv });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ rows: 3, inserted: 3 });
    expect(await category(`${prefix}-1`)).toEqual({ code: `${prefix}-1`, name: '帐篷 "A"型', classPath: ['生活保障物资', '帐篷'], unit: '顶', scale: 0, lotTracked: true, spec: '12平方米, 加厚' });
    expect(await category(`${prefix}-2`)).toMatchObject({ unit: 't', scale: 3, lotTracked: true, spec: null });
    expect(await category(`${prefix}-3`)).toMatchObject({ lotTracked: false, spec: `${specPrefix}x`.trim() });
  });

  it('a short row and blank lines read by our reader; a bad row anywhere writes nothing', async () => {
    const good = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号\nSH-1,毛毯,生活保障物资,被褥,床,0,否\n\nSH-2,雨衣,防护,雨具,件,0,否,\n';
    expect((await app.request('POST', '/imports/catalog', { raw: good })).body).toMatchObject({ rows: 2, inserted: 2 });
    const bad = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号\nBD-1,毛毯,生活保障物资,被褥,床,0,否,\nBD-2,雨衣,防护,雨具,件,2,否,\n';
    const refused = await app.request('POST', '/imports/catalog', { raw: bad });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ line: 3, field: '计量单位', value: '件' })]);
    expect((await app.request('GET', '/categories/BD-1')).status).toBe(404);
  });
});
