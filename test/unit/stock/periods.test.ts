// Proves the month arithmetic of accounting periods and the dating rules: dates on or before the closed-through day are refused with the first usable date, future dates are refused, and corrections of closed months land on the first open day.
import { describe, expect, it } from 'vitest';
import { correctionDate, datingProblems, lastDayOf, nextPeriod, periodsBetween } from '../../../src/stock/index.js';

describe('periods', () => {
  it('steps months across year ends and knows their last day', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(lastDayOf('2026-11')).toBe('2026-11-30');
    expect(periodsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(periodsBetween('2027-02', '2026-11')).toEqual([]);
  });

  it('refuses dates in closed months (and before them) naming the first usable date, and dates after today', () => {
    expect(datingProblems('2026-10-15', null, '2026-12-05')).toEqual([]);
    expect(datingProblems('2026-11-01', '2026-10-31', '2026-12-05')).toEqual([]);
    const [closed] = datingProblems('2026-09-03', '2026-10-31', '2026-12-05');
    expect(closed).toMatchObject({ field: 'occurredAt', closedPeriod: '2026-09', closedThrough: '2026-10-31', firstOpenDate: '2026-11-01' });
    expect(datingProblems('2026-12-06', '2026-10-31', '2026-12-05')[0]?.reason).toContain('after today');
  });

  it('dates a correction at the original date while open, else on the first open day', () => {
    expect(correctionDate('2026-11-15', '2026-10-31')).toEqual({ occurredAt: '2026-11-15', datedInto: null });
    expect(correctionDate('2026-10-15', '2026-10-31')).toEqual({ occurredAt: '2026-11-01', datedInto: { original: '2026-10-15', closedPeriod: '2026-10', occurredAt: '2026-11-01' } });
  });
});
