// Proves the line rules at their exact limits (twelve integer digits, 64-character lots, 10,000 lines, fen-exact costs below 10^12) and the exact wording of each refusal and of the document error.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { ValidationError } from '../../../src/shared/errors.js';
import {
  MAX_DOCUMENT_LINES,
  categoryOf,
  throwIfProblems,
  validateLineCount,
  validateLines,
  validateLot,
  validateNodeKey,
  validateQuantity,
  validateUnitCost,
} from './core.js';
import { CATEGORIES, RICE_T, TENT, WATER, d } from './fixtures.js';

describe('validateQuantity limits', () => {
  it('takes twelve integer digits at the full scale and refuses 10^12 either side of zero', () => {
    expect(validateQuantity(RICE_T, d('999999999999.999'), 'q')).toEqual([]);
    expect(validateQuantity(TENT, d('1000000000000'), 'q', { allowZero: true })).toEqual([{ field: 'q', value: '1000000000000', reason: 'must have at most 12 integer digits' }]);
    expect(validateQuantity(TENT, d('-1000000000000'), 'q').map((p) => p.reason)).toEqual(['must be greater than zero', 'must have at most 12 integer digits']);
  });

  it('says how many decimals a category takes, and whole units for scale 0', () => {
    expect(validateQuantity({ code: 'FUEL_L', scale: 1, lotTracked: false }, d('0.25'), 'q')).toEqual([{ field: 'q', value: '0.25', reason: 'category FUEL_L is counted in at most 1 decimal places' }]);
    expect(validateQuantity(TENT, d('0.5'), 'q', { allowZero: true })).toEqual([{ field: 'q', value: '0.5', reason: 'category TENT is counted in whole units' }]);
  });

  it('refuses a value that is not a Decimal, showing what it was', () => {
    expect(validateQuantity(TENT, 5 as unknown as Decimal, 'q')).toEqual([{ field: 'q', value: 5, reason: 'must be a decimal number' }]);
    expect(validateQuantity(TENT, new Decimal(NaN), 'q')).toEqual([{ field: 'q', value: 'NaN', reason: 'must be a decimal number' }]);
  });

  it('asserts the category scale is a whole number from 0 to 3', () => {
    expect(() => validateQuantity({ code: 'BAD', scale: 4, lotTracked: false }, d('1'), 'q')).toThrow(/category BAD has scale 4/);
    expect(() => validateQuantity({ code: 'BAD', scale: -1, lotTracked: false }, d('1'), 'q')).toThrow(/scale -1/);
    expect(() => validateQuantity({ code: 'BAD', scale: 1.5, lotTracked: false }, d('1'), 'q')).toThrow(/scale 1.5/);
    expect(validateQuantity({ code: 'OK', scale: 3, lotTracked: false }, d('0.001'), 'q')).toEqual([]);
    expect(validateQuantity({ code: 'OK', scale: 0, lotTracked: false }, d('1'), 'q')).toEqual([]);
  });
});

describe('validateLot wording and limits', () => {
  it('takes a lot of exactly 64 characters and refuses 65, an empty one, or one with spaces around it', () => {
    const reason = 'must be 1 to 64 characters without surrounding spaces';
    expect(validateLot(WATER, 'x'.repeat(64), '2030-01-01', 'l', { requireExpiry: true })).toEqual([]);
    expect(validateLot(WATER, 'x'.repeat(65), '2030-01-01', 'l', { requireExpiry: true })).toEqual([{ field: 'l.lot', value: 'x'.repeat(65), reason }]);
    expect(validateLot(WATER, '', '2030-01-01', 'l', { requireExpiry: true })).toEqual([{ field: 'l.lot', value: '', reason }]);
    expect(validateLot(WATER, 'B-1 ', '2030-01-01', 'l', { requireExpiry: true })).toEqual([{ field: 'l.lot', value: 'B-1 ', reason }]);
    expect(validateLot(WATER, 7 as unknown as string, '2030-01-01', 'l', { requireExpiry: true })).toEqual([{ field: 'l.lot', value: 7, reason }]);
  });

  it('words the missing lot, the missing expiry and a bad date', () => {
    expect(validateLot(WATER, undefined, undefined, 'lines[1]', { requireExpiry: true })).toEqual([
      { field: 'lines[1].lot', value: null, reason: 'category WATER is kept in lots: a lot is required' },
      { field: 'lines[1].expiresOn', value: null, reason: 'category WATER is kept in lots: an expiry date is required' },
    ]);
    expect(validateLot(WATER, 'B-1', '2030-13-01', 'l', { requireExpiry: false })).toEqual([{ field: 'l.expiresOn', value: '2030-13-01', reason: 'must be a date written YYYY-MM-DD' }]);
    expect(validateLot(WATER, 'B-1', '2030-12-01', 'l', { requireExpiry: false })).toEqual([]);
  });

  it('words a lot or expiry on an untracked category, and accepts neither given', () => {
    expect(validateLot(TENT, 'B-1', '2030-01-01', 'l', { requireExpiry: true })).toEqual([
      { field: 'l.lot', value: 'B-1', reason: 'category TENT is not kept in lots' },
      { field: 'l.expiresOn', value: '2030-01-01', reason: 'category TENT is not kept in lots, so it has no expiry date' },
    ]);
    expect(validateLot(TENT, null, '2030-01-01', 'l', { requireExpiry: false })).toEqual([
      { field: 'l.expiresOn', value: '2030-01-01', reason: 'category TENT is not kept in lots, so it has no expiry date' },
    ]);
    expect(validateLot(TENT, undefined, null, 'l', { requireExpiry: true })).toEqual([]);
  });
});

