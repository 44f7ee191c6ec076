// Proves the edge check for text PostgreSQL cannot store: NUL and unpaired UTF-16 surrogates anywhere in a parsed value (keys included) are found and named by their JSON path, and paired surrogates pass.
import { describe, expect, it } from 'vitest';
import { refuseUnstorableText, textProblem, unstorableStrings } from '../../../src/http/input-text.js';
import { ValidationError } from '../../../src/shared/errors.js';

describe('textProblem', () => {
  it('finds NUL and lone surrogates, high or low, at any position', () => {
    for (const text of ['\u0000', 'a\u0000', '\ud800', 'x\ud800y', '\udfff', '\ud800\ud800', '\ude00\ud83d', '😀\ud83d']) expect(textProblem(text), JSON.stringify(text)).not.toBeNull();
    expect(textProblem('\u0000')).toBe('must not contain the NUL character (\\u0000)');
    expect(textProblem('a\udc00')).toBe('must be valid Unicode text: contains a lone surrogate \\udc00');
  });

  it('passes ordinary text, including characters outside the BMP as pairs', () => {
    for (const text of ['', '张三', '😀', '\ud83d\ude00', '𠀀 CJK Ext B', '\u0001 control', '\ufffd']) expect(textProblem(text), JSON.stringify(text)).toBeNull();
  });
});

describe('unstorableStrings', () => {
  it('names each bad string by its path, and bad keys with the bad character escaped', () => {
    const value = { a: 'ok', b: { c: ['ok', 'x\u0000'] }, lines: [{ lot: '\ud800' }], ['k\u0000']: 1, n: 1, t: true, z: null };
    expect(unstorableStrings(value).map((problem) => problem.field)).toEqual(['b.c[1]', 'lines[0].lot', 'k\\u0000']);
    expect(unstorableStrings('\u0000')).toEqual([{ field: '(body)', reason: expect.stringContaining('NUL') }]);
  });

  it('stops at a bounded number of problems and a bounded depth', () => {
    expect(unstorableStrings(Array(100).fill('\u0000'))).toHaveLength(20);
    let deep: unknown = 'fine';
    for (let level = 0; level < 100; level++) deep = [deep];
    expect(unstorableStrings(deep)).toEqual([expect.objectContaining({ reason: 'nested deeper than 64 levels' })]);
  });

  it('throws one ValidationError with every problem', () => {
    expect(() => refuseUnstorableText('query', { q: 'ok' })).not.toThrow();
    try {
      refuseUnstorableText('query', { q: '\u0000', r: ['\ud800'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.field)).toEqual(['q', 'r[0]']);
    }
  });
});
