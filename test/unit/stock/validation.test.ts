// Proves the quantity, lot and cost rules each refuse what they should and that a document reports every bad line at once.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { MAX_DOCUMENT_LINES, receiptMovements, validateLot, validateQuantity, validateUnitCost } from './core.js';
import { CATEGORIES, FUEL_L, RICE_T, TENT, WATER, d, fieldsOf, problemsOf } from './fixtures.js';

describe('validateQuantity', () => {
  it('accepts quantities that fit the category scale', () => {
    expect(validateQuantity(TENT, d('12'), 'q')).toEqual([]);
    expect(validateQuantity(RICE_T, d('1.250'), 'q')).toEqual([]);
    expect(validateQuantity(RICE_T, d('0.001'), 'q')).toEqual([]);
    expect(validateQuantity(TENT, d('999999999999'), 'q')).toEqual([]);
  });

  it('refuses 1.5 tents: tents are counted whole', () => {
    expect(validateQuantity(TENT, d('1.5'), 'lines[0].quantity')).toEqual([
      { field: 'lines[0].quantity', value: '1.5', reason: 'category TENT is counted in whole units' },
    ]);
  });

  it('refuses more decimals than the category allows', () => {
    expect(validateQuantity(RICE_T, d('1.2505'), 'q')[0]!.reason).toBe('category RICE_T is counted in at most 3 decimal places');
    expect(validateQuantity(FUEL_L, d('10.25'), 'q')).toHaveLength(1);
  });

  it.each(['0', '-0', '-3'])('refuses %s', (text) => {
    expect(validateQuantity(TENT, d(text), 'q')).toEqual([{ field: 'q', value: d(text).toString(), reason: 'must be greater than zero' }]);
  });

  it('refuses more than twelve integer digits', () => {
    expect(validateQuantity(TENT, d('1000000000000'), 'q')[0]!.reason).toBe('must have at most 12 integer digits');
  });

  it('refuses NaN and infinity', () => {
    expect(validateQuantity(TENT, new Decimal(NaN), 'q')[0]!.reason).toBe('must be a decimal number');
    expect(validateQuantity(TENT, new Decimal(Infinity), 'q')[0]!.reason).toBe('must be a decimal number');
  });

  it('reports every rule a quantity breaks', () => {
    expect(validateQuantity(TENT, d('-1.5'), 'q').map((p) => p.reason)).toEqual(['must be greater than zero', 'category TENT is counted in whole units']);
  });

  it('allows zero but not negatives when asked', () => {
    expect(validateQuantity(TENT, d('0'), 'q', { allowZero: true })).toEqual([]);
    expect(validateQuantity(TENT, d('-1'), 'q', { allowZero: true })[0]!.reason).toBe('must not be negative');
  });
});

describe('validateLot', () => {
  it('requires lot and expiry for a lot-tracked category on receipt', () => {
    expect(fieldsOf(validateLot(WATER, null, null, 'lines[2]', { requireExpiry: true }))).toEqual(['lines[2].lot', 'lines[2].expiresOn']);
  });

  it('requires the lot but not the expiry when stock leaves', () => {
    expect(fieldsOf(validateLot(WATER, undefined, undefined, 'l', { requireExpiry: false }))).toEqual(['l.lot']);
    expect(validateLot(WATER, 'B-1', null, 'l', { requireExpiry: false })).toEqual([]);
  });

  it('refuses a lot or expiry on an untracked category', () => {
    expect(fieldsOf(validateLot(TENT, 'B-1', '2030-01-01', 'l', { requireExpiry: true }))).toEqual(['l.lot', 'l.expiresOn']);
  });

  it('refuses malformed lots and dates', () => {
    expect(fieldsOf(validateLot(WATER, ' B-1', '2030-02-30', 'l', { requireExpiry: true }))).toEqual(['l.lot', 'l.expiresOn']);
    expect(fieldsOf(validateLot(WATER, 'x'.repeat(65), '2030-02-28', 'l', { requireExpiry: true }))).toEqual(['l.lot']);
  });
});

describe('validateUnitCost', () => {
  it('takes null, zero and fen-exact yuan', () => {
    expect([null, d('0'), d('35.50')].flatMap((cost) => validateUnitCost(cost, 'c'))).toEqual([]);
  });

  it.each(['-1', '1.005', '1000000000000'])('refuses %s', (text) => {
    expect(validateUnitCost(d(text), 'c')).toHaveLength(1);
  });
});

describe('a document collects every problem of every line', () => {
  it('names each bad line by index', () => {
    const problems = problemsOf(() =>
      receiptMovements(
        {
          warehouse: 'WH-CITY-01',
          source: { kind: 'SUPPLIER', name: '某帐篷厂' },
          lines: [
            { category: 'TENT', quantity: d('10') },
            { category: 'TENT', quantity: d('1.5') },
            { category: 'WATER', quantity: d('100') },
            { category: 'TENT', quantity: d('0'), lot: 'B-1' },
            { category: 'NOPE', quantity: d('1') },
            { category: 'RICE_T', quantity: d('2.5'), unitCost: d('-1') },
          ],
        },
        CATEGORIES,
      ),
    );
    expect(fieldsOf(problems)).toEqual([
      'lines[1].quantity',
      'lines[2].lot',
      'lines[2].expiresOn',
      'lines[3].quantity',
      'lines[3].lot',
      'lines[4].category',
      'lines[5].unitCost',
    ]);
  });

  it('refuses an empty document and an oversized one', () => {
    const request = { warehouse: 'WH-1', source: { kind: 'DONOR' as const, name: 'D' }, lines: [] };
    expect(problemsOf(() => receiptMovements(request, CATEGORIES))).toEqual([{ field: 'lines', value: 0, reason: 'at least one line is required' }]);
    const many = Array.from({ length: MAX_DOCUMENT_LINES + 1 }, () => ({ category: 'TENT', quantity: d('1') }));
    expect(fieldsOf(problemsOf(() => receiptMovements({ ...request, lines: many }, CATEGORIES)))).toEqual(['lines']);
  });
});
