import { ConflictError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { openPayoutLine } from './claim-payments.js';
import { changeClaim, lockClaim } from './claims.repository.js';
import { claimDetail } from './claims-query.service.js';
import { maskAccountNumber } from './resident-id.js';
import type { ClaimsContext } from './claims.context.js';
import type { BankInput } from './claims.schemas.js';

/**
 * PUT /claims/:id/bank: the claimant's corrected bank details, typically after the bank refused a
 * payment. Recorded in the claim's history (account numbers masked there, as in every list). Refused
 * while an amount of the claim sits in an open payout batch: the batch carries the details it was built
 * with, and the bank may already hold that file; cancel the batch or wait for the bank's answer.
 */
export async function changeBank(ctx: ClaimsContext, actor: Actor, key: string, input: BankInput) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const line = await openPayoutLine(tx, claim.id);
    if (line) {
      throw new ConflictError('CLAIM_IN_BATCH', `claim ${claim.number}: bank details cannot change while its amount is in payout batch ${line.batch} (${line.batchStatus})`, [{ claim: claim.number, batch: line.batch }]);
    }
    const view = (name: string, number: string, bank: string) => ({ accountName: name, accountNumber: maskAccountNumber(number), bankName: bank });
    const after = await changeClaim(tx, actor, 'change_bank', claim, {
      bankAccountName: input.accountName, bankAccountNumber: input.accountNumber, bankName: input.bankName,
    }, {
      from: view(claim.bankAccountName, claim.bankAccountNumber, claim.bankName),
      to: view(input.accountName, input.accountNumber, input.bankName),
      ...(input.reason ? { reason: input.reason } : {}),
    });
    return claimDetail(tx, ctx, actor, after);
  });
}
