import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';

/** The claim as batching sees it. */
export interface PayableClaim {
  number: string;
  status: string;
  approvedTotal: Decimal;
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

export type Purpose = 'FINAL' | 'DIFFERENCE' | 'REISSUE';

export type Eligibility =
  | { payable: true; amount: Decimal; purpose: Purpose }
  | { payable: false; code: 'NOT_APPROVED' | 'PAID_IN_FULL' | 'NOTHING_TO_PAY' | 'ALREADY_BATCHED' | 'BANK_NOT_CORRECTED'; reason: string };

/**
 * Whether a claim's unpaid amount can go into a new batch, and how much. Pure, so each rule is a unit
 * test: only APPROVED claims with something left after advances and payments; never a claim whose
 * amount sits in another open batch; after a refusal by the bank, only once the bank details changed.
 */
export function payoutEligibility(claim: PayableClaim, last: LastLine | null): Eligibility {
  if (claim.status === 'PAID' || claim.status === 'CLOSED') {
    return { payable: false, code: 'PAID_IN_FULL', reason: `claim ${claim.number} is already paid in full (${claim.status})` };
  }
  if (claim.status !== 'APPROVED') return { payable: false, code: 'NOT_APPROVED', reason: `claim ${claim.number} is ${claim.status}, not APPROVED` };
  const amount = claim.approvedTotal.minus(claim.advancePaid).minus(claim.paidTotal);
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
  const purpose: Purpose = last?.state === 'FAILED' || last?.state === 'RETURNED' ? 'REISSUE' : claim.paidTotal.gt(0) ? 'DIFFERENCE' : 'FINAL';
  return { payable: true, amount, purpose };
}

function sameBank(claim: PayableClaim, line: LastLine): boolean {
  return claim.bankAccountName === line.accountName && claim.bankAccountNumber === line.accountNumber && claim.bankName === line.bankName;
}
