// Proves the console can say every refusal of the service in Chinese: each error code the service throws has a sentence, and each reason an import's cell readers give is translated.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_ZH, reasonZh } from '../../../console/src/api/problems.js';
import { Decimal, RowReader } from '../../../src/imports/fields.js';
import type { FieldProblem } from '../../../src/shared/errors.js';

/** Every source file of the service. */
function sources(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The text of the call whose opening parenthesis is at `open`, up to its matching close. */
function callText(text: string, open: number): string {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    if (text[at] === '(') depth++;
    else if (text[at] === ')' && --depth === 0) return text.slice(open, at + 1);
  }
  return text.slice(open);
}

/**
 * The error codes the service can answer with: the upper-case literals in the calls that make an
 * error (`new …Error(…)`, the `refuse(…)` helpers, `errorBody(…)`), leaving out those given as a detail's reason.
 */
function errorCodes(files = sources()): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const call of text.matchAll(/\b(?:new \w*Error|refuse|errorBody)\(/g)) {
      const args = callText(text, call.index! + call[0].length - 1);
      for (const literal of args.matchAll(/(reason:\s*)?'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})'/g)) {
        if (!literal[1]) found.set(literal[2]!, file);
      }
    }
    // codes chosen before the call: `const code = cond ? 'A' : 'B'`, `code: 'A'` in refusal tables
    for (const chosen of text.matchAll(/\bcode\b\s*(?::|=(?!=))[^;\n]*/g)) {
      for (const literal of chosen[0].matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) found.set(literal[1]!, file);
    }
  }
  return found;
}

describe('the console says every refusal of the service in Chinese', () => {
  const codes = errorCodes();

  it('finds the codes it checks (the scan itself works)', () => {
    for (const known of ['INSUFFICIENT_STOCK', 'SELF_APPROVAL', 'PERIOD_ALREADY_CLOSED', 'BENEFIT_NOT_OFFERED', 'NOT_FOUND', 'SIGN_IN_FAILED']) {
      expect(codes.has(known), known).toBe(true);
    }
    expect(codes.has('NOT_HELD'), 'a detail reason is not a code').toBe(false);
  });

  it('has a Chinese sentence for each code the service throws', () => {
    const missing = [...codes].filter(([code]) => !PROBLEM_ZH[code]).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('writes each sentence in Chinese', () => {
    const notChinese = Object.entries(PROBLEM_ZH).filter(([, words]) => !/[\u4e00-\u9fff]/.test(words));
    expect(notChinese).toEqual([]);
  });
});

describe('an import row\'s reasons are shown in Chinese', () => {
  /** Every reason the cell readers give, from the cells that provoke them. */
  function readerReasons(): string[] {
    const problems: FieldProblem[] = [];
    const row = (values: Record<string, string>) => new RowReader<string>(values, 2, problems, (key) => key);
    row({}).text('a', { required: true, max: 4 });
    row({ a: 'toolong' }).text('a', { required: true, max: 4 });
    row({}).integer('a', 0, 3);
    row({ a: '1.5' }).integer('a', 0, 3);
    row({ a: '9' }).integer('a', 0, 3);
    const bounds = { min: new Decimal(0), max: new Decimal(100), maxScale: 2 };
    row({}).decimal('a', bounds);
    row({ a: 'x' }).decimal('a', bounds);
    row({ a: '1.234' }).decimal('a', bounds);
    row({ a: '101' }).decimal('a', bounds);
    row({}).flag('a');
    row({ a: '可能' }).flag('a');
    row({}).oneOf('a', { 城市: 'CITY' });
    row({ a: 'x' }).oneOf('a', { 城市: 'CITY' });
    return problems.map((p) => p.reason);
  }

  it('translates every reason the cell readers give', () => {
    const reasons = readerReasons();
    expect(reasons).toHaveLength(13);
    expect(reasons.filter((reason) => !/[\u4e00-\u9fff]/.test(reasonZh(reason).replace(/是|否/g, '')))).toEqual([]);
  });

  it('fills in what the reason names, and leaves an unknown reason as it is', () => {
    expect(reasonZh('must be between 0 and 3')).toBe('须在 0 到 3 之间');
    expect(reasonZh('category T-00001 is kept in lots: a lot is required')).toBe('物资 T-00001 按批次管理，须填批号');
    expect(reasonZh('the moon is wrong')).toBe('the moon is wrong');
  });
});
