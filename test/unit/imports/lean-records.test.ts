// Proves that the lean CSV splitter reads every file it accepts exactly as csv-parse does with the import's
// options (quoted cells, doubled quotes, quotes inside text, quoted line ends, BOM, empty cells and lines,
// LF and CRLF), on fixed cases and on thousands of generated files, and leaves files with mixed line ends to csv-parse.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { leanRecords } from '../../../src/imports/csv-source.js';
import { findQuoteProblem } from '../../../src/imports/csv-quotes.js';

const viaCsvParse = (text: string) => parse(text, { bom: true, relax_column_count: true, relax_quotes: true, trim: false }) as string[][];
const viaLean = (text: string) => {
  const records = leanRecords(text);
  return records && [...records];
};

describe('leanRecords', () => {
  it.each([
    ['plain', 'a,b,c\n1,2,3\n'],
    ['no final line end', 'a,b\n1,2'],
    ['CRLF', 'a,b\r\n1,2\r\n'],
    ['BOM', '\ufeffa,b\n1,2\n'],
    ['quoted comma', 'a,b\n"x, y",2\n'],
    ['doubled quotes', 'a,b\n"say ""hi""",2\n"""",3\n'],
    ['empty quoted cell', 'a,b\n"",2\n1,""\n'],
    ['quote inside text', 'a,b\nDN65 2.5" 20m,x"y"\n'],
    ['quoted line ends', 'a,b\n"two\nlines",2\n'],
    ['quoted CRLF in a CRLF file', 'a,b\r\n"two\r\nlines",2\r\n'],
    ['blank lines and empty cells', 'a,b\n\n,\n1,\n\n'],
    ['trailing comma', 'a,b,\n1,2,\n'],
    ['Chinese text and spaces', '编码,名称\n BX-1 ,帐篷 \n'],
    ['quoted last cell at the end', 'a,b\n1,"x"'],
  ])('%s', (_name, text) => {
    expect(findQuoteProblem(text)).toBeNull();
    expect(viaLean(text)).toEqual(viaCsvParse(text));
  });

  it('leaves files with mixed or lone CR line ends to csv-parse', () => {
    expect(leanRecords('a,b\r\n1,2\n')).toBeNull();
    expect(leanRecords('a,b\r1,2\r')).toBeNull();
    expect(leanRecords('a,b\n"x\ry",2\n')).toBeNull();
  });

  it('agrees with csv-parse on generated files', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pieces = ['a', 'b', '编', ' ', ',', '"', '""', '\n', 'x"y', '1'];
    let compared = 0;
    for (let n = 0; n < 4000; n++) {
      const eol = random() < 0.5 ? '\n' : '\r\n';
      const lines: string[] = [];
      for (let l = 0, count = 1 + Math.floor(random() * 4); l < count; l++) {
        const cells: string[] = [];
        for (let c = 0, width = Math.floor(random() * 4); c < width; c++) {
          let cell = '';
          for (let k = 0, len = Math.floor(random() * 4); k < len; k++) cell += pieces[Math.floor(random() * pieces.length)]!.replace('\n', eol);
          if (random() < 0.3) cell = `"${cell.replaceAll('"', '""')}"`;
          else cell = cell.replaceAll(',', '').replaceAll(eol, '');
          cells.push(cell);
        }
        lines.push(cells.join(','));
      }
      const text = lines.join(eol) + (random() < 0.7 ? eol : '');
      if (findQuoteProblem(text) !== null) continue;
      const lean = viaLean(text);
      if (lean === null) continue;
      expect(lean, JSON.stringify(text)).toEqual(viaCsvParse(text));
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
