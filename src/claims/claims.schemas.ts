import { z } from 'zod';
import { Decimal } from '../shared/decimal.js';
import { MONEY_FORM, moneyPattern } from '../shared/amounts.js';
import { isValidDate } from '../shared/dates.js';
import { BENEFIT_TYPES, PRODUCT_CODES } from './product-terms.js';
import { CLAIM_STATUSES } from './claim-status.js';

// Amounts travel as strings with exactly two decimals: a JSON number has already been through a binary float.
export const moneyText = z
  .string({ error: MONEY_FORM })
  .regex(moneyPattern(12), { error: MONEY_FORM })
  .transform((text) => new Decimal(text));

export const dateText = z
  .string({ error: 'expected a date like "2024-07-31"' })
  .refine(isValidDate, { error: 'expected a real calendar date like "2024-07-31"' })
  .meta({ format: 'date' });

const text = (max: number) => z.string().trim().min(1, { error: 'must not be empty' }).max(max);
const idText = z.union([z.string().regex(/^\d{1,18}$/, { error: 'expected an id' }), z.int().positive()]).transform(String);
const documentNames = z.array(text(200)).max(100);

export const eventInputSchema = z.strictObject({
  type: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an event type code like "TYPHOON"' }),
  name: text(200),
  occurredOn: dateText,
  district: text(100),
});
export type EventInput = z.output<typeof eventInputSchema>;

const bankFields = {
  accountName: text(100),
  accountNumber: z
    .string()
    .transform((value) => value.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{8,32}$/, { error: 'expected 8 to 32 digits' })),
  bankName: text(100),
};

export const intakeSchema = z.strictObject({
  product: z.enum(PRODUCT_CODES),
  event: idText,
  claimant: z.strictObject({
    name: text(100),
    idNumber: z.string().max(40),
    phone: z.string().trim().regex(/^[0-9+][0-9-]{4,19}$/, { error: 'expected a phone number of digits (and - or a leading +)' }),
    hasMedicalInsurance: z.boolean(),
    bank: z.strictObject(bankFields),
  }),
  incidentOn: dateText,
  reportedOn: dateText.optional(),
  description: text(4000),
  /** The benefit items claimed; they decide which documents the notice asks for. Default: every item the product pays. */
  benefits: z.array(z.enum(BENEFIT_TYPES)).min(1).max(BENEFIT_TYPES.length).optional(),
  /** Documents handed in with the report. */
  documents: documentNames.optional(),
});
export type IntakeInput = z.output<typeof intakeSchema>;

export const surveySchema = z.strictObject({
  surveyor: text(100).optional(),
  surveyedOn: dateText,
  findings: text(4000),
  documentsReceived: documentNames.default([]),
});
export type SurveyInput = z.output<typeof surveySchema>;

const invoiceSchema = z.strictObject({
  number: text(64),
  amount: moneyText,
  excluded: moneyText.optional(),
});

const days = z.int({ error: 'expected a whole number of days' }).min(1).max(3650);

export const claimedItemSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('DEATH') }),
  z.strictObject({ type: z.literal('DISABILITY'), grade: z.int({ error: 'expected a grade 1 to 10' }).min(1).max(10) }),
  z.strictObject({
    type: z.literal('MEDICAL'),
    invoices: z.array(invoiceSchema).min(1).max(500),
    paidBySocialInsurance: moneyText.optional(),
    paidByOtherInsurance: moneyText.optional(),
  }),
  z.strictObject({ type: z.literal('FUNERAL') }),
  z.strictObject({ type: z.literal('RESETTLEMENT'), days }),
  z.strictObject({ type: z.literal('LIVING_AID'), days }),
]);

export const assessmentSchema = z.strictObject({ items: z.array(claimedItemSchema).min(1).max(BENEFIT_TYPES.length) });
export type AssessmentRequest = z.output<typeof assessmentSchema>;

export const reasonSchema = z.strictObject({ reason: text(2000) });
export const optionalReasonSchema = z.strictObject({ reason: text(2000).optional() });

export const advanceSchema = z.strictObject({
  amount: moneyText,
  note: text(2000).optional(),
});
export type AdvanceInput = z.output<typeof advanceSchema>;

/** PUT /claims/:id/bank: corrected bank details, with why (e.g. the bank's refusal). */
export const bankSchema = z.strictObject({ ...bankFields, reason: text(2000).optional() });
export type BankInput = z.output<typeof bankSchema>;

export const paySchema = z.strictObject({ paidOn: dateText, reference: text(100) });
export type PayInput = z.output<typeof paySchema>;

const statusList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(z.enum(CLAIM_STATUSES)).min(1));

export const claimListQuerySchema = z.strictObject({
  product: z.enum(PRODUCT_CODES).optional(),
  event: z.string().regex(/^\d{1,18}$/, { error: 'expected an event id' }).optional(),
  status: statusList.optional(),
  district: z.string().trim().min(1).max(100).optional(),
  reportedFrom: dateText.optional(),
  reportedTo: dateText.optional(),
  incidentFrom: dateText.optional(),
  incidentTo: dateText.optional(),
  overdue: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  batched: z.enum(['true', 'false']).transform((value) => value === 'true').optional()
    .meta({ description: 'true: only claims with an amount waiting in an open or sent payout batch; false: only claims without one' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type ClaimListQuery = z.output<typeof claimListQuerySchema>;

export const eventListQuerySchema = z.strictObject({
  type: z.string().optional(),
  district: z.string().trim().min(1).max(100).optional(),
  from: dateText.optional(),
  to: dateText.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type EventListQuery = z.output<typeof eventListQuerySchema>;
