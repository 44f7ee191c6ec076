// Shared test data for the stock unit tests: a few categories covering each scale and lot rule.
import { Decimal } from '../../../src/shared/decimal.js';
import { ValidationError, type FieldProblem } from '../../../src/shared/errors.js';
import type { CategoryRule, CategoryRules } from './core.js';

export const d = (text: string | number): Decimal => new Decimal(text);

export const TENT: CategoryRule = { code: 'TENT', scale: 0, lotTracked: false };
export const RICE_T: CategoryRule = { code: 'RICE_T', scale: 3, lotTracked: false };
export const WATER: CategoryRule = { code: 'WATER', scale: 0, lotTracked: true };
export const FUEL_L: CategoryRule = { code: 'FUEL_L', scale: 1, lotTracked: false };

export const CATEGORIES: CategoryRules = new Map([TENT, RICE_T, WATER, FUEL_L].map((c) => [c.code, c]));

/** Runs `action`, expecting a ValidationError, and returns its problems. */
export function problemsOf(action: () => unknown): FieldProblem[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

export const fieldsOf = (problems: FieldProblem[]): (string | undefined)[] => problems.map((p) => p.field);
