// Proves each edge of the payout rules: deductible, shared and separate limits, grade changes, invoice-once, caps and refusals.
import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import { assess, noPriorPayments, type ClaimedItem, type PriorPayments } from './core.js';
import { addToPrior, d, termsOf } from './claims.fixtures.js';

function run(product: string, items: ClaimedItem[], prior: Partial<PriorPayments> = {}, hasMedicalInsurance = true) {
  return assess({ terms: termsOf(product), hasMedicalInsurance, items, prior: { ...noPriorPayments(), ...prior } });
}

function refusal(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('medical', () => {
  it('pays 0 when the deductible is bigger than the bill', () => {
    const result = run('VOLUNTEER', [{ type: 'MEDICAL', invoices: [{ number: 'V-9', amount: d('80.00') }] }]);
    expect(result.total.toFixed(2)).toBe('0.00');
    expect(result.items[0]!.deductibleApplied?.toFixed(2)).toBe('80.00');
  });

  it('applies only what is left of the deductible when part of it was absorbed earlier for the same event', () => {
    const first = run('VOLUNTEER', [{ type: 'MEDICAL', invoices: [{ number: 'V-1', amount: d('60.00') }] }]);
    const prior = addToPrior(noPriorPayments(), first, 'C-1');
    const second = run('VOLUNTEER', [{ type: 'MEDICAL', invoices: [{ number: 'V-2', amount: d('500.00') }] }], prior);
    expect(second.total.toFixed(2)).toBe('460.00');
  });

  it('stops at the medical limit across two claims and pays nothing once it is reached', () => {
    const first = run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'M-1', amount: d('15000.00') }] }]);
    expect(first.total.toFixed(2)).toBe('15000.00');
    const prior = addToPrior(noPriorPayments(), first, 'C-1');
    const second = run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'M-2', amount: d('8000.00') }] }], prior);
    expect(second.total.toFixed(2)).toBe('5000.00');
    expect(second.items[0]!.explanation).toContain('min(5000.00, 8000.00) = 5000.00');
    const third = run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'M-3', amount: d('100.00') }] }], addToPrior(prior, second, 'C-2'));
    expect(third.total.toFixed(2)).toBe('0.00');
  });

  it('uses the uninsured ratio and rounds half-up to the fen', () => {
    const result = run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'R-1', amount: d('100.01') }] }], {}, false);
    expect(result.total.toFixed(2)).toBe('80.01'); // 100.01 × 0.8 = 80.008
    expect(result.items[0]!.explanation).toContain('× 80% (无医保)');
  });

  it('pays 0 for an invoice already reimbursed and says under which claim, while the others still count', () => {
    const result = run(
      'PUBLIC_LIABILITY',
      [{ type: 'MEDICAL', invoices: [{ number: 'inv-7 ', amount: d('1000.00') }, { number: 'INV-8', amount: d('300.00') }] }],
      { reimbursedInvoices: new Map([['INV-7', 'LP-2021-000123']]) },
    );
    expect(result.total.toFixed(2)).toBe('300.00');
    expect(result.items[0]!.explanation).toContain('发票 INV-7 已在理赔 LP-2021-000123 中报销');
    expect(result.items[0]!.invoices!.map((invoice) => invoice.counted)).toEqual([false, true]);
  });

  it('counts an invoice listed twice in one item once', () => {
    const invoice = { number: 'DUP-1', amount: d('700.00') };
    const result = run('STAMPEDE', [{ type: 'MEDICAL', invoices: [invoice, { ...invoice, number: ' dup-1' }] }]);
    expect(result.total.toFixed(2)).toBe('700.00');
    expect(result.items[0]!.explanation).toContain('只计一次');
  });

  it('subtracts what other insurance paid and never goes below zero', () => {
    const result = run('STAMPEDE', [
      { type: 'MEDICAL', invoices: [{ number: 'O-1', amount: d('500.00') }], paidBySocialInsurance: d('300.00'), paidByOtherInsurance: d('400.00') },
    ]);
    expect(result.total.toFixed(2)).toBe('0.00');
  });
});

