import { Decimal } from '../../shared/decimal.js';
import { MAX_QUANTITY_SCALE, MONEY_SCALE, fitsScale } from '../../shared/amounts.js';
import { isValidDate } from '../../shared/dates.js';
import { type FieldProblem, ValidationError, assert } from '../../shared/errors.js';
import { nodeKeyProblem } from './nodes.js';
import type { CategoryRule, CategoryRules } from './movement.js';

/** Quantities are stored as numeric(15,3): twelve integer digits is the ceiling. */
export const MAX_QUANTITY_INTEGER_DIGITS = 12;
const QUANTITY_CEILING = new Decimal(10).pow(MAX_QUANTITY_INTEGER_DIGITS);
/** Unit costs are stored as numeric(14,2). */
const UNIT_COST_CEILING = new Decimal(10).pow(12);
/** An opening balance or a whole-warehouse document covers every category (~2,089) and its lots. */
export const MAX_DOCUMENT_LINES = 10_000;
export const LOT_MAX_LENGTH = 64;

/** A document line as a request carries it, after the HTTP or CSV edge has parsed the decimals. */
export interface LineInput {
  readonly category: string;
  readonly lot?: string | null;
  readonly expiresOn?: string | null;
  readonly quantity: Decimal;
  readonly unitCost?: Decimal | null;
}

export interface QuantityOptions {
  /** Received and damaged counts on arrival, and stocktake counts, may be zero. */
  readonly allowZero?: boolean;
}

/**
 * Problems with one quantity of one category; empty when it is acceptable. Returned rather than
 * thrown so a document can report every bad line at once instead of one per round trip.
 */
export function validateQuantity(category: CategoryRule, quantity: Decimal, field: string, options: QuantityOptions = {}): FieldProblem[] {
  assert(Number.isInteger(category.scale) && category.scale >= 0 && category.scale <= MAX_QUANTITY_SCALE, `category ${category.code} has scale ${category.scale}`);
  const value = Decimal.isDecimal(quantity) ? quantity.toString() : quantity;
  if (!Decimal.isDecimal(quantity) || !quantity.isFinite()) return [{ field, value, reason: 'must be a decimal number' }];
  const problems: FieldProblem[] = [];
  if (options.allowZero ? quantity.lt(0) : !quantity.gt(0)) {
    problems.push({ field, value, reason: options.allowZero ? 'must not be negative' : 'must be greater than zero' });
  }
  if (!fitsScale(quantity, category.scale)) {
    const unit = category.scale === 0 ? 'whole units' : `at most ${category.scale} decimal places`;
    problems.push({ field, value, reason: `category ${category.code} is counted in ${unit}` });
  }
  if (quantity.abs().gte(QUANTITY_CEILING)) {
    problems.push({ field, value, reason: `must have at most ${MAX_QUANTITY_INTEGER_DIGITS} integer digits` });
  }
  return problems;
}

export interface LotOptions {
  /** A lot comes into being on receipt and opening, so that is where its expiry date must be known. */
  readonly requireExpiry: boolean;
}

/** Lot rules: tracked categories always name a lot; untracked ones never carry a lot or expiry. */
export function validateLot(category: CategoryRule, lot: string | null | undefined, expiresOn: string | null | undefined, fieldPrefix: string, options: LotOptions): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const hasLot = lot !== null && lot !== undefined;
  const hasExpiry = expiresOn !== null && expiresOn !== undefined;
  if (!category.lotTracked) {
    if (hasLot) problems.push({ field: `${fieldPrefix}.lot`, value: lot, reason: `category ${category.code} is not kept in lots` });
    if (hasExpiry) problems.push({ field: `${fieldPrefix}.expiresOn`, value: expiresOn, reason: `category ${category.code} is not kept in lots, so it has no expiry date` });
    return problems;
  }
  if (!hasLot) problems.push({ field: `${fieldPrefix}.lot`, value: lot ?? null, reason: `category ${category.code} is kept in lots: a lot is required` });
  else if (typeof lot !== 'string' || lot.trim() !== lot || lot.length === 0 || lot.length > LOT_MAX_LENGTH) {
    problems.push({ field: `${fieldPrefix}.lot`, value: lot, reason: `must be 1 to ${LOT_MAX_LENGTH} characters without surrounding spaces` });
  }
  if (!hasExpiry && options.requireExpiry) {
    problems.push({ field: `${fieldPrefix}.expiresOn`, value: expiresOn ?? null, reason: `category ${category.code} is kept in lots: an expiry date is required` });
  } else if (hasExpiry && !isValidDate(expiresOn)) {
    problems.push({ field: `${fieldPrefix}.expiresOn`, value: expiresOn, reason: 'must be a date written YYYY-MM-DD' });
  }
  return problems;
}

export function validateUnitCost(unitCost: Decimal | null | undefined, field: string): FieldProblem[] {
  if (unitCost === null || unitCost === undefined) return [];
  const value = Decimal.isDecimal(unitCost) ? unitCost.toString() : unitCost;
  if (!Decimal.isDecimal(unitCost) || !unitCost.isFinite()) return [{ field, value, reason: 'must be a decimal number' }];
  if (unitCost.lt(0)) return [{ field, value, reason: 'must not be negative' }];
  if (!fitsScale(unitCost, MONEY_SCALE)) return [{ field, value, reason: 'must be in yuan with at most two decimals (fen)' }];
  if (unitCost.gte(UNIT_COST_CEILING)) return [{ field, value, reason: 'is too large' }];
  return [];
}

export function validateNodeKey(field: string, key: unknown): FieldProblem[] {
  const reason = nodeKeyProblem(key);
  return reason === null ? [] : [{ field, value: key, reason }];
}

/** Looks the category up, reporting an unknown code as a problem of that line. */
export function categoryOf(categories: CategoryRules, code: string, field: string, problems: FieldProblem[]): CategoryRule | undefined {
  const rule = categories.get(code);
  if (rule === undefined) problems.push({ field, value: code, reason: 'unknown supply category' });
  return rule;
}

export function validateLineCount(lines: readonly unknown[], problems: FieldProblem[], field = 'lines'): void {
  if (lines.length === 0) problems.push({ field, value: 0, reason: 'at least one line is required' });
  if (lines.length > MAX_DOCUMENT_LINES) {
    problems.push({ field, value: lines.length, reason: `at most ${MAX_DOCUMENT_LINES} lines per document` });
  }
}

/** Every problem of every line, each field named `lines[i].<field>`. */
export function validateLines(lines: readonly LineInput[], categories: CategoryRules, options: LotOptions): FieldProblem[] {
  const problems: FieldProblem[] = [];
  validateLineCount(lines, problems);
  lines.forEach((line, index) => {
    const prefix = `lines[${index}]`;
    problems.push(...validateUnitCost(line.unitCost, `${prefix}.unitCost`));
    const rule = categoryOf(categories, line.category, `${prefix}.category`, problems);
    if (rule === undefined) return;
    problems.push(...validateQuantity(rule, line.quantity, `${prefix}.quantity`));
    problems.push(...validateLot(rule, line.lot, line.expiresOn, prefix, options));
  });
  return problems;
}

export function throwIfProblems(what: string, problems: readonly FieldProblem[]): void {
  if (problems.length === 0) return;
  const noun = problems.length === 1 ? 'problem' : 'problems';
  throw new ValidationError(`${what} has ${problems.length} ${noun}`, [...problems]);
}
