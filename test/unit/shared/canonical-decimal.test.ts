// Proves the one canonical form of a decimal shared by JSON and CSV: digits with an optional fraction, no spaces, plus sign, leading zeros or exponent, a minus sign only where allowed; and money with exactly two decimals.
import { describe, expect, it } from 'vitest';
import { isCanonicalDecimal, moneyPattern, parseDecimal } from '../../../src/shared/amounts.js';

const CANONICAL = ['0', '1', '12', '12.5', '12.500', '0.5', '0.001', '45200.00', '99999999999999999999.99999999999999999999'];
const NOT_CANONICAL = [' 1', '1 ', '\t1', '+1', '00001', '00', '01.5', '1e3', '1E-2', '1.', '.5', '1,000', '1_000', '0x10', 'Infinity', 'NaN', '１２', '', '-', '--1', '1-', '1.2.3', '123456789012345678901'];

describe('canonical decimals', () => {
  it('accepts digits with an optional fraction, and keeps the scale as written', () => {
    for (const text of CANONICAL) {
      expect(isCanonicalDecimal(text), text).toBe(true);
      expect(parseDecimal(text)!.toFixed(text.split('.')[1]?.length ?? 0)).toBe(text);
    }
  });

  it('refuses spaces, signs, leading zeros, exponents, separators and non-strings', () => {
    for (const text of NOT_CANONICAL) {
      expect(isCanonicalDecimal(text), JSON.stringify(text)).toBe(false);
      expect(parseDecimal(text), JSON.stringify(text)).toBeNull();
    }
    for (const value of [12.5, 1, null, undefined, {}, ['1']]) expect(isCanonicalDecimal(value)).toBe(false);
  });

  it('takes a minus sign only where negatives are allowed, and never on zero', () => {
    expect(isCanonicalDecimal('-1')).toBe(false);
    expect(isCanonicalDecimal('-36.0669', { negative: true })).toBe(true);
    for (const zero of ['-0', '-0.00']) expect(isCanonicalDecimal(zero, { negative: true })).toBe(false);
    expect(parseDecimal('-120.4')!.toString()).toBe('-120.4');
  });

  it('money is canonical with exactly two decimals, within its integer digits', () => {
    const money = moneyPattern(12);
    for (const ok of ['0.00', '0.50', '1200.00', '999999999999.99']) expect(money.test(ok), ok).toBe(true);
    for (const bad of ['00.50', '01200.00', '1200', '1200.0', '1200.000', '+1.00', '-1.00', ' 1.00', '1000000000000.00']) expect(money.test(bad), bad).toBe(false);
  });
});
