// Proves the assessment refuses bad input with every problem at once, each named by field with its exact reason, and the error code that tells an unoffered benefit from other mistakes; and that the bounds themselves (1 and 3650 days, grades 1 and 10, excluded equal to the amount) are accepted.
import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import { assess, noPriorPayments, type ClaimedItem, type PriorPayments } from './core.js';
import { d, termsOf } from './claims.fixtures.js';

const MONEY = '金额须为非负且最多两位小数 (a non-negative amount in fen)';

function refusal(product: string, items: unknown[], prior: Partial<PriorPayments> = {}): ValidationError {
  try {
    assess({ terms: termsOf(product), hasMedicalInsurance: true, items: items as ClaimedItem[], prior: { ...noPriorPayments(), ...prior } });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('assessment input', () => {
  it('asks for at least one item', () => {
    const error = refusal('VOLUNTEER', []);
    expect(error.code).toBe('ASSESSMENT_INPUT_INVALID');
    expect(error.message).toBe('items: 至少申请一个赔付项目 (claim at least one item)');
    expect(error.problems).toEqual([{ field: 'items', reason: '至少申请一个赔付项目 (claim at least one item)' }]);
  });

  it('names an unknown item, an item the product lacks and a medical item without invoices, as BENEFIT_NOT_OFFERED', () => {
    const error = refusal('VOLUNTEER', [{ type: 'BOGUS' }, { type: 'FUNERAL' }, { type: 'MEDICAL', invoices: [] }]);
    expect(error.code).toBe('BENEFIT_NOT_OFFERED');
    expect(error.problems).toEqual([
      { field: 'items.0.type', value: 'BOGUS', reason: '未知赔付项目 BOGUS (unknown benefit item)' },
      { field: 'items.1.type', value: 'FUNERAL', reason: '产品 VOLUNTEER v1 不含丧葬补助 FUNERAL 项目 (the product does not pay FUNERAL)' },
      { field: 'items.2.invoices', reason: '至少一张发票 (at least one invoice)' },
    ]);
    expect(error.message).toBe(error.problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
  });

  it('reports an unknown item alone as invalid input, not as a benefit not offered', () => {
    expect(refusal('VOLUNTEER', [{ type: 'BOGUS' }]).code).toBe('ASSESSMENT_INPUT_INVALID');
  });

  it('collects every bad field of every item and of the prior payments', () => {
    const error = refusal(
      'EMERGENCY_RESPONSE',
      [
        { type: 'RESETTLEMENT', days: 0 },
        { type: 'LIVING_AID', days: 3651 },
        { type: 'DISABILITY', grade: 11 },
        {
          type: 'MEDICAL',
          invoices: [
            { number: '  ', amount: d('1.001'), excluded: d('-1') },
            { number: 'A', amount: d('10'), excluded: d('10.01') },
          ],
          paidBySocialInsurance: d('-1'),
          paidByOtherInsurance: d('0.001'),
        },
        { type: 'DISABILITY', grade: 0 },
        { type: 'LIVING_AID', days: 2.5 },
      ],
      { worstDisabilityGradePaid: 0, medicalDeductibleUsed: d('-1'), livingAidPaid: d('0.001'), deathDisabilityPaid: d('-0.01') },
    );
    expect(error.code).toBe('ASSESSMENT_INPUT_INVALID');
    expect(error.problems).toEqual([
      { field: 'items.0.days', value: 0, reason: '天数为 1 至 3650 的整数 (whole days)' },
      { field: 'items.1.days', value: 3651, reason: '天数为 1 至 3650 的整数 (whole days)' },
      { field: 'items.2.grade', value: 11, reason: '伤残等级为 1 至 10 级 (grade 1..10)' },
      { field: 'items.3.invoices.0.number', reason: '发票号码不能为空 (invoice number required)' },
      { field: 'items.3.invoices.0.amount', value: '1.001', reason: MONEY },
      { field: 'items.3.invoices.0.excluded', value: '-1', reason: MONEY },
      { field: 'items.3.invoices.1.excluded', value: '10.01', reason: '目录外金额不能超过发票金额 (excluded > amount)' },
      { field: 'items.3.paidBySocialInsurance', value: '-1', reason: MONEY },
      { field: 'items.3.paidByOtherInsurance', value: '0.001', reason: MONEY },
      { field: 'items.4.type', value: 'DISABILITY', reason: 'DISABILITY 在本次申请中重复 (each item may be claimed once per assessment)' },
      { field: 'items.4.grade', value: 0, reason: '伤残等级为 1 至 10 级 (grade 1..10)' },
      { field: 'items.5.type', value: 'LIVING_AID', reason: 'LIVING_AID 在本次申请中重复 (each item may be claimed once per assessment)' },
      { field: 'items.5.days', value: 2.5, reason: '天数为 1 至 3650 的整数 (whole days)' },
      { field: 'prior.deathDisabilityPaid', value: '-0.01', reason: MONEY },
      { field: 'prior.medicalDeductibleUsed', value: '-1', reason: MONEY },
      { field: 'prior.livingAidPaid', value: '0.001', reason: MONEY },
      { field: 'prior.worstDisabilityGradePaid', value: 0, reason: 'grade 1..10 or null' },
    ]);
  });

  it('refuses an amount that is not a Decimal at all, instead of failing on it', () => {
    const error = refusal('STAMPEDE', [{ type: 'MEDICAL', invoices: [{ number: 'A', amount: 5 }] }]);
    expect(error.problems).toEqual([{ field: 'items.0.invoices.0.amount', value: '5', reason: MONEY }]);
  });

  it('refuses each prior amount and a prior grade past 10 by name', () => {
    for (const name of ['medicalPaid', 'funeralPaid', 'resettlementPaid'] as const) {
      expect(refusal('STAMPEDE', [{ type: 'DEATH' }], { [name]: d('-1') }).problems).toEqual([{ field: `prior.${name}`, value: '-1', reason: MONEY }]);
    }
    expect(refusal('STAMPEDE', [{ type: 'DEATH' }], { worstDisabilityGradePaid: 11 }).problems[0]!.field).toBe('prior.worstDisabilityGradePaid');
    expect(refusal('STAMPEDE', [{ type: 'DEATH' }], { worstDisabilityGradePaid: 2.5 }).problems[0]!.field).toBe('prior.worstDisabilityGradePaid');
  });

  it('accepts the bounds: 1 and 3650 days, grades 1 and 10, excluded equal to the amount, a prior grade of 10', () => {
    const result = assess({
      terms: termsOf('EMERGENCY_RESPONSE'),
      hasMedicalInsurance: true,
      prior: { ...noPriorPayments(), worstDisabilityGradePaid: 10, deathDisabilityPaid: d('10000.00') },
      items: [
        { type: 'RESETTLEMENT', days: 1 },
        { type: 'LIVING_AID', days: 3650 },
        { type: 'DISABILITY', grade: 1 },
        { type: 'MEDICAL', invoices: [{ number: 'A', amount: d('10.00'), excluded: d('10.00') }] },
      ],
    });
    // grade 1 pays 100,000 less the 10,000 of grade 10; living aid stops at its 2,250 cap.
    expect(result.items.map((item) => item.payable.toFixed(2))).toEqual(['20.00', '2250.00', '90000.00', '0.00']);
    expect(result.total.toFixed(2)).toBe('92270.00');
  });
});
