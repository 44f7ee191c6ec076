import { Decimal } from '../shared/decimal.js';
import { fitsScale, MONEY_SCALE, sum } from '../shared/amounts.js';
import { ValidationError, type FieldProblem } from '../shared/errors.js';
import { BENEFIT_LABELS_ZH, BENEFIT_TYPES, offeredBenefits, type BenefitType, type ProductTerms } from './product-terms.js';
import {
  normalizeInvoiceNumber,
  type AssessedItem,
  type Assessment,
  type AssessmentInput,
  type ClaimedItem,
  type PriorPayments,
} from './assessment.types.js';
import { assessAllowance, assessDeath, assessDisability, assessFuneral, type RunningTotals } from './assessment.items.js';
import { assessMedical } from './assessment.medical.js';

export * from './assessment.types.js';
export { applyAdvance, settleRemainder, needsSecondApproval, checkApprovalLimits } from './assessment.settlement.js';
export type { HeldClaim, SettledClaim, Settlement, AdvanceOutcome, LimitCheck } from './assessment.settlement.js';
export { policyYearOf, policyYearRange } from './policy-year.js';

const MAX_ALLOWANCE_DAYS = 3650;

/**
 * The payout engine: pure, so every figure can be re-derived from its inputs in a test or an audit.
 * Items are assessed in the order given, each drawing on what the earlier ones left of the shared limits.
 */
export function assess(input: AssessmentInput): Assessment {
  checkInput(input);
  const running = startingTotals(input.prior);
  const items = input.items.map((item) => assessItem(input, item, running));
  return { items, total: sum(items.map((item) => item.payable)) };
}

function assessItem(input: AssessmentInput, item: ClaimedItem, running: RunningTotals): AssessedItem {
  const { terms } = input;
  // offeredBenefits was checked in checkInput, so the term each branch needs is present.
  switch (item.type) {
    case 'DEATH':
      return assessDeath(terms.deathDisabilityLimit!, running);
    case 'DISABILITY':
      return assessDisability(terms.deathDisabilityLimit!, item.grade, running);
    case 'MEDICAL':
      return assessMedical(terms.medical!, item, input.hasMedicalInsurance, running);
    case 'FUNERAL':
      return assessFuneral(terms.funeralGrant!, running);
    case 'RESETTLEMENT':
      return assessAllowance('RESETTLEMENT', terms.resettlement!, item.days, running);
    case 'LIVING_AID':
      return assessAllowance('LIVING_AID', terms.livingAid!, item.days, running);
  }
}

function startingTotals(prior: PriorPayments): RunningTotals {
  return {
    deathDisabilityPaid: prior.deathDisabilityPaid,
    worstDisabilityGradePaid: prior.worstDisabilityGradePaid,
    medicalPaid: prior.medicalPaid,
    medicalDeductibleUsed: prior.medicalDeductibleUsed ?? new Decimal(0),
    funeralPaid: prior.funeralPaid,
    resettlementPaid: prior.resettlementPaid,
    livingAidPaid: prior.livingAidPaid,
    // Callers may key the map as the invoice was typed; compare in one normal form.
    reimbursedInvoices: new Map([...prior.reimbursedInvoices].map(([number, claimId]) => [normalizeInvoiceNumber(number), claimId])),
  };
}

/** Claimed items come from people; every problem is collected so the assessor fixes them in one go. */
function checkInput(input: AssessmentInput): void {
  const problems: FieldProblem[] = [];
  const offered = offeredBenefits(input.terms);
  const seen = new Set<string>();
  let lacksBenefit = false;
  if (input.items.length === 0) problems.push({ field: 'items', reason: '至少申请一个赔付项目 (claim at least one item)' });
  input.items.forEach((item, index) => {
    const field = `items.${index}`;
    const type: string = item.type;
    if (!(BENEFIT_TYPES as readonly string[]).includes(type)) {
      problems.push({ field: `${field}.type`, value: type, reason: `未知赔付项目 ${type} (unknown benefit item)` });
      return;
    }
    if (!offered.has(item.type)) {
      lacksBenefit = true;
      problems.push(notOffered(input.terms, item.type, field));
    }
    if (seen.has(type)) {
      problems.push({ field: `${field}.type`, value: type, reason: `${type} 在本次申请中重复 (each item may be claimed once per assessment)` });
    }
    seen.add(type);
    checkItemFields(item, field, problems);
  });
  checkPrior(input.prior, problems);
  if (problems.length > 0) {
    const code = lacksBenefit ? 'BENEFIT_NOT_OFFERED' : 'ASSESSMENT_INPUT_INVALID';
    throw new ValidationError(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems, code);
  }
}

