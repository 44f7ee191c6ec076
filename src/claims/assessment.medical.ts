import { Decimal } from '../shared/decimal.js';
import { roundMoney, sum } from '../shared/amounts.js';
import type { MedicalTerms } from './product-terms.js';
import { normalizeInvoiceNumber, type AssessedItem, type ClaimedItem, type InvoiceOutcome } from './assessment.types.js';
import { money, nonNegative, type RunningTotals } from './assessment.items.js';

type MedicalItem = Extract<ClaimedItem, { type: 'MEDICAL' }>;
const ZERO = new Decimal(0);

/**
 * Indemnity principle: an invoice is reimbursed once across every claim and product, and an invoice
 * listed twice in one request counts once. The others still count, so one bad invoice does not sink a claim.
 */
export function sortInvoices(item: MedicalItem, reimbursed: ReadonlyMap<string, string>): InvoiceOutcome[] {
  const seenHere = new Set<string>();
  return item.invoices.map((invoice) => {
    const number = normalizeInvoiceNumber(invoice.number);
    const excluded = invoice.excluded ?? ZERO;
    const base = { number, amount: invoice.amount, excluded };
    const takenBy = reimbursed.get(number);
    if (takenBy !== undefined) {
      return { ...base, counted: false, reason: `发票 ${number} 已在理赔 ${takenBy} 中报销, 本次计 0.00` };
    }
    if (seenHere.has(number)) {
      return { ...base, counted: false, reason: `发票 ${number} 在本次申请中重复出现, 只计一次` };
    }
    seenHere.add(number);
    return { ...base, counted: true };
  });
}

/**
 * payable = min(limit − paid, max(0, invoices − excluded − social − other − deductible) × ratio),
 * rounded half-up to the fen. The deductible is what is left of it for this person and event.
 */
export function assessMedical(
  terms: MedicalTerms,
  item: MedicalItem,
  hasMedicalInsurance: boolean,
  running: RunningTotals,
): AssessedItem {
  const invoices = sortInvoices(item, running.reimbursedInvoices);
  const counted = invoices.filter((invoice) => invoice.counted);
  const billed = sum(counted.map((invoice) => invoice.amount));
  const excluded = sum(counted.map((invoice) => invoice.excluded));
  const social = item.paidBySocialInsurance ?? ZERO;
  const other = item.paidByOtherInsurance ?? ZERO;
  const net = nonNegative(billed.minus(excluded).minus(social).minus(other));
  const deductibleLeft = nonNegative(terms.deductible.minus(running.medicalDeductibleUsed));
  const deductibleApplied = Decimal.min(deductibleLeft, net);
  const ratio = hasMedicalInsurance ? terms.ratioInsured : terms.ratioUninsured;
  const reimbursable = roundMoney(net.minus(deductibleApplied).times(ratio));
  const limitLeft = nonNegative(terms.limit.minus(running.medicalPaid));
  const payable = Decimal.min(limitLeft, reimbursable);

  const formula =
    `医疗: min(限额 ${money(terms.limit)} − 已付 ${money(running.medicalPaid)}, ` +
    `max(0, 发票 ${money(billed)} − 目录外 ${money(excluded)} − 社保已付 ${money(social)} − 其他保险已付 ${money(other)} ` +
    `− 免赔额 ${money(deductibleLeft)}) × ${percent(ratio)}${hasMedicalInsurance ? ' (有医保)' : ' (无医保)'}) ` +
    `= min(${money(limitLeft)}, ${money(reimbursable)}) = ${money(payable)}`;
  const notes = invoices.flatMap((invoice) => (invoice.reason ? [invoice.reason] : []));

  running.medicalPaid = running.medicalPaid.plus(payable);
  running.medicalDeductibleUsed = running.medicalDeductibleUsed.plus(deductibleApplied);
  return {
    type: 'MEDICAL',
    payable,
    explanation: [formula, ...notes].join('; '),
    invoices,
    deductibleApplied,
  };
}

function percent(ratio: Decimal): string {
  return `${ratio.times(100).toString()}%`;
}
