import { Decimal } from '../shared/decimal.js';
import { fitsScale, MONEY_SCALE, roundMoneyDown, sum } from '../shared/amounts.js';
import { ValidationError } from '../shared/errors.js';
import type { BenefitType, ProductTerms } from './product-terms.js';

const ZERO = new Decimal(0);

export interface HeldClaim {
  readonly claimId: string;
  readonly items: readonly { readonly type: BenefitType; readonly assessed: Decimal }[];
}

export interface SettledClaim {
  readonly claimId: string;
  readonly items: readonly { readonly type: BenefitType; readonly assessed: Decimal; readonly settled: Decimal }[];
  readonly assessed: Decimal;
  readonly settled: Decimal;
}

export interface Settlement {
  readonly claims: readonly SettledClaim[];
  readonly total: Decimal;
}

/**
 * Shares what is left of a per-event limit among the held claims in proportion to what each item was
 * assessed. Each item is rounded DOWN to the fen so the event's total can never pass its limit; the few
 * fen left over stay with the insurer. When the remainder covers everything, everyone is paid in full.
 */
export function settleRemainder(limitRemaining: Decimal, held: readonly HeldClaim[]): Settlement {
  if (!fitsScale(limitRemaining, MONEY_SCALE)) throw amountError('limitRemaining', limitRemaining);
  held.forEach((claim, c) =>
    claim.items.forEach((item, i) => {
      if (item.assessed.isNegative() || !fitsScale(item.assessed, MONEY_SCALE)) {
        throw amountError(`held.${c}.items.${i}.assessed`, item.assessed);
      }
    }),
  );
  const remaining = Decimal.max(ZERO, limitRemaining);
  const assessedTotal = sum(held.flatMap((claim) => claim.items.map((item) => item.assessed)));
  const share = (assessed: Decimal): Decimal => {
    if (assessedTotal.lte(remaining)) return assessed;
    return roundMoneyDown(assessed.times(remaining).dividedBy(assessedTotal));
  };
  const claims = held.map((claim) => {
    const items = claim.items.map((item) => ({ type: item.type, assessed: item.assessed, settled: share(item.assessed) }));
    return {
      claimId: claim.claimId,
      items,
      assessed: sum(items.map((item) => item.assessed)),
      settled: sum(items.map((item) => item.settled)),
    };
  });
  return { claims, total: sum(claims.map((claim) => claim.settled)) };
}

export interface AdvanceOutcome {
  /** Still to pay after the advance; never negative. */
  readonly remaining: Decimal;
  /** What the claimant owes back when the advance exceeded the final payable. */
  readonly recoveryOwed: Decimal;
}

/** An advance is deducted from the final payable; a shortfall becomes a recovery, never a negative payment. */
export function applyAdvance(total: Decimal, advancePaid: Decimal): AdvanceOutcome {
  if (total.isNegative() || !fitsScale(total, MONEY_SCALE)) throw amountError('total', total);
  if (advancePaid.isNegative() || !fitsScale(advancePaid, MONEY_SCALE)) throw amountError('advancePaid', advancePaid);
  return {
    remaining: Decimal.max(ZERO, total.minus(advancePaid)),
    recoveryOwed: Decimal.max(ZERO, advancePaid.minus(total)),
  };
}

/** Four eyes twice over: a payable strictly above the threshold needs a second, different approver. */
export function needsSecondApproval(total: Decimal, terms: ProductTerms): boolean {
  return total.gt(terms.twoApprovalsAbove);
}

export type LimitCheck =
  | { readonly withinLimits: true }
  | {
      readonly withinLimits: false;
      readonly exceeded: readonly ('PER_EVENT' | 'ANNUAL_AGGREGATE')[];
      /** What is left under each limit before this approval (null: the product has no per-event limit). */
      readonly eventRemaining: Decimal | null;
      readonly aggregateRemaining: Decimal;
    };

/**
 * Whether approving `total` keeps the event and the policy year within their limits. Reaching a limit
 * exactly is allowed; passing it means the claim is held for finance.
 */
export function checkApprovalLimits(
  terms: ProductTerms,
  approvedSoFar: { readonly event: Decimal; readonly policyYear: Decimal },
  total: Decimal,
): LimitCheck {
  const exceeded: ('PER_EVENT' | 'ANNUAL_AGGREGATE')[] = [];
  const eventRemaining = terms.perEventLimit === null ? null : Decimal.max(ZERO, terms.perEventLimit.minus(approvedSoFar.event));
  const aggregateRemaining = Decimal.max(ZERO, terms.annualAggregate.minus(approvedSoFar.policyYear));
  if (eventRemaining !== null && total.gt(eventRemaining)) exceeded.push('PER_EVENT');
  if (total.gt(aggregateRemaining)) exceeded.push('ANNUAL_AGGREGATE');
  if (exceeded.length === 0) return { withinLimits: true };
  return { withinLimits: false, exceeded, eventRemaining, aggregateRemaining };
}

function amountError(field: string, value: Decimal): ValidationError {
  return new ValidationError(`${field}: expected a non-negative amount in fen, got ${value.toString()}`, [
    { field, value: value.toString(), reason: 'a non-negative amount with at most two decimals' },
  ]);
}
