// Proves the settlement money rules at their edges: a remainder equal to what was assessed, limits reached exactly or already passed, one limit exceeded alone, and the refusal of amounts that are not whole fen.
import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import { applyAdvance, checkApprovalLimits, needsSecondApproval, settleRemainder } from './core.js';
import { d, termsOf } from './claims.fixtures.js';

function refusal(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('settleRemainder edges', () => {
  it('pays in full, to the fen, when the remainder equals what was assessed', () => {
    const settlement = settleRemainder(d('100.01'), [
      { claimId: 'A', items: [{ type: 'MEDICAL', assessed: d('33.34') }] },
      { claimId: 'B', items: [{ type: 'MEDICAL', assessed: d('66.67') }] },
    ]);
    expect(settlement.claims.map((claim) => claim.settled.toFixed(2))).toEqual(['33.34', '66.67']);
    expect(settlement.total.toFixed(2)).toBe('100.01');
  });

  it('shares a remainder a fen short of what was assessed, rounding each item down', () => {
    // 100.00 of 100.01: 33.34 × 100/100.01 = 33.3366…, 66.67 × 100/100.01 = 66.6633…
    const settlement = settleRemainder(d('100.00'), [
      { claimId: 'A', items: [{ type: 'MEDICAL', assessed: d('33.34') }] },
      { claimId: 'B', items: [{ type: 'MEDICAL', assessed: d('66.67') }] },
    ]);
    expect(settlement.claims.map((claim) => claim.settled.toFixed(2))).toEqual(['33.33', '66.66']);
    expect(settlement.total.toFixed(2)).toBe('99.99');
  });

  it('returns no claims and nothing paid for nothing held', () => {
    const settlement = settleRemainder(d('10.00'), []);
    expect(settlement.claims).toEqual([]);
    expect(settlement.total.toFixed(2)).toBe('0.00');
  });

  it('refuses a remainder or an assessed item that is not whole fen, naming the field', () => {
    const remainder = refusal(() => settleRemainder(d('10.001'), []));
    expect(remainder.problems).toEqual([{ field: 'limitRemaining', value: '10.001', reason: 'a non-negative amount with at most two decimals' }]);
    expect(remainder.message).toBe('limitRemaining: expected a non-negative amount in fen, got 10.001');
    const item = refusal(() =>
      settleRemainder(d('10.00'), [
        { claimId: 'A', items: [{ type: 'DEATH', assessed: d('1.00') }] },
        { claimId: 'B', items: [{ type: 'DEATH', assessed: d('1.00') }, { type: 'MEDICAL', assessed: d('0.005') }] },
      ]),
    );
    expect(item.problems[0]!.field).toBe('held.1.items.1.assessed');
    expect(refusal(() => settleRemainder(d('10.00'), [{ claimId: 'A', items: [{ type: 'DEATH', assessed: d('-0.01') }] }])).problems[0]!.field).toBe('held.0.items.0.assessed');
  });
});

describe('applyAdvance edges', () => {
  it('owes nothing back when the advance equals the payable', () => {
    const outcome = applyAdvance(d('10000.00'), d('10000.00'));
    expect([outcome.remaining.toFixed(2), outcome.recoveryOwed.toFixed(2)]).toEqual(['0.00', '0.00']);
  });

  it('refuses a negative or sub-fen total or advance, naming which', () => {
    expect(refusal(() => applyAdvance(d('-1.00'), d('0'))).problems[0]!.field).toBe('total');
    expect(refusal(() => applyAdvance(d('1.001'), d('0'))).problems[0]!.field).toBe('total');
    expect(refusal(() => applyAdvance(d('1.00'), d('-0.01'))).problems[0]!.field).toBe('advancePaid');
    expect(refusal(() => applyAdvance(d('1.00'), d('0.001'))).problems[0]!.field).toBe('advancePaid');
  });
});

describe('approval limits edges', () => {
  it('allows reaching the per-event limit exactly and holds a fen more, naming only that limit', () => {
    const terms = termsOf('EMERGENCY_RESPONSE');
    expect(checkApprovalLimits(terms, { event: d('1900000.00'), policyYear: d('0.00') }, d('100000.00'))).toEqual({ withinLimits: true });
    const over = checkApprovalLimits(terms, { event: d('1900000.00'), policyYear: d('0.00') }, d('100000.01'));
    expect(over).toEqual({ withinLimits: false, exceeded: ['PER_EVENT'], eventRemaining: d('100000.00'), aggregateRemaining: d('10000000.00') });
  });

  it('allows reaching the annual aggregate exactly and holds a fen more, naming only that limit', () => {
    const terms = termsOf('BRAVE_DEED');
    expect(checkApprovalLimits(terms, { event: d('0.00'), policyYear: d('4990000.00') }, d('10000.00'))).toEqual({ withinLimits: true });
    expect(checkApprovalLimits(terms, { event: d('0.00'), policyYear: d('4990000.00') }, d('10000.01'))).toEqual({
      withinLimits: false,
      exceeded: ['ANNUAL_AGGREGATE'],
      eventRemaining: null,
      aggregateRemaining: d('10000.00'),
    });
  });

  it('reports nothing left, not a negative, once a limit was already passed', () => {
    const over = checkApprovalLimits(termsOf('EMERGENCY_RESPONSE'), { event: d('2000100.00'), policyYear: d('10000100.00') }, d('0.01'));
    expect(over).toEqual({ withinLimits: false, exceeded: ['PER_EVENT', 'ANNUAL_AGGREGATE'], eventRemaining: d('0'), aggregateRemaining: d('0') });
  });

  it('needs no second approval for a payable of exactly 50,000 on any product', () => {
    expect(needsSecondApproval(d('50000.00'), termsOf('STAMPEDE'))).toBe(false);
    expect(needsSecondApproval(d('120000.00'), termsOf('STAMPEDE'))).toBe(true);
  });
});
