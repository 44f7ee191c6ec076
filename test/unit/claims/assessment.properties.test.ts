// Proves with random claims that the engine never pays a negative item, never passes a per-person limit, never reimburses an invoice twice, and that a settlement never exceeds its remainder.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../src/shared/decimal.js';
import { sum } from '../../../src/shared/amounts.js';
import {
  applyAdvance,
  assess,
  noPriorPayments,
  offeredBenefits,
  settleRemainder,
  PRODUCT_CODES,
  type BenefitType,
  type ClaimedItem,
  type ProductTerms,
} from './core.js';
import { addToPrior, termsOf } from './claims.fixtures.js';

const fen = (max: number) => fc.integer({ min: 0, max }).map((n) => new Decimal(n).dividedBy(100));
const invoiceNumber = fc.constantFrom('INV-1', 'INV-2', 'inv-2', 'INV-3', 'INV-4', ' INV-5', 'INV-6');

const invoice = fc
  .tuple(invoiceNumber, fc.integer({ min: 0, max: 3_000_000 }), fc.integer({ min: 0, max: 100 }))
  .map(([number, amountFen, excludedPercent]) => ({
    number,
    amount: new Decimal(amountFen).dividedBy(100),
    excluded: new Decimal(Math.floor((amountFen * excludedPercent) / 100)).dividedBy(100),
  }));

const itemOf: Record<BenefitType, fc.Arbitrary<ClaimedItem>> = {
  DEATH: fc.constant({ type: 'DEATH' }),
  DISABILITY: fc.integer({ min: 1, max: 10 }).map((grade) => ({ type: 'DISABILITY', grade })),
  MEDICAL: fc
    .record({ invoices: fc.array(invoice, { minLength: 1, maxLength: 4 }), social: fc.option(fen(1_000_000)), other: fc.option(fen(500_000)) })
    .map(({ invoices, social, other }) => ({
      type: 'MEDICAL',
      invoices,
      ...(social ? { paidBySocialInsurance: social } : {}),
      ...(other ? { paidByOtherInsurance: other } : {}),
    })),
  FUNERAL: fc.constant({ type: 'FUNERAL' }),
  RESETTLEMENT: fc.integer({ min: 1, max: 40 }).map((days) => ({ type: 'RESETTLEMENT', days })),
  LIVING_AID: fc.integer({ min: 1, max: 120 }).map((days) => ({ type: 'LIVING_AID', days })),
};

/** A request claims a random subset of what the product offers, each item once, in random order. */
function claimOf(terms: ProductTerms): fc.Arbitrary<ClaimedItem[]> {
  const offered = [...offeredBenefits(terms)];
  return fc
    .shuffledSubarray(offered, { minLength: 1 })
    .chain((types) => fc.tuple(...types.map((type) => itemOf[type])));
}

/** A person's sequence of claims under one product and event, each assessed against what the earlier ones paid. */
const scenario = fc
  .constantFrom(...PRODUCT_CODES)
  .map(termsOf)
  .chain((terms) => fc.record({ terms: fc.constant(terms), insured: fc.boolean(), claims: fc.array(claimOf(terms), { minLength: 1, maxLength: 6 }) }));

describe('assessment properties', () => {
  it('pays no negative item, stays within every per-person limit and reimburses each invoice once', () => {
    fc.assert(
      fc.property(scenario, ({ terms, insured, claims }) => {
        let prior = noPriorPayments();
        const invoiceTakenBy = new Map<string, string>();
        claims.forEach((items, index) => {
          const claimId = `C-${index}`;
          const result = assess({ terms, hasMedicalInsurance: insured, items, prior });
          for (const item of result.items) {
            expect(item.payable.isNegative()).toBe(false);
            expect(item.payable.decimalPlaces()).toBeLessThanOrEqual(2);
            for (const inv of item.invoices ?? []) {
              if (!inv.counted) continue;
              expect(invoiceTakenBy.has(inv.number)).toBe(false);
              invoiceTakenBy.set(inv.number, claimId);
            }
          }
          expect(result.total.eq(sum(result.items.map((item) => item.payable)))).toBe(true);
          prior = addToPrior(prior, result, claimId);
        });
        if (terms.deathDisabilityLimit) expect(prior.deathDisabilityPaid.lte(terms.deathDisabilityLimit)).toBe(true);
        if (terms.medical) expect(prior.medicalPaid.lte(terms.medical.limit)).toBe(true);
        if (terms.funeralGrant) expect(prior.funeralPaid.lte(terms.funeralGrant)).toBe(true);
        if (terms.resettlement) expect(prior.resettlementPaid.lte(terms.resettlement.cap)).toBe(true);
        if (terms.livingAid) expect(prior.livingAidPaid.lte(terms.livingAid.cap)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('pays one person exactly the disability amount of the worst grade, whatever the order of assessments', () => {
    const grades = fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.constantFrom(...PRODUCT_CODES).map(termsOf), grades, (terms, sequence) => {
        let prior = noPriorPayments();
        for (const grade of sequence) prior = addToPrior(prior, assess({ terms, hasMedicalInsurance: true, items: [{ type: 'DISABILITY', grade }], prior }), 'C');
        const worst = Math.min(...sequence);
        expect(prior.deathDisabilityPaid.toFixed(2)).toBe(terms.deathDisabilityLimit!.times(11 - worst).dividedBy(10).toFixed(2));
      }),
    );
  });
});

describe('settlement properties', () => {
  const heldClaims = fc.array(
    fc.record({
      claimId: fc.uuid(),
      items: fc.array(fc.record({ type: fc.constantFrom<BenefitType>('DEATH', 'DISABILITY', 'MEDICAL'), assessed: fen(30_000_000) }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    { minLength: 1, maxLength: 8 },
  );

  it('never exceeds the remainder and never gives anyone more than assessed', () => {
    fc.assert(
      fc.property(fen(100_000_000), heldClaims, (remainder, held) => {
        const settlement = settleRemainder(remainder, held);
        expect(settlement.total.lte(remainder)).toBe(true);
        const assessedTotal = sum(held.flatMap((claim) => claim.items.map((item) => item.assessed)));
        settlement.claims.forEach((claim) => {
          expect(claim.settled.lte(claim.assessed)).toBe(true);
          for (const item of claim.items) {
            expect(item.settled.isNegative()).toBe(false);
            expect(item.settled.lte(item.assessed)).toBe(true);
            expect(item.settled.decimalPlaces()).toBeLessThanOrEqual(2);
          }
        });
        if (assessedTotal.lte(remainder)) expect(settlement.total.eq(assessedTotal)).toBe(true);
        // Rounding down loses at most one fen per item.
        else expect(remainder.minus(settlement.total).lt(new Decimal(held.flatMap((c) => c.items).length).dividedBy(100))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('applyAdvance never pays a negative amount and accounts for every fen', () => {
    fc.assert(
      fc.property(fen(100_000_000), fen(2_000_000), (total, advance) => {
        const { remaining, recoveryOwed } = applyAdvance(total, advance);
        expect(remaining.isNegative() || recoveryOwed.isNegative()).toBe(false);
        expect(remaining.minus(recoveryOwed).eq(total.minus(advance))).toBe(true);
      }),
    );
  });
});
