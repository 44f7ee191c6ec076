// Proves the money and quantity helpers: strict parsing (no floats, no exponents), scale checks, half-up and round-down to the fen, and calendar arithmetic.
import { describe, expect, it } from 'vitest';
import { Decimal, addDays, addYears, daysBetween, fitsScale, formatMoney, isValidDate, parseDecimal, roundMoney, roundMoneyDown, sum, todayInCity } from '../../../src/shared/index.js';

describe('parseDecimal', () => {
  it('accepts plain decimal strings only', () => {
    expect(parseDecimal('12.50')?.toFixed(2)).toBe('12.50');
    expect(parseDecimal('-3')?.toString()).toBe('-3');
    for (const bad of [12.5, '1e3', '1,000', '', '.5', '5.', 'abc', null, ' -3 ']) expect(parseDecimal(bad)).toBeNull();
  });
});

describe('money', () => {
  it('keeps precision far beyond 20 digits and rounds half up to the fen', () => {
    expect(sum([new Decimal('99999999999999999.99'), new Decimal('0.01')]).toFixed(2)).toBe('100000000000000000.00');
    expect(formatMoney(new Decimal('0.005'))).toBe('0.01');
    expect(roundMoney(new Decimal('2.345')).toFixed(2)).toBe('2.35');
    expect(roundMoneyDown(new Decimal('2.349')).toFixed(2)).toBe('2.34');
    expect(new Decimal('0.1').plus('0.2').eq('0.3')).toBe(true);
  });

  it('checks quantity scale', () => {
    expect(fitsScale(new Decimal('1.5'), 0)).toBe(false);
    expect(fitsScale(new Decimal('1.250'), 2)).toBe(true);
  });
});

describe('dates', () => {
  it('validates calendar days and does day and year arithmetic', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2023-02-29')).toBe(false);
    expect(isValidDate('2024-2-1')).toBe(false);
    expect(addDays('2020-07-31', 30)).toBe('2020-08-30');
    expect(daysBetween('2020-07-31', '2020-08-30')).toBe(30);
    expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(todayInCity(new Date('2026-11-28T17:00:00Z'))).toBe('2026-11-29');
    // The day is kept per minute: both sides of the city's midnight, and back, are told apart.
    expect(todayInCity(new Date('2026-11-28T15:59:59.999Z'))).toBe('2026-11-28');
    expect(todayInCity(new Date('2026-11-28T16:00:00.000Z'))).toBe('2026-11-29');
    expect(todayInCity(new Date('2026-11-28T15:59:30.000Z'))).toBe('2026-11-28');
    expect(todayInCity(new Date('2026-11-28T15:59:00.000Z'))).toBe('2026-11-28');
  });
});
