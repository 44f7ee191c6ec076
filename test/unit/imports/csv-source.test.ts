// Proves the CSV front door: encoding detection, header mapping in Chinese and English, chunking that never splits a character, and size limits.
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { chunksOf, decodeCsvBytes, mapHeader, readCsvRecords, readLimited, recordLines } from '../../../src/imports/csv-source.js';
import { MalformedError, TooLargeError, ValidationError } from '../../../src/shared/errors.js';

const columns = [
  { key: 'code', headers: ['编码', 'code'], required: true },
  { key: 'name', headers: ['名称', 'name'], required: true },
  { key: 'spec', headers: ['规格型号', 'spec'], required: false },
] as const;

describe('decodeCsvBytes', () => {
  it('reads UTF-8 with and without BOM and GB18030', () => {
    expect(decodeCsvBytes(Buffer.from('编码\n', 'utf8'), { headers: ['编码'] })).toEqual({ text: '编码\n', encoding: 'utf-8' });
    expect(decodeCsvBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('帐篷')]))).toEqual({ text: '帐篷', encoding: 'utf-8' });
    expect(decodeCsvBytes(iconv.encode('棉被,雨靴', 'gb18030'))).toEqual({ text: '棉被,雨靴', encoding: 'gb18030' });
  });

  it('refuses bytes that are neither', () => {
    expect(() => decodeCsvBytes(Buffer.from([0x81, 0x30, 0xff, 0xff]))).toThrow(MalformedError);
  });
});

describe('mapHeader', () => {
  it('maps Chinese and English names, trimmed and case-insensitive', () => {
    expect(mapHeader([' 编码 ', 'NAME', ''], columns)).toEqual(['code', 'name', null]);
  });

  it('reports every unknown, repeated and missing column at once', () => {
    try {
      mapHeader(['编码', 'code', '颜色'], columns);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const reasons = (error as ValidationError).problems.map((p) => `${p.field}: ${p.reason.split(' (')[0]}`);
      expect(reasons).toEqual(['code: column appears twice', '颜色: unknown column', '名称: required column is missing']);
    }
  });
});

describe('chunksOf', () => {
  it('never cuts a surrogate pair in two', () => {
    const text = `a${'𠀀'.repeat(10)}`; // U+20000, CJK Extension B: two UTF-16 units each
    const chunks = [...chunksOf(text, 4)];
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});

describe('readCsvRecords and recordLines', () => {
  it('yields trimmed values keyed by column and resolves real lines past blank and multi-line records', async () => {
    const text = '编码,名称,规格型号\nA-1, 帐篷 ,"两\n行"\n\nA-2,棉被,\n';
    const records = [];
    for await (const record of readCsvRecords(text, columns, 10)) records.push(record);
    expect(records.map((r) => r.values)).toEqual([{ code: 'A-1', name: '帐篷', spec: '两\n行' }, { code: 'A-2', name: '棉被', spec: '' }]);
    expect(records[1]!.headerOf('name')).toBe('名称');
    expect(await recordLines(text)).toEqual({ lines: [1, 2, 5] }); // a record's line is the one it starts on
  });

  it('stops at the row limit', async () => {
    const consume = async () => {
      for await (const _ of readCsvRecords('code,name\nA,x\nB,y\nC,z\n', columns, 2)) void _;
    };
    await expect(consume()).rejects.toBeInstanceOf(TooLargeError);
  });

  it('reports broken quoting with its line', async () => {
    const consume = async () => {
      for await (const _ of readCsvRecords('code,name\nA,"open\n', columns, 10)) void _;
    };
    await expect(consume()).rejects.toMatchObject({ code: 'BAD_CSV' });
  });
});

describe('readLimited', () => {
  it('stops reading as soon as the limit is passed', async () => {
    await expect(readLimited(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toBeInstanceOf(TooLargeError);
    expect((await readLimited(Readable.from([Buffer.alloc(600)]), 1000)).length).toBe(600);
  });
});
