/** Business dates are calendar days (YYYY-MM-DD) in the city's time zone, kept as strings. */
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const CITY_TIME_ZONE = 'Asia/Shanghai';

// Building an Intl.DateTimeFormat costs far more than using one, and every request asks for today.
const CITY_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

// Formatting still costs some 20 µs, and every posting asks: the day is kept for the minute it was
// read in. The city's offset is whole hours (no daylight saving), so its days begin on a minute boundary.
let dayMinute = Number.NaN;
let day = '';

/** Today in the city's time zone, as YYYY-MM-DD. */
export function todayInCity(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== dayMinute) {
    day = CITY_DAY.format(now);
    dayMinute = minute;
  }
  return day;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const result = new Date(Date.UTC(y, m - 1, d + days));
  return result.toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier): the inverse of addDays. */
export function daysBetween(from: string, to: string): number {
  const utc = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** Adds whole years; 29 February falls back to 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) return new Date(Date.UTC(y + years, m, 0)).toISOString().slice(0, 10);
  return target.toISOString().slice(0, 10);
}
