// Proves the money rules around an assessment: pro-rata settlement, advances, limits, second approval and policy years.
import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import {
  applyAdvance,
  checkApprovalLimits,
  needsSecondApproval,
  policyYearOf,
  policyYearRange,
  settleRemainder,
} from './core.js';
import { d, termsOf } from './claims.fixtures.js';

describe('settleRemainder', () => {
  it('rounds each item down so the total never exceeds the remainder', () => {
    // 200.00 shared among 300.00 assessed: each share is 66.666…, which half-up would make 66.67
    // (200.01 in all, a fen over the limit); rounded down it is 66.66.
    const settlement = settleRemainder(d('200.00'), [
      { claimId: 'A', items: [{ type: 'MEDICAL', assessed: d('100.00') }] },
      { claimId: 'B', items: [{ type: 'MEDICAL', assessed: d('100.00') }] },
      { claimId: 'C', items: [{ type: 'MEDICAL', assessed: d('100.00') }] },
    ]);
    expect(settlement.claims.map((claim) => claim.settled.toFixed(2))).toEqual(['66.66', '66.66', '66.66']);
    expect(settlement.total.toFixed(2)).toBe('199.98');
  });

  it('rounds down each item of a claim, not the claim total, and keeps the assessed figures', () => {
    // 1,000.00 left of 1,500.00 assessed: 2/3 of each item. 250.01 → 166.67333… (166.67 either way),
    // 749.98 → 499.98666… (down 499.98, half-up 499.99), 500.00 → 333.333… (333.33); 0.01 → 0.00666… (down 0.00, half-up 0.01).
    const settlement = settleRemainder(d('1000.00'), [
      { claimId: 'A', items: [{ type: 'MEDICAL', assessed: d('250.01') }, { type: 'DISABILITY', assessed: d('749.98') }] },
      { claimId: 'B', items: [{ type: 'FUNERAL', assessed: d('500.00') }, { type: 'MEDICAL', assessed: d('0.01') }] },
    ]);
    const [a, b] = settlement.claims;
    expect(a!.claimId).toBe('A');
    expect(a!.items.map((item) => [item.type, item.assessed.toFixed(2), item.settled.toFixed(2)])).toEqual([
      ['MEDICAL', '250.01', '166.67'],
      ['DISABILITY', '749.98', '499.98'],
    ]);
    expect(a!.assessed.toFixed(2)).toBe('999.99');
    expect(a!.settled.toFixed(2)).toBe('666.65');
    expect(b!.items.map((item) => item.settled.toFixed(2))).toEqual(['333.33', '0.00']);
    expect(b!.settled.toFixed(2)).toBe('333.33');
    expect(settlement.total.toFixed(2)).toBe('999.98');
  });

  it('pays in full when the remainder covers everything, and nothing when it is exhausted', () => {
    const held = [{ claimId: 'A', items: [{ type: 'DEATH' as const, assessed: d('500.00') }] }];
    expect(settleRemainder(d('1000.00'), held).total.toFixed(2)).toBe('500.00');
    expect(settleRemainder(d('0.00'), held).total.toFixed(2)).toBe('0.00');
    expect(settleRemainder(d('-5.00'), held).total.toFixed(2)).toBe('0.00');
  });

  it('refuses negative assessed amounts', () => {
    expect(() => settleRemainder(d('10.00'), [{ claimId: 'A', items: [{ type: 'DEATH', assessed: d('-1.00') }] }])).toThrow(ValidationError);
  });
});

describe('applyAdvance', () => {
  it('records a recovery instead of a negative payment when the advance exceeds the payable', () => {
    const outcome = applyAdvance(d('6000.00'), d('10000.00'));
    expect(outcome.remaining.toFixed(2)).toBe('0.00');
    expect(outcome.recoveryOwed.toFixed(2)).toBe('4000.00');
  });

  it('leaves the whole payable when there was no advance', () => {
    expect(applyAdvance(d('30000.00'), d('0.00')).remaining.toFixed(2)).toBe('30000.00');
  });
});

describe('approvals and limits', () => {
  it('needs a second approval strictly above 50,000', () => {
    const terms = termsOf('PUBLIC_LIABILITY');
    expect(needsSecondApproval(d('50000.00'), terms)).toBe(false);
    expect(needsSecondApproval(d('50000.01'), terms)).toBe(true);
  });

  it('holds an approval that would pass the per-event limit or the annual aggregate, not one that reaches it', () => {
    const terms = termsOf('EMERGENCY_RESPONSE');
    expect(checkApprovalLimits(terms, { event: d('1900000.00'), policyYear: d('0.00') }, d('100000.00'))).toEqual({ withinLimits: true });
    const over = checkApprovalLimits(terms, { event: d('1900000.00'), policyYear: d('9990000.00') }, d('160000.00'));
    expect(over.withinLimits).toBe(false);
    if (!over.withinLimits) {
      expect(over.exceeded).toEqual(['PER_EVENT', 'ANNUAL_AGGREGATE']);
      expect(over.eventRemaining?.toFixed(2)).toBe('100000.00');
      expect(over.aggregateRemaining.toFixed(2)).toBe('10000.00');
    }
  });

  it('has no per-event limit for BRAVE_DEED', () => {
    const check = checkApprovalLimits(termsOf('BRAVE_DEED'), { event: d('99000000.00'), policyYear: d('0.00') }, d('300000.00'));
    expect(check.withinLimits).toBe(true);
  });
});

describe('policyYearOf', () => {
  it('runs from 31 July to 30 July and is named by its first year', () => {
    expect(policyYearOf('2020-07-31')).toBe(2020);
    expect(policyYearOf('2021-07-30')).toBe(2020);
    expect(policyYearOf('2021-07-31')).toBe(2021);
    expect(policyYearOf('2021-01-01')).toBe(2020);
    expect(policyYearRange(2020)).toEqual({ from: '2020-07-31', to: '2021-07-30' });
  });

  it('refuses something that is not a date', () => {
    expect(() => policyYearOf('2021-02-30')).toThrow(ValidationError);
  });
});
