import { z } from 'zod';
import { Decimal } from '../shared/decimal.js';
import { moneyPattern } from '../shared/amounts.js';
import { isValidDate } from '../shared/dates.js';
import { BENEFIT_TYPES, PRODUCT_CODES, offeredBenefits, type ProductTerms } from './product-terms.js';

// Amounts are strings on purpose: a JSON number has already been through a binary float.
const MONEY_PATTERN = moneyPattern(15);
const RATIO_PATTERN = /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/;
const MONEY_MESSAGE = 'expected a money amount like "20000.00"';
const RATIO_MESSAGE = 'expected a ratio from "0" to "1" like "0.8"';

const money = z
  .string({ error: MONEY_MESSAGE })
  .regex(MONEY_PATTERN, { error: MONEY_MESSAGE })
  .transform((text) => new Decimal(text));

const ratio = z
  .string({ error: RATIO_MESSAGE })
  .regex(RATIO_PATTERN, { error: RATIO_MESSAGE })
  .transform((text) => new Decimal(text));

const date = z.string({ error: 'expected a date like "2020-07-31"' }).refine(isValidDate, {
  error: 'expected a real calendar date like "2020-07-31"',
});

const positiveDays = z.int({ error: 'expected a whole number of days' }).min(1).max(3650);

const documentList = z.array(z.string().trim().min(1, { error: 'a document name cannot be empty' })).min(1, {
  error: 'list at least one document',
});

const dailyAllowance = z.strictObject({ ratePerDay: money, cap: money });

const medical = z.strictObject({
  limit: money,
  deductible: money,
  ratioInsured: ratio,
  ratioUninsured: ratio,
  mode: z.literal('SEPARATE', { error: 'expected "SEPARATE" (the only medical mode the terms define)' }),
});

const requiredDocuments = z.strictObject({
  ALL: documentList,
  DEATH: documentList.optional(),
  DISABILITY: documentList.optional(),
  MEDICAL: documentList.optional(),
  FUNERAL: documentList.optional(),
  RESETTLEMENT: documentList.optional(),
  LIVING_AID: documentList.optional(),
});

export const eventTypeCatalogSchema = z.strictObject({
  eventTypes: z
    .array(
      z.strictObject({
        code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an uppercase code like "TYPHOON"' }),
        labelZh: z.string().trim().min(1),
        group: z.enum(['NATURAL_DISASTER', 'ACCIDENT', 'PUBLIC_INCIDENT', 'SOCIAL']),
      }),
    )
    .min(1),
});
export type EventTypeCatalogFile = z.output<typeof eventTypeCatalogSchema>;
export type EventType = EventTypeCatalogFile['eventTypes'][number];

const policyFields = z.strictObject({
  productCode: z.enum(PRODUCT_CODES),
  nameZh: z.string().trim().min(1),
  version: z.int().min(1),
  validFrom: date,
  validTo: date.nullable(),
  coveredEventTypes: z.array(z.string()).min(1, { error: 'list at least one covered event type' }),
  deathDisabilityLimit: money.nullable(),
  medical: medical.nullable(),
  funeralGrant: money.nullable(),
  resettlement: dailyAllowance.nullable(),
  livingAid: dailyAllowance.nullable(),
  advance: z.strictObject({ max: money }).nullable(),
  perEventLimit: money.nullable(),
  annualAggregate: money,
  twoApprovalsAbove: money,
  reportDeadlineYears: z.int().min(1).max(10),
  statutoryClocks: z.strictObject({ decisionDays: positiveDays, paymentDays: positiveDays }),
  requiredDocuments,
  annualPremium: money,
});

/** Rules between fields: each is a mistake a hand-edited contract file could make. */
function checkConsistency(terms: z.output<typeof policyFields>, ctx: z.RefinementCtx): void {
  if (terms.validTo !== null && terms.validTo < terms.validFrom) {
    ctx.addIssue({ code: 'custom', path: ['validTo'], message: `must not be before validFrom ${terms.validFrom}` });
  }
  const seen = new Set<string>();
  terms.coveredEventTypes.forEach((code, index) => {
    if (seen.has(code)) ctx.addIssue({ code: 'custom', path: ['coveredEventTypes', index], message: `${code} is listed twice` });
    seen.add(code);
  });
  const offered = offeredBenefits(terms as ProductTerms);
  for (const type of BENEFIT_TYPES) {
    const listed = terms.requiredDocuments[type] !== undefined;
    if (offered.has(type) && !listed) {
      ctx.addIssue({ code: 'custom', path: ['requiredDocuments', type], message: `the product pays ${type}, so list its documents` });
    }
    if (!offered.has(type) && listed) {
      ctx.addIssue({ code: 'custom', path: ['requiredDocuments', type], message: `the product does not pay ${type}` });
    }
  }
  if (terms.medical && terms.medical.deductible.gt(terms.medical.limit)) {
    ctx.addIssue({ code: 'custom', path: ['medical', 'deductible'], message: 'must not exceed medical.limit' });
  }
}

/** The shape of one policies/<PRODUCT>/<validFrom>.v<version>.json file; amounts come out as Decimal. */
export const policyFileSchema = policyFields.superRefine(checkConsistency);
export type PolicyFile = z.output<typeof policyFileSchema>;
