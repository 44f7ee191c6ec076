import { addDays } from '../shared/dates.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { transition } from './claim-status.js';
import { balances, discardPendingAssessment, findClaim, lockClaim, changeClaim } from './claims.repository.js';
import { applyAdvancePayments, applyPayments, claimsWithOpenRecovery, openPayoutLine, unpaidAdvance } from './claim-payments.js';
import { claimDetail } from './claims-query.service.js';
import type { ClaimsContext } from './claims.context.js';
import type { PayInput } from './claims.schemas.js';

/**
 * Reject (with a written reason, Insurance Law art. 24) or withdraw: the claim leaves the queue, the
 * unapproved assessment and its invoices are released, and an advance already paid becomes a recovery owed.
 */
export async function endClaim(ctx: ClaimsContext, actor: Actor, key: string, action: 'reject' | 'withdraw', reason?: string) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const status = transition(claim.status, action);
    await discardPendingAssessment(tx, claim);
    const after = await changeClaim(tx, actor, action, claim, {
      status,
      pendingAssessmentId: null,
      pendingTotal: null,
      firstApprovedBy: null,
      holdReasons: [],
      recoveryOwed: balances(claim.approvedTotal, claim.advancePaid, claim.paidTotal).recoveryOwed,
    }, reason === undefined ? {} : { reason });
    return claimDetail(tx, ctx, actor, after);
  });
}

/** Back to the assessor with the approver's reason; any first approval given lapses with it. */
export async function returnClaim(ctx: ClaimsContext, actor: Actor, key: string, reason: string) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const after = await changeClaim(tx, actor, 'return', claim, { status: transition(claim.status, 'return'), firstApprovedBy: null }, { reason });
    return claimDetail(tx, ctx, actor, after);
  });
}

/**
 * Reopened for a worse grade, new invoices or an appeal: back to SURVEYED; what was approved stays
 * approved, so the next assessment pays only the difference. The decision clock starts again today.
 */
export async function reopenClaim(ctx: ClaimsContext, actor: Actor, key: string, reason: string) {
  try {
    return await inTransaction(ctx.em, async (tx) => {
      const claim = await lockClaim(tx, key);
      const terms = ctx.policies.get(claim.product, claim.productVersion);
      const today = ctx.today();
      const after = await changeClaim(tx, actor, 'reopen', claim, {
        status: transition(claim.status, 'reopen'),
        documentsCompleteOn: today,
        decisionDueOn: addDays(today, terms.statutoryClocks.decisionDays),
      }, { reason });
      return claimDetail(tx, ctx, actor, after);
    });
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'claims_one_live_per_person') {
      throw new ConflictError('DUPLICATE_CLAIM', `claim ${key} cannot be reopened: the same person has another live claim for this event and product`);
    }
    throw error;
  }
}

/**
 * POST /claims/:id/pay: finance records a bank transfer made outside a payout batch, of the amount a
 * batch would collect: before the final approval an approved, unpaid advance (recorded as an advance);
 * once APPROVED what is left after advances and payments. Refused while the amount sits in an open
 * batch (the bank would pay it twice). PAID, and CLOSED when no recovery is open, by the same rule as
 * batch confirmations (applyPayments, applyAdvancePayments).
 */
export async function payClaim(ctx: ClaimsContext, actor: Actor, key: string, input: PayInput) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const advance = unpaidAdvance(claim);
    if (advance.isZero()) transition(claim.status, 'pay');
    const today = ctx.today();
    const from = advance.isZero() ? claim.approvedOn : claim.advanceApprovedOn;
    if (input.paidOn > today || (from !== null && input.paidOn < from)) {
      const reason = `must lie between the ${advance.isZero() ? 'approval' : "advance's approval"} (${from}) and today (${today})`;
      throw new ValidationError(`paidOn: ${reason}`, [{ field: 'paidOn', value: input.paidOn, reason }]);
    }
    const line = await openPayoutLine(tx, claim.id);
    if (line) {
      throw new ConflictError('CLAIM_IN_BATCH', `claim ${claim.number} cannot be paid on its own: its amount is in payout batch ${line.batch} (${line.batchStatus}); confirm or cancel that batch first`, [{ claim: claim.number, batch: line.batch }]);
    }
    const payment = { claim, paidOn: input.paidOn, reference: input.reference, payoutLineId: null };
    const [after] = advance.isZero()
      ? await applyPayments(tx, actor, [{ ...payment, amount: balances(claim.approvedTotal, claim.advancePaid, claim.paidTotal).remaining }])
      : await applyAdvancePayments(tx, actor, [{ ...payment, amount: advance }]);
    return claimDetail(tx, ctx, actor, await findClaim(tx, after!.id));
  });
}

/** Finance closes a paid claim by hand; not while a recovery is still open (that money is still owed). */
export async function closeClaim(ctx: ClaimsContext, actor: Actor, key: string) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const status = transition(claim.status, 'close');
    if ((await claimsWithOpenRecovery(tx, [claim.id])).size > 0) {
      throw new ConflictError('RECOVERY_OPEN', `claim ${claim.number} cannot be closed: a recovery is still open (GET /recoveries?claim=${claim.number})`, [{ claim: claim.number }]);
    }
    const after = await changeClaim(tx, actor, 'close', claim, { status });
    return claimDetail(tx, ctx, actor, after);
  });
}