function notOffered(terms: ProductTerms, type: BenefitType, field: string): FieldProblem {
  return {
    field: `${field}.type`,
    value: type,
    reason: `产品 ${terms.productCode} v${terms.version} 不含${BENEFIT_LABELS_ZH[type]} ${type} 项目 (the product does not pay ${type})`,
  };
}

function checkItemFields(item: ClaimedItem, field: string, problems: FieldProblem[]): void {
  if (item.type === 'DISABILITY' && !(Number.isInteger(item.grade) && item.grade >= 1 && item.grade <= 10)) {
    problems.push({ field: `${field}.grade`, value: item.grade, reason: '伤残等级为 1 至 10 级 (grade 1..10)' });
  }
  if ((item.type === 'RESETTLEMENT' || item.type === 'LIVING_AID') && !isWholeDays(item.days)) {
    problems.push({ field: `${field}.days`, value: item.days, reason: `天数为 1 至 ${MAX_ALLOWANCE_DAYS} 的整数 (whole days)` });
  }
  if (item.type !== 'MEDICAL') return;
  if (item.invoices.length === 0) problems.push({ field: `${field}.invoices`, reason: '至少一张发票 (at least one invoice)' });
  item.invoices.forEach((invoice, index) => {
    const at = `${field}.invoices.${index}`;
    if (normalizeInvoiceNumber(invoice.number) === '') problems.push({ field: `${at}.number`, reason: '发票号码不能为空 (invoice number required)' });
    checkMoney(invoice.amount, `${at}.amount`, problems);
    if (invoice.excluded !== undefined) {
      checkMoney(invoice.excluded, `${at}.excluded`, problems);
      if (invoice.excluded.gt(invoice.amount)) {
        problems.push({ field: `${at}.excluded`, value: invoice.excluded.toFixed(), reason: '目录外金额不能超过发票金额 (excluded > amount)' });
      }
    }
  });
  if (item.paidBySocialInsurance) checkMoney(item.paidBySocialInsurance, `${field}.paidBySocialInsurance`, problems);
  if (item.paidByOtherInsurance) checkMoney(item.paidByOtherInsurance, `${field}.paidByOtherInsurance`, problems);
}

function checkPrior(prior: PriorPayments, problems: FieldProblem[]): void {
  const amounts: [string, Decimal | undefined][] = [
    ['deathDisabilityPaid', prior.deathDisabilityPaid],
    ['medicalPaid', prior.medicalPaid],
    ['medicalDeductibleUsed', prior.medicalDeductibleUsed],
    ['funeralPaid', prior.funeralPaid],
    ['resettlementPaid', prior.resettlementPaid],
    ['livingAidPaid', prior.livingAidPaid],
  ];
  for (const [name, value] of amounts) if (value !== undefined) checkMoney(value, `prior.${name}`, problems);
  const grade = prior.worstDisabilityGradePaid;
  if (grade !== null && !(Number.isInteger(grade) && grade >= 1 && grade <= 10)) {
    problems.push({ field: 'prior.worstDisabilityGradePaid', value: grade, reason: 'grade 1..10 or null' });
  }
}

function checkMoney(value: Decimal, field: string, problems: FieldProblem[]): void {
  if (!Decimal.isDecimal(value) || !value.isFinite() || value.isNegative() || !fitsScale(value, MONEY_SCALE)) {
    problems.push({ field, value: String(value), reason: '金额须为非负且最多两位小数 (a non-negative amount in fen)' });
  }
}

function isWholeDays(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= MAX_ALLOWANCE_DAYS;
}
