// Proves each assessed item carries its formula with the figures filled in exactly as the claimant and approver read it, for the worked examples of INSURANCE-TERMS.md and the limit edges.
import { describe, it, expect } from 'vitest';
import { assess, noPriorPayments, type ClaimedItem, type PriorPayments } from './core.js';
import { d, termsOf } from './claims.fixtures.js';

function explain(product: string, items: ClaimedItem[], prior: Partial<PriorPayments> = {}, hasMedicalInsurance = true) {
  const result = assess({ terms: termsOf(product), hasMedicalInsurance, items, prior: { ...noPriorPayments(), ...prior } });
  return result.items.map((item) => [item.type, item.payable.toFixed(2), item.explanation]);
}

describe('explanations of the worked examples', () => {
  it('1. STAMPEDE death and funeral', () => {
    expect(explain('STAMPEDE', [{ type: 'DEATH' }, { type: 'FUNERAL' }])).toEqual([
      ['DEATH', '100000.00', '身故: 身故伤残限额 100000.00 − 已付身故/伤残 0.00 = 100000.00'],
      ['FUNERAL', '20000.00', '丧葬补助: 20000.00 − 已付 0.00 = 20000.00'],
    ]);
  });

  it('2. PUBLIC_LIABILITY grade 7 and medical net of social insurance', () => {
    expect(
      explain('PUBLIC_LIABILITY', [
        { type: 'DISABILITY', grade: 7 },
        { type: 'MEDICAL', invoices: [{ number: 'QD-2021-0001', amount: d('12500.00') }], paidBySocialInsurance: d('7300.00') },
      ]),
    ).toEqual([
      ['DISABILITY', '40000.00', '伤残 7级: 100000.00 × (11−7)/10 = 40000.00'],
      [
        'MEDICAL',
        '5200.00',
        '医疗: min(限额 20000.00 − 已付 0.00, max(0, 发票 12500.00 − 目录外 0.00 − 社保已付 7300.00 − 其他保险已付 0.00 − 免赔额 0.00) × 100% (有医保)) = min(20000.00, 5200.00) = 5200.00',
      ],
    ]);
  });

  it('3. VOLUNTEER uninsured with an excluded part and the deductible', () => {
    expect(explain('VOLUNTEER', [{ type: 'MEDICAL', invoices: [{ number: 'V-1', amount: d('3000.00'), excluded: d('400.00') }] }], {}, false)).toEqual([
      [
        'MEDICAL',
        '2500.00',
        '医疗: min(限额 20000.00 − 已付 0.00, max(0, 发票 3000.00 − 目录外 400.00 − 社保已付 0.00 − 其他保险已付 0.00 − 免赔额 100.00) × 100% (无医保)) = min(20000.00, 2500.00) = 2500.00',
      ],
    ]);
  });

  it('4. EMERGENCY_RESPONSE allowances, the first capped', () => {
    expect(explain('EMERGENCY_RESPONSE', [{ type: 'RESETTLEMENT', days: 18 }, { type: 'LIVING_AID', days: 18 }])).toEqual([
      ['RESETTLEMENT', '300.00', '转移安置补助: min(上限 300.00 − 已付 0.00, 20.00/天 × 18天 = 360.00) = 300.00'],
      ['LIVING_AID', '450.00', '临时生活救助: min(上限 2250.00 − 已付 0.00, 25.00/天 × 18天 = 450.00) = 450.00'],
    ]);
  });

  it('5. BRAVE_DEED grade 10', () => {
    expect(explain('BRAVE_DEED', [{ type: 'DISABILITY', grade: 10 }])).toEqual([['DISABILITY', '30000.00', '伤残 10级: 300000.00 × (11−10)/10 = 30000.00']]);
  });
});

describe('explanations at the limits', () => {
  it('pays the difference for a worse grade, naming the grade already paid', () => {
    expect(explain('STAMPEDE', [{ type: 'DISABILITY', grade: 5 }], { worstDisabilityGradePaid: 7, deathDisabilityPaid: d('40000.00') })).toEqual([
      ['DISABILITY', '20000.00', '伤残 5级: 100000.00 × (11−5)/10 = 60000.00 − 已按 7级 赔付 40000.00 = 20000.00'],
    ]);
  });

  it('pays nothing for the same grade again', () => {
    expect(explain('STAMPEDE', [{ type: 'DISABILITY', grade: 5 }], { worstDisabilityGradePaid: 5, deathDisabilityPaid: d('60000.00') })).toEqual([
      ['DISABILITY', '0.00', '伤残 5级: 100000.00 × (11−5)/10 = 60000.00; 已按更重或相同的 5级 赔付 60000.00, 不再增付 = 0.00'],
    ]);
  });

  it('stops a disability at what death left of the shared limit', () => {
    expect(explain('STAMPEDE', [{ type: 'DEATH' }, { type: 'DISABILITY', grade: 3 }])).toEqual([
      ['DEATH', '100000.00', '身故: 身故伤残限额 100000.00 − 已付身故/伤残 0.00 = 100000.00'],
      ['DISABILITY', '0.00', '伤残 3级: 100000.00 × (11−3)/10 = 80000.00; 身故伤残限额 100000.00 已付 100000.00, 仅余 0.00 = 0.00'],
    ]);
  });

  it('pays death net of a disability already paid, and a funeral net of what was paid', () => {
    expect(explain('STAMPEDE', [{ type: 'DEATH' }, { type: 'FUNERAL' }], { deathDisabilityPaid: d('40000.00'), worstDisabilityGradePaid: 7, funeralPaid: d('5000.00') })).toEqual([
      ['DEATH', '60000.00', '身故: 身故伤残限额 100000.00 − 已付身故/伤残 40000.00 = 60000.00'],
      ['FUNERAL', '15000.00', '丧葬补助: 20000.00 − 已付 5000.00 = 15000.00'],
    ]);
  });

  it('caps allowances at what is left of each cap, separately', () => {
    expect(explain('EMERGENCY_RESPONSE', [{ type: 'RESETTLEMENT', days: 3 }, { type: 'LIVING_AID', days: 1 }], { resettlementPaid: d('200.00'), livingAidPaid: d('2250.00') })).toEqual([
      ['RESETTLEMENT', '60.00', '转移安置补助: min(上限 300.00 − 已付 200.00, 20.00/天 × 3天 = 60.00) = 60.00'],
      ['LIVING_AID', '0.00', '临时生活救助: min(上限 2250.00 − 已付 2250.00, 25.00/天 × 1天 = 25.00) = 0.00'],
    ]);
  });
});

describe('explanations with invoice notes', () => {
  it('appends each note after the formula, separated by "; "', () => {
    const [[, payable, explanation]] = explain('PUBLIC_LIABILITY', [
      { type: 'MEDICAL', invoices: [{ number: 'A-1', amount: d('100.00') }, { number: 'a-1 ', amount: d('100.00') }, { number: 'B-2', amount: d('50.00') }] },
    ], { reimbursedInvoices: new Map([['B-2', 'C-9']]) }) as [string[]];
    expect(payable).toBe('100.00');
    expect(explanation).toBe(
      '医疗: min(限额 20000.00 − 已付 0.00, max(0, 发票 100.00 − 目录外 0.00 − 社保已付 0.00 − 其他保险已付 0.00 − 免赔额 0.00) × 100% (有医保)) = min(20000.00, 100.00) = 100.00' +
        '; 发票 A-1 在本次申请中重复出现, 只计一次; 发票 B-2 已在理赔 C-9 中报销, 本次计 0.00',
    );
  });
});
