import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney, sum } from '../shared/amounts.js';
import { addDays } from '../shared/dates.js';
import type { Actor } from '../shared/actor.js';
import { checkApprovalLimits } from './assessment.js';
import { transition, type ClaimAction } from './claim-status.js';
import type { ProductTerms } from './product-terms.js';
import { balances, changeClaim, type ClaimChanges, type ClaimRow } from './claims.repository.js';

export interface LimitCounters {
  eventApproved: Decimal;
  yearApproved: Decimal;
}

export const lockYear = (tx: EntityManager, product: string, policyYear: number) => lockRow(tx, 'claim_year_totals', 'policy_year', policyYear, product);

/** SELECT … FOR UPDATE, creating the counter row the first time (a race to create it is settled by ON CONFLICT). */
async function lockRow(tx: EntityManager, table: string, keyColumn: string, key: string | number, product: string): Promise<Decimal> {
  const select = `SELECT approved FROM ${table} WHERE ${keyColumn} = ? AND product = ? FOR UPDATE`;
  let [row] = await tx.execute<{ approved: string }[]>(select, [key, product]);
  if (!row) {
    await tx.execute(`INSERT INTO ${table} (${keyColumn}, product) VALUES (?, ?) ON CONFLICT DO NOTHING`, [key, product]);
    [row] = await tx.execute<{ approved: string }[]>(select, [key, product]);
  }
  return new Decimal(row!.approved);
}

export type HoldDecision =
  | { hold: false }
  | { hold: true; reasons: ('PER_EVENT' | 'ANNUAL_AGGREGATE')[]; details: Record<string, unknown> };

/**
 * Whether the final approval of `total` is held, given the counters (locked) and the claims still waiting
 * on the event (other than this one). Per event, those count too: when they cannot all be paid in full,
 * none is paid first-come-first-served; they are held and the remainder is shared pro rata by finance
 * (POST /events/:id/settle), as the terms require. The annual aggregate holds an approval that would cross it.
 * The database applies the same rule in claims_approve_within_limits while it holds the counters.
 */
export function holdDecision(claim: ClaimRow, terms: ProductTerms, total: Decimal, counters: LimitCounters, queued: Decimal): HoldDecision {
  const check = checkApprovalLimits(terms, { event: counters.eventApproved.plus(queued), policyYear: counters.yearApproved }, total);
  if (check.withinLimits) return { hold: false };
  return {
    hold: true,
    reasons: [...check.exceeded],
    details: {
      exceeded: check.exceeded,
      total: formatMoney(total),
      perEventLimit: terms.perEventLimit && formatMoney(terms.perEventLimit),
      eventApproved: formatMoney(counters.eventApproved),
      otherClaimsWaiting: formatMoney(queued),
      annualAggregate: formatMoney(terms.annualAggregate),
      policyYear: claim.policyYear,
      yearApproved: formatMoney(counters.yearApproved),
      aggregateRemaining: formatMoney(check.aggregateRemaining),
    },
  };
}

/**
 * Grants the pending assessment: each item's approved amount (its payable, or less when an event limit
 * was shared), the counters (already locked by the caller), and the clocks. Shared by approval and settlement.
 */
export async function grantApproval(
  tx: EntityManager,
  actor: Actor,
  claim: ClaimRow,
  terms: ProductTerms,
  action: ClaimAction,
  approvedItems: readonly Decimal[],
  today: string,
  details: Record<string, unknown> = {},
): Promise<ClaimRow> {
  const amount = sum(approvedItems);
  // One statement for the items, the assessment and both counters: the counters are locked, so every round trip counts.
  await tx.execute(
    `WITH items AS (
       UPDATE claim_assessment_items i SET approved = x.approved
         FROM jsonb_to_recordset(?::jsonb) AS x(position int, approved numeric) WHERE i.assessment_id = ? AND i.position = x.position
     ), assessment AS (
       UPDATE claim_assessments SET state = 'APPROVED', approved_total = ? WHERE id = ? AND state = 'PENDING'
     ), event AS (
       UPDATE claim_event_totals SET approved = approved + ?, limit_amount = ? WHERE event_id = ? AND product = ?
     )
     UPDATE claim_year_totals SET approved = approved + ?, aggregate = ? WHERE product = ? AND policy_year = ?`,
    [
      JSON.stringify(approvedItems.map((value, position) => ({ position, approved: formatMoney(value) }))), claim.pendingAssessmentId,
      formatMoney(amount), claim.pendingAssessmentId,
      formatMoney(amount), terms.perEventLimit && formatMoney(terms.perEventLimit), claim.eventId, claim.product,
      formatMoney(amount), formatMoney(terms.annualAggregate), claim.product, claim.policyYear,
    ],
  );
  const after = await changeClaim(tx, actor, action, claim, grantChanges(claim, terms, action, amount, today), { amount: formatMoney(amount), ...details });
  return after;
}

/** What granting `amount` changes on the claim: approved, nothing pending, and the payment clock started. */
export function grantChanges(claim: ClaimRow, terms: ProductTerms, action: ClaimAction, amount: Decimal, today: string) {
  const approvedTotal = claim.approvedTotal.plus(amount);
  return {
    status: transition(claim.status, action),
    approvedTotal,
    pendingAssessmentId: null,
    pendingTotal: null,
    firstApprovedBy: null,
    holdReasons: [],
    approvedOn: today,
    paymentDueOn: addDays(today, terms.statutoryClocks.paymentDays),
    // An advance larger than the final figure is owed back; it is never a negative payment.
    recoveryOwed: balances(approvedTotal, claim.advancePaid, claim.paidTotal).recoveryOwed,
  } satisfies ClaimChanges;
}
