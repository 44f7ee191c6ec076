import { formatMoney } from '../shared/amounts.js';
import { ValidationError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { findClaim, reversePayment } from '../claims/index.js';
import { forkOf } from '../db/request-transaction.js';
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

/**
 * GET /claims/:id/payments: every row of the claim's payments ledger, oldest first — advances, payments
 * (with the batch that paid them) and reversals — and for each payment the reversal that took it back.
 * Finance finds here the payment id a returned direct payment is recorded against.
 */
export async function claimPayments(ctx: PayoutsContext, claimKey: string) {
  const em = forkOf(ctx.em);
  const claim = await findClaim(em, claimKey);
  const rows = await em.execute<{ id: string; kind: 'ADVANCE' | 'PAYMENT' | 'REVERSAL'; amount: string; paid_on: string; reference: string | null; batch: string | null; reverses: string | null; reversed_by: string | null; reason: string | null; recorded_at: Date }[]>(
    `SELECT p.id::text, p.kind, p.amount::numeric(14, 2)::text AS amount, p.paid_on::text, p.reference, b.number AS batch,
            p.reverses_payment_id::text AS reverses, r.id::text AS reversed_by, p.reason, p.recorded_at
     FROM claim_payments p
     LEFT JOIN payout_lines l ON l.id = p.payout_line_id
     LEFT JOIN payout_batches b ON b.id = l.batch_id
     LEFT JOIN claim_payments r ON r.reverses_payment_id = p.id
     WHERE p.claim_id = ? ORDER BY p.id`,
    [claim.id],
  );
  return {
    claim: claim.number,
    claimId: claim.id,
    items: rows.map((row) => ({
      id: row.id, kind: row.kind, amount: row.amount, paidOn: row.paid_on, reference: row.reference, batch: row.batch,
      reverses: row.reverses, reversedBy: row.reversed_by, reason: row.reason, recordedAt: new Date(row.recorded_at).toISOString(),
    })),
  };
}
