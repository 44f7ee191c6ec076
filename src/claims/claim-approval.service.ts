import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { DomainError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { needsSecondApproval } from './assessment.js';
import { transition } from './claim-status.js';
import type { ProductTerms } from './product-terms.js';
import { assessorsOf, lockClaim, changeClaim, type ClaimRow } from './claims.repository.js';
import { decideHold, grantApproval } from './claim-limits.js';
import { claimDetail } from './claims-query.service.js';
import type { ClaimsContext } from './claims.context.js';
import { forkOf } from '../db/request-transaction.js';

/**
 * POST /claims/:id/approve. Four eyes: nobody who assessed the claim approves it, and a payable above
 * the product's threshold needs a second approval by someone else. The approval that completes the set
 * is checked against the per-event limit and the annual aggregate, with their counters locked.
 */
export async function approveClaim(ctx: ClaimsContext, actor: Actor, key: string) {
  // The reply is read after commit, so the counter locks are not held while it is built.
  const after = await inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    if (claim.status !== 'ASSESSED' && claim.status !== 'PENDING_SECOND_APPROVAL') transition(claim.status, 'approve');
    if ((await assessorsOf(tx, claim.id)).has(actor.id)) {
      throw new DomainError('forbidden', 'SELF_APPROVAL', `${actor.name} assessed claim ${claim.number} and may not approve it (four eyes)`, { claimId: claim.id });
    }
    if (claim.status === 'PENDING_SECOND_APPROVAL' && claim.firstApprovedBy === actor.id) {
      throw new DomainError('forbidden', 'SAME_APPROVER', `${actor.name} gave the first approval of claim ${claim.number}; the second must come from another approver`, { claimId: claim.id });
    }
    const terms = ctx.policies.get(claim.product, claim.productVersion);
    const total = claim.pendingTotal!;
    if (!(claim.status === 'ASSESSED' && needsSecondApproval(total, terms))) return finalApproval(ctx, tx, actor, claim, terms);
    await recordApproval(tx, actor, claim, 'FIRST');
    const first = await changeClaim(tx, actor, 'approve_first', claim, { status: transition(claim.status, 'approve_first'), firstApprovedBy: actor.id }, { total: total.toFixed(2), twoApprovalsAbove: terms.twoApprovalsAbove.toFixed(2) });
    return first;
  });
  return claimDetail(forkOf(ctx.em), ctx, actor, after);
}

async function finalApproval(ctx: ClaimsContext, tx: EntityManager, actor: Actor, claim: ClaimRow, terms: ProductTerms): Promise<ClaimRow> {
  const second = claim.status === 'PENDING_SECOND_APPROVAL';
  await recordApproval(tx, actor, claim, second ? 'SECOND' : 'ONLY');
  const items = await tx.execute<{ payable: string }[]>('SELECT payable FROM claim_assessment_items WHERE assessment_id = ? ORDER BY position', [claim.pendingAssessmentId]);
  const total = claim.pendingTotal!;
  const decision = await decideHold(tx, claim, terms, total);
  if (decision.hold) {
    const after = await changeClaim(tx, actor, 'hold', claim, { status: transition(claim.status, 'hold'), holdReasons: decision.reasons }, decision.details);
    return after;
  }
  return grantApproval(tx, actor, claim, terms, second ? 'approve_second' : 'approve', items.map((item) => new Decimal(item.payable)), ctx.today());
}

async function recordApproval(tx: EntityManager, actor: Actor, claim: ClaimRow, step: 'ONLY' | 'FIRST' | 'SECOND'): Promise<void> {
  // assessed_by is copied so the table itself refuses an assessor approving (CHECK approver_id <> assessed_by).
  await tx.execute(
    `INSERT INTO claim_approvals (assessment_id, claim_id, step, approver_id, assessed_by)
     SELECT id, claim_id, ?, ?, assessed_by FROM claim_assessments WHERE id = ?`,
    [step, actor.id, claim.pendingAssessmentId],
  );
}
