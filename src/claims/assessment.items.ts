import { Decimal } from '../shared/decimal.js';
import { formatMoney, roundMoney } from '../shared/amounts.js';
import { assert } from '../shared/errors.js';
import type { DailyAllowanceTerms } from './product-terms.js';
import type { AssessedItem } from './assessment.types.js';

/**
 * What has been paid so far for this person, event and product, including the items assessed earlier
 * in the same request: two items of one request draw on the same limits.
 */
export interface RunningTotals {
  deathDisabilityPaid: Decimal;
  worstDisabilityGradePaid: number | null;
  medicalPaid: Decimal;
  medicalDeductibleUsed: Decimal;
  funeralPaid: Decimal;
  resettlementPaid: Decimal;
  livingAidPaid: Decimal;
  readonly reimbursedInvoices: ReadonlyMap<string, string>;
}

const ZERO = new Decimal(0);
export const money = formatMoney;

export function nonNegative(value: Decimal): Decimal {
  return Decimal.max(ZERO, value);
}

/** Death pays the shared limit minus whatever death or disability has already taken from it. */
export function assessDeath(limit: Decimal, running: RunningTotals): AssessedItem {
  const paidBefore = running.deathDisabilityPaid;
  const payable = nonNegative(limit.minus(paidBefore));
  running.deathDisabilityPaid = paidBefore.plus(payable);
  return {
    type: 'DEATH',
    payable,
    explanation: `身故: 身故伤残限额 ${money(limit)} − 已付身故/伤残 ${money(paidBefore)} = ${money(payable)}`,
  };
}

export function disabilityAmount(limit: Decimal, grade: number): Decimal {
  return roundMoney(limit.times(11 - grade).dividedBy(10));
}

/**
 * A worse grade later pays the difference to the worst grade already paid; a better grade pays nothing
 * and takes nothing back. Nothing ever goes past what is left of the shared limit (death may have taken it).
 */
export function assessDisability(limit: Decimal, grade: number, running: RunningTotals): AssessedItem {
  assert(Number.isInteger(grade) && grade >= 1 && grade <= 10, 'grade checked before assessment');
  const full = disabilityAmount(limit, grade);
  const formula = `伤残 ${grade}级: ${money(limit)} × (11−${grade})/10 = ${money(full)}`;
  const worst = running.worstDisabilityGradePaid;
  let payable = full;
  let explanation = formula;
  if (worst !== null && worst <= grade) {
    payable = ZERO;
    explanation = `${formula}; 已按更重或相同的 ${worst}级 赔付 ${money(disabilityAmount(limit, worst))}, 不再增付 = 0.00`;
  } else if (worst !== null) {
    const alreadyPaid = disabilityAmount(limit, worst);
    payable = full.minus(alreadyPaid);
    explanation = `${formula} − 已按 ${worst}级 赔付 ${money(alreadyPaid)} = ${money(payable)}`;
  }
  const remaining = nonNegative(limit.minus(running.deathDisabilityPaid));
  if (payable.gt(remaining)) {
    payable = remaining;
    explanation += `; 身故伤残限额 ${money(limit)} 已付 ${money(running.deathDisabilityPaid)}, 仅余 ${money(remaining)} = ${money(payable)}`;
  }
  running.deathDisabilityPaid = running.deathDisabilityPaid.plus(payable);
  if (worst === null || grade < worst) running.worstDisabilityGradePaid = grade;
  return { type: 'DISABILITY', payable, explanation, grade };
}

export function assessFuneral(grant: Decimal, running: RunningTotals): AssessedItem {
  const payable = nonNegative(grant.minus(running.funeralPaid));
  const paidBefore = running.funeralPaid;
  running.funeralPaid = running.funeralPaid.plus(payable);
  return { type: 'FUNERAL', payable, explanation: `丧葬补助: ${money(grant)} − 已付 ${money(paidBefore)} = ${money(payable)}` };
}

/** rate × days, capped per person per event across every claim of that person. */
export function assessAllowance(
  type: 'RESETTLEMENT' | 'LIVING_AID',
  terms: DailyAllowanceTerms,
  days: number,
  running: RunningTotals,
): AssessedItem {
  const label = type === 'RESETTLEMENT' ? '转移安置补助' : '临时生活救助';
  const paidBefore = type === 'RESETTLEMENT' ? running.resettlementPaid : running.livingAidPaid;
  const earned = roundMoney(terms.ratePerDay.times(days));
  const payable = Decimal.min(nonNegative(terms.cap.minus(paidBefore)), earned);
  if (type === 'RESETTLEMENT') running.resettlementPaid = paidBefore.plus(payable);
  else running.livingAidPaid = paidBefore.plus(payable);
  return {
    type,
    payable,
    explanation:
      `${label}: min(上限 ${money(terms.cap)} − 已付 ${money(paidBefore)}, ` +
      `${money(terms.ratePerDay)}/天 × ${days}天 = ${money(earned)}) = ${money(payable)}`,
  };
}
