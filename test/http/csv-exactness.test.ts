// Proves that CSV imports read exactly what the file says: quotes, NUL, spaces, extra cells, physical line numbers and charsets each get a 422 naming the line (or are kept as written), and a refused file writes nothing.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { CATALOG_HEADER, WAREHOUSE_HEADER, catalogCsv } from '../support/csv.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const count = async (table: 'categories' | 'warehouses' | 'import_runs') => Number((await app.sql(`SELECT count(*) AS n FROM ${table}`))[0].n);

/** Posts a file that must be refused and checks that no table changed. */
async function refused(path: string, raw: string | Buffer, headers?: Record<string, string>) {
  const before = [await count('categories'), await count('warehouses'), await count('import_runs')];
  const reply = await app.request('POST', path, { raw, headers });
  expect([await count('categories'), await count('warehouses'), await count('import_runs')]).toEqual(before);
  return reply;
}

const row = (code: string, spec = '') => `${code},帐篷,生活保障物资,帐篷,顶,0,否,${spec}`;

describe('quotes', () => {
  it('keeps a quote inside an unquoted cell as a literal character, in catalog and warehouse imports', async () => {
    const catalog = await app.request('POST', '/imports/catalog', { raw: `${CATALOG_HEADER}\n${row('Q-HOSE', 'DN65 2.5" 20m')}\n${row('Q-PIPE', '"带逗号, 和""引号"""')}\n` });
    expect(catalog.status).toBe(200);
    expect((await app.request('GET', '/categories/Q-HOSE')).body.spec).toBe('DN65 2.5" 20m');
    expect((await app.request('GET', '/categories/Q-PIPE')).body.spec).toBe('带逗号, 和"引号"');
    const warehouses = await app.request('POST', '/imports/warehouses', { raw: `${WAREHOUSE_HEADER}\nQ-WH,消防"水带"库,区级,市南区,香港中路 2" 管廊,36.1,120.3,是\n` });
    expect(warehouses.status).toBe(200);
    expect((await app.request('GET', '/warehouses/Q-WH')).body).toMatchObject({ name: '消防"水带"库', address: '香港中路 2" 管廊' });
  });

  it.each([
    ['text after a closing quote', `${row('Q-1')}\n${row('Q-2', '"12" pipe')}\n`, 3, /closing quote/],
    ['spaces before an opening quote', `${row('Q-1')}\nQ-2, "帐篷, 大",生活保障物资,帐篷,顶,0,否,\n`, 3, /spaces before an opening quote/],
    ['a quote never closed', `${row('Q-1')}\n${row('Q-2')}\n${row('Q-3', '"DN65')}\n${row('Q-4')}\n`, 4, /never closed/],
  ])('refuses %s as BAD_CSV naming the line', async (_, rows, line, reason) => {
    const catalog = await refused('/imports/catalog', `${CATALOG_HEADER}\n${rows}`);
    expect(catalog.status).toBe(422);
    expect(catalog.body.error.code).toBe('BAD_CSV');
    expect(catalog.body.error.details).toEqual([expect.objectContaining({ line, reason: expect.stringMatching(reason) })]);
  });

  it('refuses an ambiguous quote in the warehouse import too', async () => {
    const warehouses = await refused('/imports/warehouses', `${WAREHOUSE_HEADER}\nQ-W1,库,区级,市南区,路,36.1,120.3,是\nQ-W2,"库" 二,区级,市南区,路,36.1,120.3,是\n`);
    expect(warehouses.status).toBe(422);
    expect(warehouses.body.error).toMatchObject({ code: 'BAD_CSV', details: [expect.objectContaining({ line: 3, value: '"库" 二' })] });
  });

  it('names the physical line of a broken quote after a quoted cell holding CRLF', async () => {
    const crlf = `${CATALOG_HEADER}\r\n${row('Q-5', '"两行\r\n规格"')}\r\n${row('Q-6', '"12"寸')}\r\n`;
    const reply = await refused('/imports/catalog', crlf);
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'BAD_CSV', details: [expect.objectContaining({ line: 4 })] });
    expect(reply.body.error.message).toContain('line 4');
  });
});