describe('validateUnitCost wording and limits', () => {
  it('takes 999,999,999,999.99 and refuses 10^12', () => {
    expect(validateUnitCost(d('999999999999.99'), 'c')).toEqual([]);
    expect(validateUnitCost(d('1000000000000'), 'c')).toEqual([{ field: 'c', value: '1000000000000', reason: 'is too large' }]);
  });

  it('words each refusal', () => {
    expect(validateUnitCost(undefined, 'c')).toEqual([]);
    expect(validateUnitCost(d('-0.01'), 'c')).toEqual([{ field: 'c', value: '-0.01', reason: 'must not be negative' }]);
    expect(validateUnitCost(d('1.005'), 'c')).toEqual([{ field: 'c', value: '1.005', reason: 'must be in yuan with at most two decimals (fen)' }]);
    expect(validateUnitCost(new Decimal(Infinity), 'c')).toEqual([{ field: 'c', value: 'Infinity', reason: 'must be a decimal number' }]);
    expect(validateUnitCost('3' as unknown as Decimal, 'c')).toEqual([{ field: 'c', value: '3', reason: 'must be a decimal number' }]);
  });
});

describe('document-level checks', () => {
  it('takes exactly 10,000 lines and words the limit', () => {
    const problems: never[] = [];
    validateLineCount(new Array(MAX_DOCUMENT_LINES).fill(0), problems);
    expect(problems).toEqual([]);
    const over: unknown[] = [];
    validateLineCount(new Array(MAX_DOCUMENT_LINES + 1).fill(0), over as never[], 'counts');
    expect(over).toEqual([{ field: 'counts', value: 10_001, reason: 'at most 10000 lines per document' }]);
  });

  it('reports an unknown category by field and code, and a bad node key with its reason', () => {
    const problems: never[] = [];
    expect(categoryOf(CATEGORIES, 'NOPE', 'lines[0].category', problems)).toBeUndefined();
    expect(problems).toEqual([{ field: 'lines[0].category', value: 'NOPE', reason: 'unknown supply category' }]);
    expect(categoryOf(CATEGORIES, 'TENT', 'x', problems)).toBe(TENT);
    expect(validateNodeKey('warehouse', ' WH')).toEqual([{ field: 'warehouse', value: ' WH', reason: 'must not start or end with spaces' }]);
    expect(validateNodeKey('warehouse', 'WH')).toEqual([]);
  });

  it('checks each line with the lot options it is given, and unit costs before categories', () => {
    const lines = [
      { category: 'WATER', quantity: d('1'), lot: 'B-1' },
      { category: 'NOPE', quantity: d('1'), unitCost: d('0.001') },
    ];
    expect(validateLines(lines, CATEGORIES, { requireExpiry: false }).map((p) => p.field)).toEqual(['lines[1].unitCost', 'lines[1].category']);
    expect(validateLines(lines, CATEGORIES, { requireExpiry: true }).map((p) => p.field)).toEqual(['lines[0].expiresOn', 'lines[1].unitCost', 'lines[1].category']);
  });

  it('throws one ValidationError carrying every problem, counted in the message', () => {
    expect(() => throwIfProblems('receipt', [])).not.toThrow();
    const one = { field: 'a', value: 1, reason: 'r' };
    let error: unknown;
    try {
      throwIfProblems('receipt', [one]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('receipt has 1 problem');
    expect((error as ValidationError).problems).toEqual([one]);
    expect(() => throwIfProblems('stocktake', [one, one])).toThrow('stocktake has 2 problems');
  });
});
