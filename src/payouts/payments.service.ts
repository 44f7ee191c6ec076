import { formatMoney } from '../shared/amounts.js';
import { ValidationError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { reversePayment } from '../claims/index.js';
import type { ReturnPaymentInput } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

/**
 * POST /payments/:id/return: the bank sent back a payment already confirmed (closed account, wrong name).
 * The payment is reversed, not deleted; the claim's amount is payable again (a later batch reissues it).
 */
export async function returnPayment(ctx: PayoutsContext, actor: Actor, paymentId: string, input: ReturnPaymentInput) {
  const today = ctx.today();
  const returnedOn = input.returnedOn ?? today;
  if (returnedOn > today) {
    const reason = `must not be after today (${today})`;
    throw new ValidationError(`returnedOn: ${reason}`, [{ field: 'returnedOn', value: returnedOn, reason }]);
  }
  return inTransaction(ctx.em, async (tx) => {
    const reversed = await reversePayment(tx, actor, paymentId, input.reason, returnedOn);
    return {
      payment: reversed.paymentId, reversal: reversed.reversalId, claim: reversed.claim.number, claimId: reversed.claim.id,
      amount: formatMoney(reversed.amount), returnedOn, claimStatus: reversed.claim.status,
      paid: formatMoney(reversed.claim.advancePaid.plus(reversed.claim.paidTotal)),
    };
  });
}