describe('NUL characters', () => {
  it('refuses a cell holding NUL with its line and column; the rest of the file is still checked', async () => {
    const reply = await refused('/imports/catalog', `${CATALOG_HEADER}\n${row('N-1')}\nN-2,帐\u0000篷,生活保障物资,帐篷,顶,0,否,\nN-3,帐篷,生活保障物资,帐篷,顶,x,否,\n`);
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('IMPORT_REJECTED');
    expect(reply.body.error.details).toEqual([
      expect.objectContaining({ line: 3, field: '名称', value: '帐\\0篷', reason: expect.stringContaining('NUL') }),
      expect.objectContaining({ line: 4, field: '数量精度' }),
    ]);
  });

  it('refuses NUL in the header, and a UTF-16 file outright', async () => {
    const header = await refused('/imports/catalog', `编码\u0000,${CATALOG_HEADER.slice(3)}\n${row('N-4')}\n`);
    expect(header.status).toBe(422);
    expect(header.body.error).toMatchObject({ code: 'BAD_HEADER', details: expect.arrayContaining([expect.objectContaining({ line: 1, field: '(column 1)' })]) });
    const utf16 = await refused('/imports/catalog', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${CATALOG_HEADER}\n`, 'utf16le')]));
    expect(utf16.status).toBe(400);
    expect(utf16.body.error.message).toContain('UTF-16');
  });
});

describe('spaces', () => {
  it('trims only ASCII spaces and tabs: a name with full-width and no-break spaces round-trips', async () => {
    const reply = await app.request('POST', '/imports/catalog', { raw: `${CATALOG_HEADER}\n \tS-1\t ,\u3000帐篷\u3000, 生活保障物资 ,帐篷,顶,0,否,\u00a0棉\u00a0\n` });
    expect(reply.status).toBe(200);
    expect((await app.request('GET', '/categories/S-1')).body).toMatchObject({ code: 'S-1', name: '\u3000帐篷\u3000', classPath: ['生活保障物资', '帐篷'], spec: '\u00a0棉\u00a0' });
  });
});

describe('extra cells', () => {
  it('refuses a row with more cells than the header, even if they are empty, naming the line', async () => {
    const reply = await refused('/imports/catalog', `${CATALOG_HEADER}\n${row('E-1')}\n${row('E-2')}${','.repeat(100_000)}\n${row('E-3')},多余\n`);
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('IMPORT_REJECTED');
    expect(reply.body.error.details).toEqual([
      expect.objectContaining({ line: 3, field: '(column 9)', reason: expect.stringContaining('100008 cells but the header has 8') }),
      expect.objectContaining({ line: 4, field: '(column 9)', value: '多余' }),
    ]);
  });

  it('accepts fewer cells than the header (missing trailing cells are empty)', async () => {
    const reply = await app.request('POST', '/imports/catalog', { raw: `${CATALOG_HEADER}\nE-4,帐篷,生活保障物资,帐篷,顶,0,否\n` });
    expect(reply.status).toBe(200);
  });

  it('refuses extra cells in the opening stock import too', async () => {
    const reply = await app.request('POST', '/imports/opening-stock', { raw: '仓库编码,物资编码,批次号,有效期至,数量,单价\nWH-X,E-4,,,1,,,\n' });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ line: 2, field: '(column 7)' })]);
  });
});

describe('line numbers', () => {
  it('are physical lines after quoted cells with CRLF inside, and a multi-line record is named by its first line', async () => {
    const csv = [CATALOG_HEADER, row('L-1', '"第一行\r\n第二行\r\n第三行"'), '', row('L-2').replace(',0,', ',x,'), row('L-3', '"两行\r\n规格"').replace(',否,', ',也许,'), row('L-4')].join('\r\n');
    const reply = await refused('/imports/catalog', `${csv}\r\n`);
    expect(reply.status).toBe(422);
    expect(reply.body.error.details.map((p: { line: number; field: string }) => `${p.line}:${p.field}`)).toEqual(['6:数量精度', '7:批次管理']);
  });

  it('a 2,000-row file with one bad row imports nothing and names its line', async () => {
    const lines = catalogCsv(2000).split('\n');
    lines[1200] = `${lines[1200]},`;
    const reply = await refused('/imports/catalog', lines.join('\n'));
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ line: 1201, field: '(column 9)' })]);
  });
});

describe('charset', () => {
  // 专业伞 in GBK is d7a8 d2b5 c9a1: also valid UTF-8 (רҵɡ), so the bytes alone cannot tell.
  const ambiguous = iconv.encode('code,name,majorClass,minorClass,unit,scale,lotTracked\nC-GBK,专业伞,Shelter,Umbrella,kg,0,no\n', 'gbk');

  it('refuses bytes that read both as UTF-8 and as GB18030 when the header does not settle it', async () => {
    expect(isUtf8(ambiguous)).toBe(true);
    const reply = await refused('/imports/catalog', ambiguous);
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('AMBIGUOUS_CHARSET');
    expect(reply.body.error.message).toContain('charset=');
    expect(reply.body.error.details).toEqual([expect.objectContaining({ line: 2, value: { 'utf-8': 'C-GBK,רҵɡ,Shelter,Umbrella,kg,0,no', gb18030: 'C-GBK,专业伞,Shelter,Umbrella,kg,0,no' } })]);
  });

  it.each(['gbk', 'GB18030', 'gb2312', '"gbk"'])('reads the file in the declared charset=%s', async (charset) => {
    const reply = await app.request('POST', '/imports/catalog', { raw: ambiguous, headers: { 'content-type': `text/csv; charset=${charset}` } });
    expect(reply.status).toBe(200);
    expect(reply.body.encoding).toBe('gb18030');
    expect((await app.request('GET', '/categories/C-GBK')).body.name).toBe('专业伞');
  });

  it('a header that names known columns in one reading only settles it; pure ASCII needs no charset', async () => {
    // Every non-ASCII run has an even byte count, so this UTF-8 is also valid GB18030 (as mojibake).
    const utf8 = Buffer.from(`${CATALOG_HEADER}\nC-U8,帐篷,生活保障物资,帐篷,kg,0,no,\n`);
    expect(new TextDecoder('gb18030', { fatal: true }).decode(utf8)).not.toContain('帐篷');
    const chinese = await app.request('POST', '/imports/catalog', { raw: utf8 });
    expect(chinese.status).toBe(200);
    expect(chinese.body.encoding).toBe('utf-8');
    expect((await app.request('GET', '/categories/C-U8')).body.name).toBe('帐篷');
    const ascii = await app.request('POST', '/imports/catalog', { raw: 'code,name,majorClass,minorClass,unit,scale,lotTracked\nC-ASCII,Tarp,Shelter,Tarps,kg,0,no\n' });
    expect(ascii.body).toMatchObject({ encoding: 'utf-8', inserted: 1 });
  });

  it('refuses a declared charset the bytes do not match (400) and a charset it does not read (422)', async () => {
    const wrong = await refused('/imports/catalog', iconv.encode(`${CATALOG_HEADER}\n${row('C-X')}\n`, 'gbk'), { 'content-type': 'text/csv; charset=utf-8' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('declared as utf-8');
    const latin = await refused('/imports/catalog', 'code,name\n', { 'content-type': 'text/csv; charset=iso-8859-1' });
    expect(latin.status).toBe(422);
    expect(latin.body.error.code).toBe('UNSUPPORTED_CHARSET');
  });
});

describe('how many problems a reply lists', () => {
  it('lists the first 1,000 and says how many there are in all', async () => {
    const lines = catalogCsv(1200).split('\n').map((line, index) => (index > 0 && line ? line.replace(/,(0|3),/, ',x,') : line));
    const reply = await refused('/imports/catalog', lines.join('\n'));
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toHaveLength(1000);
    expect(reply.body.error.message).toContain('1200 problems on 1200 rows (the first 1000 are listed)');
  });
});
