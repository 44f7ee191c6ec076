import { Decimal } from '../shared/decimal.js';
import { formatMoney, sum } from '../shared/amounts.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { needsSecondApproval } from './assessment.js';
import { transition, type ClaimAction } from './claim-status.js';
import { snapshot, type ClaimChanges, type ClaimRow } from './claims.repository.js';
import { grantChanges, holdDecision } from './claim-limits.js';
import { claimDetailOf, DETAIL_COLUMNS, type DetailParts } from './claims-query.service.js';
import type { ClaimsContext } from './claims.context.js';
import { ClaimChangedMeanwhile, claimReader, guardedChange, optimistically, readClaim, withClaimsDb, type ClaimsDb, type Params, type ReadClaim } from './claims.db.js';

/** The claim with who assessed it, its pending items' payables, and everything its reply shows. */
const APPROVE_READ = claimReader(`
  (SELECT COALESCE(array_agg(DISTINCT a.assessed_by::text), '{}') FROM claim_assessments a WHERE a.claim_id = c.id) AS assessors,
  (SELECT COALESCE(json_agg(i.payable::text ORDER BY i.position), '[]') FROM claim_assessment_items i WHERE i.assessment_id = c.pending_assessment_id) AS payables,
  ${DETAIL_COLUMNS}`);

const NOW_ISO = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

type Step = 'ONLY' | 'FIRST' | 'SECOND';

/**
 * POST /claims/:id/approve. Four eyes: nobody who assessed the claim approves it, and a payable above
 * the product's threshold needs a second approval by someone else. The approval that completes the set
 * is checked against the per-event limit and the annual aggregate in one statement that locks their
 * counters (claims_approve_within_limits). The reply is built from what was read and written: no read-back.
 */
export async function approveClaim(ctx: ClaimsContext, actor: Actor, key: string) {
  return withClaimsDb(ctx.em, (db) => optimistically(key, async () => {
    const read = await readClaim(db, APPROVE_READ, key);
    if (!read) throw new NotFoundError('claim', key);
    const { claim } = read;
    if (claim.status !== 'ASSESSED' && claim.status !== 'PENDING_SECOND_APPROVAL') transition(claim.status, 'approve');
    if ((read.raw.assessors as string[]).includes(actor.id)) {
      throw new DomainError('forbidden', 'SELF_APPROVAL', `${actor.name} assessed claim ${claim.number} and may not approve it (four eyes)`, { claimId: claim.id });
    }
    if (claim.status === 'PENDING_SECOND_APPROVAL' && claim.firstApprovedBy === actor.id) {
      throw new DomainError('forbidden', 'SAME_APPROVER', `${actor.name} gave the first approval of claim ${claim.number}; the second must come from another approver`, { claimId: claim.id });
    }
    const terms = ctx.policies.get(claim.product, claim.productVersion);
    const total = claim.pendingTotal!;
    if (!(claim.status === 'ASSESSED' && needsSecondApproval(total, terms))) return finalApproval(ctx, db, actor, read);
    const changes = { status: transition(claim.status, 'approve_first'), firstApprovedBy: actor.id };
    const details = { total: total.toFixed(2), twoApprovalsAbove: terms.twoApprovalsAbove.toFixed(2) };
    return approvedWithoutGrant(ctx, db, actor, read, 'FIRST', 'approve_first', changes, details);
  }));
}

async function finalApproval(ctx: ClaimsContext, db: ClaimsDb, actor: Actor, read: ReadClaim) {
  const { claim } = read;
  const terms = ctx.policies.get(claim.product, claim.productVersion);
  const second = claim.status === 'PENDING_SECOND_APPROVAL';
  const step: Step = second ? 'SECOND' : 'ONLY';
  const action: ClaimAction = second ? 'approve_second' : 'approve';
  const total = claim.pendingTotal!;
  const amount = sum((read.raw.payables as string[]).map((payable) => new Decimal(payable)));
  const changes = grantChanges(claim, terms, action, amount, ctx.today());
  const after: ClaimRow = { ...claim, ...changes };
  const [outcome] = await db.query<{ o_outcome: 'STALE' | 'OVER' | 'GRANTED'; o_event_approved: string; o_year_approved: string; o_queued: string; o_approved_at: string; o_updated_at: string }>(
    'SELECT * FROM claims_approve_within_limits($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)',
    [
      claim.id, read.version, step, actor.id, actor.name, action,
      formatMoney(total), formatMoney(amount), terms.perEventLimit && formatMoney(terms.perEventLimit), formatMoney(terms.annualAggregate),
      changes.status, changes.approvedOn, changes.paymentDueOn, formatMoney(changes.recoveryOwed),
      JSON.stringify({ amount: formatMoney(amount) }), JSON.stringify(snapshot(claim)), JSON.stringify(snapshot(after)),
    ],
  );
  if (outcome!.o_outcome === 'STALE') throw new ClaimChangedMeanwhile();
  if (outcome!.o_outcome === 'GRANTED') {
    const parts = withApproval(read.raw as DetailParts, step, actor, outcome!.o_approved_at);
    parts.assessment = parts.assessment && { ...parts.assessment, state: 'APPROVED', items: parts.assessment.items.map((item) => ({ ...item, approved: item.payable })) };
    return claimDetailOf(ctx, actor, { ...after, updatedAt: outcome!.o_updated_at }, parts);
  }
  // Over a limit: nothing was written. Held, with the counters as they were under the lock (a change
  // to the claim meanwhile sends the approval round again).
  const counters = { eventApproved: new Decimal(outcome!.o_event_approved), yearApproved: new Decimal(outcome!.o_year_approved) };
  const decision = holdDecision(claim, terms, total, counters, new Decimal(outcome!.o_queued));
  if (!decision.hold) throw new ClaimChangedMeanwhile();
  const holdChanges = { status: transition(claim.status, 'hold'), holdReasons: decision.reasons };
  return approvedWithoutGrant(ctx, db, actor, read, step, 'hold', holdChanges, decision.details);
}

/** A first approval, or an approval held over a limit: the approval recorded and the claim changed, nothing granted. */
async function approvedWithoutGrant(ctx: ClaimsContext, db: ClaimsDb, actor: Actor, read: ReadClaim, step: Step, action: string, changes: ClaimChanges, details: Record<string, unknown>) {
  const { claim, raw } = await guardedChange(db, actor, action, read, changes, details, {
    also: (p) => [approvalInsert(p, read, step, actor)],
    select: () => `${NOW_ISO} AS approved_at`,
  });
  return claimDetailOf(ctx, actor, claim, withApproval(read.raw as DetailParts, step, actor, raw.approved_at));
}

// assessed_by is copied so the table itself refuses an assessor approving (CHECK approver_id <> assessed_by).
function approvalInsert(p: Params, read: ReadClaim, step: Step, actor: Actor): string {
  return `ap AS (INSERT INTO claim_approvals (assessment_id, claim_id, step, approver_id, assessed_by)
           SELECT a.id, a.claim_id, ${p.add(step)}, ${p.add(actor.id)}::bigint, a.assessed_by FROM claim_assessments a, c WHERE a.id = ${p.add(read.claim.pendingAssessmentId)}::bigint)`;
}

/** The reply's parts as read, with this approval added to the pending assessment's approvals. */
function withApproval(parts: DetailParts, step: Step, actor: Actor, at: string): DetailParts {
  const assessment = parts.assessment && { ...parts.assessment, approvals: [...parts.assessment.approvals, { step, approver: actor.name, at }] };
  return { event: parts.event, documents: parts.documents, assessment };
}
