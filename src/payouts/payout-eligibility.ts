import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ADVANCE_PAYABLE_STATUSES } from '../claims/claim-status.js';

/** The claim as batching sees it. */
export interface PayableClaim {
  number: string;
  status: string;
  approvedTotal: Decimal;
  advanceApproved: Decimal;
  advancePaid: Decimal;
  paidTotal: Decimal;
  bankAccountName: string;
  bankAccountNumber: string;
  bankName: string;
}

/** The claim's latest batch line, if it ever had one. */
export interface LastLine {
  state: 'PENDING' | 'PAID' | 'FAILED' | 'RETURNED' | 'CANCELLED';
  batch: string;
  accountName: string;
  accountNumber: string;
  bankName: string;
  failureReason: string | null;
}

export type Purpose = 'FINAL' | 'DIFFERENCE' | 'REISSUE' | 'ADVANCE';

export type Eligibility =
  | { payable: true; amount: Decimal; purpose: Purpose }
  | { payable: false; code: 'NOT_APPROVED' | 'PAID_IN_FULL' | 'NOTHING_TO_PAY' | 'ALREADY_BATCHED' | 'BANK_NOT_CORRECTED'; reason: string };

/**
 * Whether a claim's unpaid amount can go into a new batch, how much, and for what. Pure, so each rule is
 * a unit test: an APPROVED claim's amount left after advances and payments (FINAL, DIFFERENCE after an
 * earlier payment, REISSUE after the bank refused or returned one); before the final approval, an
 * approved advance not yet paid (ADVANCE). Never a claim whose amount sits in another open batch; after
 * a refusal by the bank, only once the bank details changed.
 */
export function payoutEligibility(claim: PayableClaim, last: LastLine | null): Eligibility {
  if (claim.status === 'PAID' || claim.status === 'CLOSED') {
    return { payable: false, code: 'PAID_IN_FULL', reason: `claim ${claim.number} is already paid in full (${claim.status})` };
  }
  const advance = (ADVANCE_PAYABLE_STATUSES as readonly string[]).includes(claim.status) && claim.advanceApproved.gt(claim.advancePaid);
  if (claim.status !== 'APPROVED' && !advance) {
    return { payable: false, code: 'NOT_APPROVED', reason: `claim ${claim.number} is ${claim.status}, not APPROVED, and has no approved advance left to pay` };
  }
  const amount = advance ? claim.advanceApproved.minus(claim.advancePaid) : claim.approvedTotal.minus(claim.advancePaid).minus(claim.paidTotal);
  if (amount.lte(0)) {
    return {
      payable: false, code: 'NOTHING_TO_PAY',
      reason: `claim ${claim.number} has nothing left to pay (approved ${formatMoney(claim.approvedTotal)}, advanced ${formatMoney(claim.advancePaid)}, paid ${formatMoney(claim.paidTotal)})`,
    };
  }
  if (last?.state === 'PENDING') return { payable: false, code: 'ALREADY_BATCHED', reason: `claim ${claim.number} is already in open payout batch ${last.batch}` };
  if (last?.state === 'FAILED' && sameBank(claim, last)) {
    return {
      payable: false, code: 'BANK_NOT_CORRECTED',
      reason: `the bank refused claim ${claim.number}'s payment in batch ${last.batch} (${last.failureReason}); correct its bank details first (PUT /claims/:id/bank)`,
    };
  }
  if (advance) return { payable: true, amount, purpose: 'ADVANCE' };
  const purpose: Purpose = last?.state === 'FAILED' || last?.state === 'RETURNED' ? 'REISSUE' : claim.paidTotal.gt(0) ? 'DIFFERENCE' : 'FINAL';
  return { payable: true, amount, purpose };
}

function sameBank(claim: PayableClaim, line: LastLine): boolean {
  return claim.bankAccountName === line.accountName && claim.bankAccountNumber === line.accountNumber && claim.bankName === line.bankName;
}
