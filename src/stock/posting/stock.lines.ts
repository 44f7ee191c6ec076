/** Turning request lines into the pure core's inputs, and gathering every problem of a request at once. */
import type { LedgerTx } from './ledger.sql.js';
import { type FieldProblem, ValidationError } from '../../shared/errors.js';
import type { CategoryRules } from '../core/movement.js';
import { type LineInput, categoryOf, validateLineCount, validateLot, validateQuantity, validateUnitCost } from '../core/validation.js';
import type { DocumentLine } from '../stock.schemas.js';
import type { NewLot } from './ledger.post.js';

export function toLineInputs(lines: readonly DocumentLine[]): LineInput[] {
  return lines.map((line) => ({
    category: line.category,
    quantity: line.quantity,
    lot: line.lot ?? null,
    expiresOn: line.expiresOn ?? null,
    unitCost: line.unitCost ?? null,
  }));
}

/** Runs a pure builder; its problems join `problems` instead of being thrown one group at a time. */
export function collect<T>(problems: FieldProblem[], build: () => T): T | null {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems);
    return null;
  }
}

/**
 * Lines that take stock out of a warehouse. As the posting rules, except that a line of a category
 * kept in lots may leave the lot out: first-expiring-first-out then chooses.
 */
export function outgoingLineProblems(lines: readonly LineInput[], rules: CategoryRules): FieldProblem[] {
  const problems: FieldProblem[] = [];
  validateLineCount(lines, problems);
  lines.forEach((line, index) => {
    const prefix = `lines[${index}]`;
    problems.push(...validateUnitCost(line.unitCost, `${prefix}.unitCost`));
    const rule = categoryOf(rules, line.category, `${prefix}.category`, problems);
    if (rule === undefined) return;
    problems.push(...validateQuantity(rule, line.quantity, `${prefix}.quantity`));
    if (line.expiresOn !== null && line.expiresOn !== undefined) {
      problems.push({ field: `${prefix}.expiresOn`, value: line.expiresOn, reason: 'the expiry date of a lot is known from its receipt; leave it out' });
    }
    if (!rule.lotTracked || (line.lot !== null && line.lot !== undefined)) {
      problems.push(...validateLot(rule, line.lot, null, prefix, { requireExpiry: false }));
    }
  });
  return problems;
}

/**
 * A lot keeps the expiry date it first arrived with: a receipt naming a known lot must give the same
 * date, and one document cannot give two. Returns the lots that are new. Run after the ledger lock:
 * lots of a category are only created under it, so what this reads is current. An optimistic posting
 * reads nothing and takes every lot as new; stock_post_document then checks the known ones under the lock.
 */
export async function newLotsOf(tx: LedgerTx, lines: readonly LineInput[], problems: FieldProblem[]): Promise<NewLot[]> {
  const withLots = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.lot && line.expiresOn);
  if (withLots.length === 0) return [];
  // An optimistic posting sends no read: every lot counts as new, and the posting refuses (stale) if one is known with another expiry.
  const known = tx.optimistic ? [] : await tx.execute<{ category: string; lot: string; expires_on: string }[]>(
    `SELECT l.category, l.lot, l.expires_on::text AS expires_on
     FROM stock_lots l JOIN unnest(?::text[], ?::text[]) AS x(category, lot) USING (category, lot)`,
    [withLots.map(({ line }) => line.category), withLots.map(({ line }) => line.lot)],
  );
  const expiryOf = new Map(known.map((row) => [JSON.stringify([row.category, row.lot]), row.expires_on]));
  const fresh = new Map<string, NewLot>();
  for (const { line, index } of withLots) {
    const lotKey = JSON.stringify([line.category, line.lot]);
    const recorded = expiryOf.get(lotKey) ?? fresh.get(lotKey)?.expiresOn;
    if (recorded !== undefined && recorded !== line.expiresOn) {
      problems.push({ field: `lines[${index}].expiresOn`, value: line.expiresOn, reason: `lot ${line.lot} of ${line.category} is recorded with expiry ${recorded}` });
    } else if (recorded === undefined) {
      fresh.set(lotKey, { category: line.category, lot: line.lot!, expiresOn: line.expiresOn! });
    }
  }
  return [...fresh.values()];
}

/** The same category and lot twice on a document that must report per (category, lot). */
export function repeatedLineProblems(lines: readonly { category: string; lot?: string | null }[], field = 'lines'): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  lines.forEach((line, index) => {
    const lineKey = JSON.stringify([line.category, line.lot ?? null]);
    if (seen.has(lineKey)) problems.push({ field: `${field}[${index}]`, value: { category: line.category, lot: line.lot ?? null }, reason: 'the same category and lot appear on an earlier line' });
    seen.add(lineKey);
  });
  return problems;
}
