import { Decimal } from './decimal.js';

/** Money is yuan with two decimals (fen). */
export const MONEY_SCALE = 2;
/** Quantities carry at most three decimals (kg, t, L, m³). */
export const MAX_QUANTITY_SCALE = 3;

const DECIMAL_PATTERN = /^-?\d{1,20}(\.\d{1,20})?$/;

/**
 * Parse a decimal written by a person or a JSON client. Numbers are refused on purpose:
 * a JSON number has already passed through a binary float by the time we see it.
 * Returns null when the text is not a plain decimal (no exponent, no thousands separators).
 */
export function parseDecimal(text: unknown): Decimal | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  if (!DECIMAL_PATTERN.test(trimmed)) return null;
  return new Decimal(trimmed);
}

export function fitsScale(value: Decimal, scale: number): boolean {
  return value.decimalPlaces() <= scale;
}

/** Money as the API and the database write it: always two decimals. */
export function formatMoney(value: Decimal): string {
  return value.toFixed(MONEY_SCALE, Decimal.ROUND_HALF_UP);
}

export function roundMoney(value: Decimal): Decimal {
  return value.toDecimalPlaces(MONEY_SCALE, Decimal.ROUND_HALF_UP);
}

export function roundMoneyDown(value: Decimal): Decimal {
  return value.toDecimalPlaces(MONEY_SCALE, Decimal.ROUND_DOWN);
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = new Decimal(0);
  for (const value of values) total = total.plus(value);
  return total;
}
