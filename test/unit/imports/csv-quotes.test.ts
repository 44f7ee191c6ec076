// Proves the quote rules: a quote inside an unquoted cell is literal, and the three ambiguous uses of quotes are found with their position.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { findQuoteProblem, lineAt } from '../../../src/imports/csv-quotes.js';

describe('findQuoteProblem', () => {
  it.each([
    'a,DN65 2.5" 20m,b\n',
    'a,"quoted, with ""escaped"" quotes",b\n',
    'a,"two\r\nlines",b\r\nc,d,e\r\n',
    'ab"c,d"e,"f"\n',
    '"",x\n"y"',
    '\uFEFF"bom",x\n',
  ])('accepts %j', (text) => {
    expect(findQuoteProblem(text)).toBeNull();
  });

  it.each([
    ['a,"12" pipe,b\n', 2, '"12" pipe', /closing quote/],
    ['a,"x" ,b\n', 2, '"x" ', /closing quote/],
    ['a,b\nc, "d, e",f\n', 7, ' "d', /spaces before an opening quote/],
    ['a,b\n\t"c"\n', 5, '\t"c"', /spaces before an opening quote/],
    ['a,b\nc,"open\nnext,line\n', 6, '"open', /never closed/],
    ['a,"x""y"z\n', 2, '"x""y"z', /closing quote/],
  ])('refuses %j', (text, at, value, reason) => {
    expect(findQuoteProblem(text)).toEqual({ at, value, reason: expect.stringMatching(reason) });
  });

  it('agrees with csv-parse relax_quotes on what it accepts', () => {
    expect(parse('a,DN65 2.5" 20m,ab"c\n', { relax_quotes: true })).toEqual([['a', 'DN65 2.5" 20m', 'ab"c']]);
  });
});

describe('lineAt', () => {
  it('counts LF and CRLF as one line end, and lone CR only in a file without LF', () => {
    expect(lineAt('a\r\nb\r\nc', 6)).toBe(3);
    expect(lineAt('a\nb\rc\nd', 6)).toBe(3);
    expect(lineAt('a\rb\rc', 4)).toBe(3);
  });
});
