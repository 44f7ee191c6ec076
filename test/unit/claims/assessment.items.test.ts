// Proves the item rules keep the running totals that later items of the same request draw on: the worst disability grade only ever gets more severe, and a grade outside 1..10 is asserted, never assessed.
import { describe, it, expect } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { type RunningTotals, assessDisability } from '../../../src/claims/assessment.items.js';
import { d } from './claims.fixtures.js';

const LIMIT = d('100000.00');

function fresh(): RunningTotals {
  const zero = new Decimal(0);
  return {
    deathDisabilityPaid: zero,
    worstDisabilityGradePaid: null,
    medicalPaid: zero,
    medicalDeductibleUsed: zero,
    funeralPaid: zero,
    resettlementPaid: zero,
    livingAidPaid: zero,
    reimbursedInvoices: new Map(),
  };
}

describe('assessDisability running totals', () => {
  it('records the first grade paid, then only a more severe one', () => {
    const running = fresh();
    expect(assessDisability(LIMIT, 7, running).payable.toFixed(2)).toBe('40000.00');
    expect(running.worstDisabilityGradePaid).toBe(7);
    expect(assessDisability(LIMIT, 5, running).payable.toFixed(2)).toBe('20000.00');
    expect(running.worstDisabilityGradePaid).toBe(5);
    expect(assessDisability(LIMIT, 8, running).payable.toFixed(2)).toBe('0.00');
    expect(running.worstDisabilityGradePaid).toBe(5);
    // Against grade 5 (60,000 paid), grade 3 adds 20,000; had grade 8 been recorded it would add 50,000.
    expect(assessDisability(LIMIT, 3, running).payable.toFixed(2)).toBe('20000.00');
    expect(running.worstDisabilityGradePaid).toBe(3);
    expect(running.deathDisabilityPaid.toFixed(2)).toBe('80000.00');
  });

  it('asserts a grade from 1 to 10, whole', () => {
    for (const grade of [0, 11, -1, 2.5, Number.NaN]) {
      expect(() => assessDisability(LIMIT, grade, fresh())).toThrow('grade checked before assessment');
    }
    expect(assessDisability(LIMIT, 1, fresh()).payable.toFixed(2)).toBe('100000.00');
    expect(assessDisability(LIMIT, 10, fresh()).payable.toFixed(2)).toBe('10000.00');
  });
});
