import { isValidDate } from '../shared/dates.js';
import { ValidationError } from '../shared/errors.js';

// The city's policies run from 31 July to 30 July; the first began on 2020-07-31.
const YEAR_STARTS_ON = '07-31';

/** The policy year a date belongs to, named by the calendar year it starts in (2020-07-31..2021-07-30 is 2020). */
export function policyYearOf(date: string): number {
  if (!isValidDate(date)) {
    throw new ValidationError(`${date} is not a date like 2020-07-31`, [{ field: 'date', value: date, reason: 'expected YYYY-MM-DD' }]);
  }
  const year = Number(date.slice(0, 4));
  return date.slice(5) >= YEAR_STARTS_ON ? year : year - 1;
}

/** First and last day (inclusive) of a policy year. */
export function policyYearRange(year: number): { from: string; to: string } {
  if (!Number.isInteger(year) || year < 1900 || year > 9998) throw new RangeError(`policy year ${year} is out of range`);
  return { from: `${year}-${YEAR_STARTS_ON}`, to: `${year + 1}-07-30` };
}
