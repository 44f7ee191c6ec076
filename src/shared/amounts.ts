import { Decimal } from './decimal.js';

/** Money is yuan with two decimals (fen). */
export const MONEY_SCALE = 2;
/** Quantities carry at most three decimals (kg, t, L, m³). */
export const MAX_QUANTITY_SCALE = 3;
/** The largest quantity a numeric(15,3) column holds. */
export const QUANTITY_MAX = new Decimal('999999999999.999');

/**
 * The one canonical way a decimal is written, in JSON and in CSV alike: digits, optionally a decimal
 * point and more digits. No spaces, no plus sign, no leading zeros ("0.5" is fine, "00001" is not),
 * no exponent, no thousands separators. A minus sign only where the field allows negatives.
 * One text, one value: what a client sent is exactly what is stored and echoed back.
 */
const CANONICAL_DECIMAL = /^-?(0|[1-9]\d{0,19})(\.\d{1,20})?$/;

/** What a refused quantity or amount should have looked like, for error messages. */
export const QUANTITY_FORM = 'expected a quantity like "12.5" (digits, optional decimal point, up to 3 decimals)';
export const MONEY_FORM = 'expected an amount in yuan like "45200.00" (digits, a decimal point and two decimals)';
export const UNIT_COST_FORM = 'expected a unit cost in yuan like "45.5" (digits, optional decimal point, up to 2 decimals)';

export interface DecimalFormOptions {
  /** Whether a leading minus sign is allowed (coordinates); quantities and money never are. */
  readonly negative?: boolean;
}

/** True when the text is a decimal written the canonical way (see CANONICAL_DECIMAL). */
export function isCanonicalDecimal(text: unknown, options: DecimalFormOptions = {}): text is string {
  if (typeof text !== 'string' || !CANONICAL_DECIMAL.test(text)) return false;
  if (!text.startsWith('-')) return true;
  // "-0" and "-0.00" are zero written two ways: refused so that one value has one text.
  return options.negative === true && /[1-9]/.test(text);
}

/** Money as the API takes it: the canonical form with exactly two decimals (fen), never negative. */
export function moneyPattern(maxIntegerDigits: number): RegExp {
  return new RegExp(`^(0|[1-9]\\d{0,${maxIntegerDigits - 1}})\\.\\d{2}$`);
}

/**
 * Parse a decimal written by a person or a JSON client. Numbers are refused on purpose:
 * a JSON number has already passed through a binary float by the time we see it.
 * Returns null when the text is not canonical (see CANONICAL_DECIMAL). Negatives are parsed
 * (a range check then names the field); use `isCanonicalDecimal` to refuse the sign as a form error.
 */
export function parseDecimal(text: unknown): Decimal | null {
  if (!isCanonicalDecimal(text, { negative: true })) return null;
  return new Decimal(text);
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