describe('death and disability share one limit', () => {
  it('pays the difference when a later grade is worse', () => {
    const result = run('PUBLIC_LIABILITY', [{ type: 'DISABILITY', grade: 5 }], { deathDisabilityPaid: d('40000.00'), worstDisabilityGradePaid: 7 });
    expect(result.total.toFixed(2)).toBe('20000.00');
    expect(result.items[0]!.explanation).toContain('60000.00 − 已按 7级 赔付 40000.00 = 20000.00');
  });

  it('pays nothing more for a better or equal grade', () => {
    const prior = { deathDisabilityPaid: d('40000.00'), worstDisabilityGradePaid: 7 };
    expect(run('PUBLIC_LIABILITY', [{ type: 'DISABILITY', grade: 8 }], prior).total.toFixed(2)).toBe('0.00');
    expect(run('PUBLIC_LIABILITY', [{ type: 'DISABILITY', grade: 7 }], prior).total.toFixed(2)).toBe('0.00');
  });

  it('pays death as the limit minus disability already paid', () => {
    const result = run('STAMPEDE', [{ type: 'DEATH' }, { type: 'FUNERAL' }], { deathDisabilityPaid: d('40000.00'), worstDisabilityGradePaid: 7 });
    expect(result.items[0]!.payable.toFixed(2)).toBe('60000.00');
    expect(result.items[0]!.explanation).toBe('身故: 身故伤残限额 100000.00 − 已付身故/伤残 40000.00 = 60000.00');
    expect(result.total.toFixed(2)).toBe('80000.00');
  });

  it('pays no disability after death, and no second death or funeral', () => {
    const prior = { deathDisabilityPaid: d('100000.00'), funeralPaid: d('20000.00') };
    expect(run('STAMPEDE', [{ type: 'DISABILITY', grade: 1 }], prior).total.toFixed(2)).toBe('0.00');
    expect(run('STAMPEDE', [{ type: 'DEATH' }, { type: 'FUNERAL' }], prior).total.toFixed(2)).toBe('0.00');
  });

  it('keeps disability and death in one request within the limit, whatever their order', () => {
    const forward = run('BRAVE_DEED', [{ type: 'DISABILITY', grade: 3 }, { type: 'DEATH' }]);
    const backward = run('BRAVE_DEED', [{ type: 'DEATH' }, { type: 'DISABILITY', grade: 3 }]);
    expect(forward.items.map((item) => item.payable.toFixed(2))).toEqual(['240000.00', '60000.00']);
    expect(backward.items.map((item) => item.payable.toFixed(2))).toEqual(['300000.00', '0.00']);
  });
});

describe('daily allowances', () => {
  it('caps resettlement and living aid per person per event across claims', () => {
    const result = run('EMERGENCY_RESPONSE', [{ type: 'RESETTLEMENT', days: 10 }, { type: 'LIVING_AID', days: 40 }], {
      resettlementPaid: d('200.00'),
      livingAidPaid: d('2000.00'),
    });
    expect(result.items.map((item) => item.payable.toFixed(2))).toEqual(['100.00', '250.00']);
    expect(result.items[0]!.explanation).toBe('转移安置补助: min(上限 300.00 − 已付 200.00, 20.00/天 × 10天 = 200.00) = 100.00');
    const capped = run('EMERGENCY_RESPONSE', [{ type: 'LIVING_AID', days: 5 }], { livingAidPaid: d('2250.00') });
    expect(capped.total.toFixed(2)).toBe('0.00');
  });
});

describe('refusals', () => {
  it('refuses an item the product does not have, naming it', () => {
    const error = refusal(() => run('STAMPEDE', [{ type: 'DEATH' }, { type: 'RESETTLEMENT', days: 3 }]));
    expect(error.code).toBe('BENEFIT_NOT_OFFERED');
    expect(error.message).toContain('RESETTLEMENT');
    expect(error.message).toContain('items.1.type');
    expect(() => run('VOLUNTEER', [{ type: 'FUNERAL' }])).toThrow(/FUNERAL/);
  });

  it('refuses a grade outside 1..10, bad days, fractional fen, excluded above the amount and repeated items', () => {
    expect(() => run('STAMPEDE', [{ type: 'DISABILITY', grade: 11 }])).toThrow(/items\.0\.grade/);
    expect(() => run('EMERGENCY_RESPONSE', [{ type: 'LIVING_AID', days: 1.5 }])).toThrow(/items\.0\.days/);
    expect(() => run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'F', amount: d('1.005') }] }])).toThrow(/invoices\.0\.amount/);
    expect(() => run('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'F', amount: d('1.00'), excluded: d('2.00') }] }])).toThrow(
      /invoices\.0\.excluded/,
    );
    expect(() => run('STAMPEDE', [{ type: 'DEATH' }, { type: 'DEATH' }])).toThrow(/items\.1\.type/);
    expect(() => run('STAMPEDE', [])).toThrow(ValidationError);
  });

  it('refuses negative prior payments', () => {
    expect(() => run('STAMPEDE', [{ type: 'DEATH' }], { medicalPaid: d('-1.00') })).toThrow(/prior\.medicalPaid/);
  });
});
