// Proves that the six worked examples of INSURANCE-TERMS.md come out to the stated figures with the shipped policies.
import { describe, it, expect } from 'vitest';
import { applyAdvance, assess, needsSecondApproval, noPriorPayments, settleRemainder } from './core.js';
import { d, termsOf } from './claims.fixtures.js';

describe('worked examples of the terms', () => {
  it('1. STAMPEDE death of an insured person: 100,000 + 20,000 = 120,000.00, two approvals', () => {
    const terms = termsOf('STAMPEDE');
    const result = assess({ terms, hasMedicalInsurance: true, prior: noPriorPayments(), items: [{ type: 'DEATH' }, { type: 'FUNERAL' }] });
    expect(result.items.map((item) => [item.type, item.payable.toFixed(2)])).toEqual([
      ['DEATH', '100000.00'],
      ['FUNERAL', '20000.00'],
    ]);
    expect(result.total.toFixed(2)).toBe('120000.00');
    expect(needsSecondApproval(result.total, terms)).toBe(true);
  });

  it('2. PUBLIC_LIABILITY grade 7 + medical 12,500 less 7,300 social insurance: 45,200.00', () => {
    const result = assess({
      terms: termsOf('PUBLIC_LIABILITY'),
      hasMedicalInsurance: true,
      prior: noPriorPayments(),
      items: [
        { type: 'DISABILITY', grade: 7 },
        { type: 'MEDICAL', invoices: [{ number: 'QD-2021-0001', amount: d('12500.00') }], paidBySocialInsurance: d('7300.00') },
      ],
    });
    expect(result.items[0]!.payable.toFixed(2)).toBe('40000.00');
    expect(result.items[0]!.explanation).toContain('伤残 7级: 100000.00 × (11−7)/10 = 40000.00');
    expect(result.items[1]!.payable.toFixed(2)).toBe('5200.00');
    expect(result.total.toFixed(2)).toBe('45200.00');
  });

  it('3. VOLUNTEER uninsured, 3,000 with 400 excluded, deductible 100: 2,500.00', () => {
    const result = assess({
      terms: termsOf('VOLUNTEER'),
      hasMedicalInsurance: false,
      prior: noPriorPayments(),
      items: [{ type: 'MEDICAL', invoices: [{ number: 'V-1', amount: d('3000.00'), excluded: d('400.00') }] }],
    });
    expect(result.total.toFixed(2)).toBe('2500.00');
    expect(result.items[0]!.explanation).toContain('免赔额 100.00');
  });

  it('4. EMERGENCY_RESPONSE evacuated 18 days: 300.00 + 450.00 = 750.00', () => {
    const result = assess({
      terms: termsOf('EMERGENCY_RESPONSE'),
      hasMedicalInsurance: true,
      prior: noPriorPayments(),
      items: [
        { type: 'RESETTLEMENT', days: 18 },
        { type: 'LIVING_AID', days: 18 },
      ],
    });
    expect(result.items.map((item) => item.payable.toFixed(2))).toEqual(['300.00', '450.00']);
    expect(result.total.toFixed(2)).toBe('750.00');
  });

  it('5. BRAVE_DEED advance 10,000 then grade 10: 30,000.00 assessed, 20,000.00 more paid', () => {
    const terms = termsOf('BRAVE_DEED');
    expect(terms.advance?.max.toFixed(2)).toBe('10000.00');
    const result = assess({ terms, hasMedicalInsurance: true, prior: noPriorPayments(), items: [{ type: 'DISABILITY', grade: 10 }] });
    expect(result.total.toFixed(2)).toBe('30000.00');
    const afterAdvance = applyAdvance(result.total, d('10000.00'));
    expect(afterAdvance.remaining.toFixed(2)).toBe('20000.00');
    expect(afterAdvance.recoveryOwed.toFixed(2)).toBe('0.00');
  });

  it('6. EMERGENCY_RESPONSE event limit 2,000,000 with 1,900,000 approved: 100,000 shared 50,000 / 30,000 / 20,000', () => {
    const terms = termsOf('EMERGENCY_RESPONSE');
    const remainder = terms.perEventLimit!.minus(d('1900000.00'));
    const settlement = settleRemainder(remainder, [
      { claimId: 'A', items: [{ type: 'DEATH', assessed: d('100000.00') }] },
      { claimId: 'B', items: [{ type: 'DISABILITY', assessed: d('40000.00') }, { type: 'MEDICAL', assessed: d('20000.00') }] },
      { claimId: 'C', items: [{ type: 'DISABILITY', assessed: d('20000.00') }, { type: 'MEDICAL', assessed: d('20000.00') }] },
    ]);
    expect(settlement.claims.map((claim) => claim.settled.toFixed(2))).toEqual(['50000.00', '30000.00', '20000.00']);
    expect(settlement.total.toFixed(2)).toBe('100000.00');
  });
});
