/** Kits (一键定制): a template of quantities per N people, scaled to the people of one order. */
import { Decimal } from '../../shared/decimal.js';
import type { FieldProblem } from '../../shared/errors.js';

export interface KitLine {
  readonly category: string;
  readonly quantity: Decimal;
}

export interface Kit {
  readonly code: string;
  readonly version: number;
  readonly name: string;
  /** The lines give quantities for this many people. */
  readonly per: number;
  readonly lines: readonly KitLine[];
}

export interface Demand {
  readonly category: string;
  readonly quantity: Decimal;
}

/**
 * quantity × people / per for each line, rounded UP to the category's scale: a kit for 150 people
 * from a template per 100 never gives 1.5 tents, and rounding down would leave people without.
 */
export function scaleKit(kit: Kit, people: number, scaleOf: (category: string) => number): Demand[] {
  return kit.lines.map((line) => ({
    category: line.category,
    quantity: line.quantity.times(people).div(kit.per).toDecimalPlaces(scaleOf(line.category), Decimal.ROUND_UP),
  }));
}

/** Lines of the same category as one demand, first appearance first (a kit plus extra lines may overlap). */
export function mergeDemands(demands: readonly Demand[]): Demand[] {
  const merged = new Map<string, Decimal>();
  for (const demand of demands) merged.set(demand.category, (merged.get(demand.category) ?? new Decimal(0)).plus(demand.quantity));
  return [...merged].map(([category, quantity]) => ({ category, quantity }));
}

/** A kit's own problems: lines present, categories once each, people per kit a whole number. */
export function kitProblems(kit: { per: number; lines: readonly KitLine[] }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(kit.per) || kit.per < 1) problems.push({ field: 'per', value: kit.per, reason: 'must be a whole number of people, at least 1' });
  if (kit.lines.length === 0) problems.push({ field: 'lines', value: 0, reason: 'a kit needs at least one line' });
  const seen = new Map<string, number>();
  kit.lines.forEach((line, index) => {
    const first = seen.get(line.category);
    if (first !== undefined) problems.push({ field: `lines[${index}].category`, value: line.category, reason: `already on lines[${first}]` });
    else seen.set(line.category, index);
    if (!line.quantity.gt(0)) problems.push({ field: `lines[${index}].quantity`, value: line.quantity.toString(), reason: 'must be greater than zero' });
  });
  return problems;
}
