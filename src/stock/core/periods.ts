/**
 * Accounting periods (会计期间) are calendar months. Finance closes them in order (月结); the books
 * are then "closed through" the last day of the latest closed month, and nothing may be dated on or
 * before that day. Pure date arithmetic on YYYY-MM-DD strings, so the rules are unit-tested alone.
 */
import { addDays } from '../../shared/dates.js';
import type { FieldProblem } from '../../shared/errors.js';

/** YYYY-MM of a business date. */
export function periodOf(date: string): string {
  return date.slice(0, 7);
}

export function firstDayOf(period: string): string {
  return `${period}-01`;
}

export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function lastDayOf(period: string): string {
  return addDays(firstDayOf(nextPeriod(period)), -1);
}

/** Every month from `first` through `last`, in order (empty when first is after last). */
export function periodsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let p = first; p <= last; p = nextPeriod(p)) out.push(p);
  return out;
}

export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The first day that can still be dated: the day after the books are closed through (any day when none is closed). */
export function firstOpenDate(closedThrough: string | null): string | null {
  return closedThrough === null ? null : addDays(closedThrough, 1);
}

export interface ClosedPeriodProblem extends FieldProblem {
  readonly closedPeriod: string;
  readonly closedThrough: string;
  readonly firstOpenDate: string;
}

/**
 * A business date must fall in an open period and not in the future. Dates before the first closed
 * month count as closed too: closing a month freezes everything up to its end.
 */
export function datingProblems(occurredAt: string, closedThrough: string | null, today: string, field = 'occurredAt'): FieldProblem[] {
  if (occurredAt > today) return [{ field, value: occurredAt, reason: `must not be after today (${today})` }];
  if (closedThrough !== null && occurredAt <= closedThrough) {
    const first = firstOpenDate(closedThrough)!;
    // Named in the reply as data too, so a client can offer the first usable date.
    const problem: ClosedPeriodProblem = {
      field, value: occurredAt, closedPeriod: periodOf(occurredAt), closedThrough, firstOpenDate: first,
      reason: `period ${periodOf(occurredAt)} is closed (月结; the books are closed through ${closedThrough}); the first date that can be used is ${first}`,
    };
    return [problem];
  }
  return [];
}

/** Where a correction of a document dated `original` lands: at its own date while that is open, else the first open day. */
export interface DatedInto {
  readonly original: string;
  readonly closedPeriod: string;
  readonly occurredAt: string;
}

export function correctionDate(original: string, closedThrough: string | null): { occurredAt: string; datedInto: DatedInto | null } {
  if (closedThrough === null || original > closedThrough) return { occurredAt: original, datedInto: null };
  const occurredAt = firstOpenDate(closedThrough)!;
  return { occurredAt, datedInto: { original, closedPeriod: periodOf(original), occurredAt } };
}
