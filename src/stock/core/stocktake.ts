/**
 * Stocktakes (盘点) correct the book to the count. The book is frozen in a snapshot when counting
 * starts; counting a warehouse takes hours or days, and the warehouse keeps working meanwhile.
 */
import { Decimal } from '../../shared/decimal.js';
import { type FieldProblem, assert } from '../../shared/errors.js';
import { STOCKTAKE_NODE, warehouseNode } from './nodes.js';
import { type CategoryRules, type MovementLine, movement } from './movement.js';
import { categoryOf, throwIfProblems, validateLineCount, validateLot, validateNodeKey, validateQuantity } from './validation.js';

export interface SnapshotLine {
  readonly category: string;
  readonly lot: string | null;
  readonly book: Decimal;
}

export interface CountLine {
  readonly category: string;
  readonly lot: string | null;
  readonly counted: Decimal;
}

export interface StocktakeDifference {
  readonly category: string;
  readonly lot: string | null;
  readonly book: Decimal;
  readonly counted: Decimal;
  /** counted − book; positive means more was found than the book said. */
  readonly difference: Decimal;
}

const key = (category: string, lot: string | null): string => JSON.stringify([category, lot]);

function countProblems(counts: readonly CountLine[], categories: CategoryRules | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  validateLineCount(counts, problems, 'counts');
  const seen = new Set<string>();
  counts.forEach((line, index) => {
    const prefix = `counts[${index}]`;
    const lineKey = key(line.category, line.lot);
    if (seen.has(lineKey)) problems.push({ field: prefix, value: { category: line.category, lot: line.lot }, reason: 'this category and lot were already counted on an earlier line' });
    seen.add(lineKey);
    if (categories === undefined) {
      if (!Decimal.isDecimal(line.counted) || !line.counted.isFinite() || line.counted.lt(0)) {
        problems.push({ field: `${prefix}.counted`, value: String(line.counted), reason: 'must be a decimal number, not negative' });
      }
      return;
    }
    const rule = categoryOf(categories, line.category, `${prefix}.category`, problems);
    if (rule === undefined) return;
    problems.push(...validateQuantity(rule, line.counted, `${prefix}.counted`, { allowZero: true }));
    // A lot found on the shelf that the book never knew keeps no expiry here; the lot record holds it.
    problems.push(...validateLot(rule, line.lot, null, prefix, { requireExpiry: false }));
  });
  return problems;
}

/**
 * The difference of every counted line against the book at the snapshot. Lines in the snapshot that
 * were not counted are left alone (a partial count corrects only what was counted); a counted line
 * the snapshot did not know (a lot found on the shelf) has book 0.
 *
 * The differences are deliberately taken against the snapshot and then posted against the CURRENT
 * balance, not used to overwrite it: receipts and shipments recorded while counting went on are
 * movements after the snapshot, and adding the difference keeps them instead of wiping them out.
 *
 * With `categories` the counts are also checked against each category's scale and lot rules.
 */
export function stocktakeDifferences(snapshot: readonly SnapshotLine[], counts: readonly CountLine[], categories?: CategoryRules): StocktakeDifference[] {
  const book = new Map<string, Decimal>();
  for (const line of snapshot) {
    const lineKey = key(line.category, line.lot);
    assert(!book.has(lineKey), `snapshot repeats ${lineKey}`);
    book.set(lineKey, line.book);
  }
  throwIfProblems('stocktake count', countProblems(counts, categories));
  return counts.map((line) => {
    const booked = book.get(key(line.category, line.lot)) ?? new Decimal(0);
    return { category: line.category, lot: line.lot, book: booked, counted: line.counted, difference: line.counted.minus(booked) };
  });
}

/** More found than booked comes in from STOCKTAKE; less found goes out to it. Zero differences post nothing. */
export function stocktakeMovements(warehouse: string, differences: readonly StocktakeDifference[]): MovementLine[] {
  throwIfProblems('stocktake', validateNodeKey('warehouse', warehouse));
  const shelf = warehouseNode(warehouse);
  return differences
    .filter((line) => !line.difference.isZero())
    .map((line) => {
      const gain = line.difference.gt(0);
      return movement({
        category: line.category,
        lot: line.lot,
        expiresOn: null,
        quantity: line.difference.abs(),
        from: gain ? STOCKTAKE_NODE : shelf,
        to: gain ? shelf : STOCKTAKE_NODE,
        unitCost: null,
      });
    });
}
