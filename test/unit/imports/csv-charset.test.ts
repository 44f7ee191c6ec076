// Proves how the charset of an uploaded CSV is decided: declared, implied by a BOM or pure ASCII, read from the only valid decoding or a header naming known columns, and otherwise refused as ambiguous.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetNamed, decodeCsvBytes } from '../../../src/imports/csv-charset.js';
import { MalformedError } from '../../../src/shared/errors.js';

const headers = ['编码', 'code', '名称', 'name'];
// 专业伞 in GBK (d7a8 d2b5 c9a1) is also valid UTF-8.
const ambiguousGbk = iconv.encode('code,name\nU-1,专业伞\n', 'gbk');

describe('charsetNamed', () => {
  it('maps the accepted names and refuses others', () => {
    expect(charsetNamed(undefined)).toBeUndefined();
    expect(charsetNamed('UTF8')).toBe('utf-8');
    expect(['gbk', 'GB2312', '"gb18030"'].map(charsetNamed)).toEqual(['gb18030', 'gb18030', 'gb18030']);
    expect(() => charsetNamed('big5')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_CHARSET' }));
  });
});

describe('decodeCsvBytes', () => {
  it('reads pure ASCII and UTF-8 with a BOM as UTF-8 without asking', () => {
    expect(decodeCsvBytes(Buffer.from('code,name\nA,b\n'), { headers })).toEqual({ text: 'code,name\nA,b\n', encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('code,name\nU-1,רҵɡ\n')]);
    expect(decodeCsvBytes(bom, { headers }).encoding).toBe('utf-8');
  });

  it('refuses bytes valid in both encodings when the header does not settle it, showing both readings', () => {
    try {
      decodeCsvBytes(ambiguousGbk, { headers });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'AMBIGUOUS_CHARSET', problems: [{ line: 2, value: { 'utf-8': 'U-1,רҵɡ', gb18030: 'U-1,专业伞' } }] });
    }
  });

  it('obeys a declared charset', () => {
    expect(decodeCsvBytes(ambiguousGbk, { headers, charset: 'gbk' })).toEqual({ text: 'code,name\nU-1,专业伞\n', encoding: 'gb18030' });
    expect(decodeCsvBytes(ambiguousGbk, { headers, charset: 'utf-8' }).text).toContain('רҵɡ');
    expect(() => decodeCsvBytes(iconv.encode('名称\n', 'gbk'), { charset: 'utf-8' })).toThrow(MalformedError);
    expect(() => decodeCsvBytes(Buffer.from('\uFEFFcode\n'), { charset: 'gbk' })).toThrow(expect.objectContaining({ code: 'CHARSET_MISMATCH' }));
  });

  it('takes the reading whose header names known columns', () => {
    const utf8 = Buffer.from('编码,名称\nA,帐篷\n'); // every non-ASCII run is even: valid GB18030 too
    expect(new TextDecoder('gb18030', { fatal: true }).decode(utf8)).not.toContain('编码');
    expect(decodeCsvBytes(utf8, { headers }).encoding).toBe('utf-8');
  });

  it('refuses UTF-16', () => {
    expect(() => decodeCsvBytes(Buffer.from([0xff, 0xfe, 0x63, 0x00]))).toThrow(/UTF-16/);
  });
});
