// Proves how records are read: ASCII-only trimming, blank records skipped, extra cells and NUL reported per record, and physical start lines through CRLF inside quoted cells.
import { describe, expect, it } from 'vitest';
import { readCsvRecords, recordLines, trimCell } from '../../../src/imports/csv-source.js';

const columns = [
  { key: 'code', headers: ['code'], required: true },
  { key: 'name', headers: ['name'], required: true },
] as const;

async function records(text: string) {
  const out = [];
  for await (const record of readCsvRecords(text, columns, 100)) out.push(record);
  return out;
}

describe('trimCell', () => {
  it('trims ASCII spaces and tabs only', () => {
    expect(trimCell(' \t帐篷\t ')).toBe('帐篷');
    expect(trimCell('\u3000帐篷\u3000')).toBe('\u3000帐篷\u3000');
    expect(trimCell('\u00a0x ')).toBe('\u00a0x');
    expect(trimCell('  ')).toBe('');
  });
});

describe('readCsvRecords', () => {
  it('skips blank lines and records of empty cells, but reports extra cells even when empty', async () => {
    const read = await records('\ncode,name\n,\n \t, \nA,x\nB,y,,\nC,z,!\n');
    expect(read.map((r) => [r.line, r.values, r.problems?.map((p) => `${p.line}:${p.field}:${p.value}`)])).toEqual([
      [2, { code: 'A', name: 'x' }, undefined],
      [3, {}, ['3:(column 3):']],
      [4, {}, ['4:(column 3):!']],
    ]);
  });

  it('reports a NUL character with the column name', async () => {
    const [record] = await records('code,name\nA,x\u0000y\n');
    expect(record!.problems).toEqual([{ line: 2, field: 'name', value: 'x\\0y', reason: expect.stringContaining('NUL') }]);
  });

  it('reports the header at its physical line after blank lines', async () => {
    await expect(records('\n\ncode,colour\n')).rejects.toMatchObject({ code: 'BAD_HEADER', problems: [expect.objectContaining({ line: 3, field: 'colour' }), expect.objectContaining({ line: 3, field: 'name' })] });
  });
});

describe('recordLines', () => {
  it('gives the line each record starts on, CRLF inside a quoted cell counting once', async () => {
    expect(await recordLines('code,name\r\nA,"x\r\ny\r\nz"\r\n\r\nB,w\r\n"C","v"\r\n')).toEqual({ lines: [1, 2, 6, 7] });
    expect(await recordLines('code,name\nA,"x\ny"\n,\nB,w')).toEqual({ lines: [1, 2, 5] });
  });
});
