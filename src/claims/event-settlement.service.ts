import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney, sum } from '../shared/amounts.js';
import { ConflictError } from '../shared/errors.js';
import { requireRole, type Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { settleRemainder, type HeldClaim, type Settlement } from './assessment.js';
import type { BenefitType, ProductTerms } from './product-terms.js';
import { CLAIM_COLUMNS, toClaimRow, type ClaimRow } from './claims.repository.js';
import { grantApproval, lockYear } from './claim-limits.js';
import { findEvent } from './events.service.js';
import type { ClaimsContext } from './claims.context.js';

/**
 * POST /events/:id/settle: for each product with held claims on the event, the remainder of the
 * per-event limit (limit − already approved) is shared among them in proportion to what each item was
 * assessed, rounded down to the fen, so the event never passes its limit. All products or none.
 */
export async function settleEvent(ctx: ClaimsContext, actor: Actor, eventId: string) {
  requireRole(actor, 'finance');
  return inTransaction(ctx.em, async (tx) => {
    const event = await findEvent(tx, eventId);
    const products = await tx.execute<{ product: string }[]>(`SELECT DISTINCT product FROM claims WHERE event_id = ? AND status = 'HELD' ORDER BY product`, [event.id]);
    if (products.length === 0) throw new ConflictError('NOTHING_TO_SETTLE', `event ${event.id} has no held claims to settle`, { eventId: event.id });
    const settlements = [];
    for (const { product } of products) {
      const settlement = await settleProduct(ctx, tx, actor, event.id, product);
      if (settlement) settlements.push(settlement);
    }
    // Two settlements of one event at once: the second waits on the event counters, then finds the
    // claims the first one settled no longer held. It did nothing, and says so as a sequential retry would.
    if (settlements.length === 0) throw new ConflictError('NOTHING_TO_SETTLE', `event ${event.id} has no held claims to settle (settled meanwhile by another request)`, { eventId: event.id });
    return { event: { id: event.id, name: event.name, type: event.type }, settlements };
  });
}

async function settleProduct(ctx: ClaimsContext, tx: EntityManager, actor: Actor, eventId: string, product: string) {
  // Same lock order as an approval: the event counter first, then claims, then the policy-year counters.
  await tx.execute('INSERT INTO claim_event_totals (event_id, product) VALUES (?, ?) ON CONFLICT DO NOTHING', [eventId, product]);
  const [counter] = await tx.execute<{ approved: string }[]>('SELECT approved FROM claim_event_totals WHERE event_id = ? AND product = ? FOR UPDATE', [eventId, product]);
  const approvedBefore = new Decimal(counter!.approved);
  const held = (await tx.execute(`SELECT ${CLAIM_COLUMNS} FROM claims c WHERE c.event_id = ? AND c.product = ? AND c.status = 'HELD' ORDER BY c.id FOR UPDATE`, [eventId, product])).map(toClaimRow);
  // Read again under the lock: a settlement that ran meanwhile leaves none held, and there is nothing to share.
  if (held.length === 0) return null;
  const items = await heldItems(tx, held);
  const termsOf = (claim: ClaimRow) => ctx.policies.get(claim.product, claim.productVersion);
  // Claims of one event normally share one version; if a new version began mid-event, the newest limit applies.
  const newest = held.map(termsOf).reduce((a, b) => (b.version > a.version ? b : a));
  const assessedTotal = sum(items.flatMap((claim) => claim.items.map((item) => item.assessed)));
  const remainder = newest.perEventLimit === null ? assessedTotal : Decimal.max(0, newest.perEventLimit.minus(approvedBefore));
  const settlement = settleRemainder(remainder, items);
  await checkAggregates(tx, held, settlement, termsOf);

  const today = ctx.today();
  for (const [index, claim] of held.entries()) {
    const shared = settlement.claims[index]!;
    await grantApproval(tx, actor, claim, termsOf(claim), 'settle', shared.items.map((item) => item.settled), today, {
      assessed: formatMoney(shared.assessed), remainder: formatMoney(remainder), heldTotal: formatMoney(assessedTotal),
    });
  }
  return {
    product,
    perEventLimit: newest.perEventLimit && formatMoney(newest.perEventLimit),
    approvedBefore: formatMoney(approvedBefore),
    remainder: formatMoney(remainder),
    claims: settlement.claims.map((shared, index) => ({
      id: held[index]!.id,
      number: held[index]!.number,
      assessed: formatMoney(shared.assessed),
      settled: formatMoney(shared.settled),
      items: shared.items.map((item) => ({ type: item.type, assessed: formatMoney(item.assessed), settled: formatMoney(item.settled) })),
    })),
    total: formatMoney(settlement.total),
  };
}

async function heldItems(tx: EntityManager, held: readonly ClaimRow[]): Promise<HeldClaim[]> {
  const rows = await tx.execute<{ assessment_id: string; type: BenefitType; payable: string }[]>(
    `SELECT assessment_id, type, payable FROM claim_assessment_items
      WHERE assessment_id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint) ORDER BY assessment_id, position`,
    [JSON.stringify(held.map((claim) => claim.pendingAssessmentId))],
  );
  return held.map((claim) => ({
    claimId: claim.id,
    items: rows.filter((row) => String(row.assessment_id) === claim.pendingAssessmentId).map((row) => ({ type: row.type, assessed: new Decimal(row.payable) })),
  }));
}

/** The annual aggregate is never shared out: a settlement that would cross it is refused and reported as exhausted. */
async function checkAggregates(tx: EntityManager, held: readonly ClaimRow[], settlement: Settlement, termsOf: (claim: ClaimRow) => ProductTerms): Promise<void> {
  const years = [...new Set(held.map((claim) => claim.policyYear))].sort();
  for (const year of years) {
    const inYear = held.flatMap((claim, index) => (claim.policyYear === year ? [index] : []));
    const adding = sum(inYear.map((index) => settlement.claims[index]!.settled));
    const approved = await lockYear(tx, held[inYear[0]!]!.product, year);
    const aggregate = termsOf(held[inYear[0]!]!).annualAggregate;
    if (approved.plus(adding).gt(aggregate)) {
      throw new ConflictError(
        'AGGREGATE_EXHAUSTED',
        `the annual aggregate of ${held[0]!.product} for policy year ${year} is exhausted: ${formatMoney(approved)} of ${formatMoney(aggregate)} approved, ${formatMoney(adding)} more would cross it`,
        { product: held[0]!.product, policyYear: year, approved: formatMoney(approved), aggregate: formatMoney(aggregate), requested: formatMoney(adding) },
      );
    }
  }
}
