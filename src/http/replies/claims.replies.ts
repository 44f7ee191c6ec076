/** Replies of products, events and claims. Money is yuan with two decimals; ID and bank numbers are masked except for finance. */
import { z } from 'zod';
import { BENEFIT_TYPES, CLAIM_STATUSES } from '../../claims/index.js';
import { count, date, dateTime, decimal, id, money, named, page } from './shared.js';

const claimNumber = z.string().regex(/^LP\d{8,18}$/).meta({ examples: ['LP00000042'] });
const product = z.string().meta({ description: 'product code', examples: ['PUBLIC_LIABILITY'] });
const eventType = z.string().meta({ description: 'event type code', examples: ['TYPHOON'] });
const ClaimStatus = z.enum(CLAIM_STATUSES);
const Benefit = z.enum(BENEFIT_TYPES);
const maskedIdNumber = z.string().meta({ description: 'resident ID, masked as first 6 and last 4 except for finance', examples: ['370202********0012'] });
const maskedAccount = z.string().meta({ description: 'bank account number, masked as the last 4 except for finance', examples: ['***************3445'] });
const rate = z.strictObject({ ratePerDay: money.nullable(), cap: money.nullable() });

export const Product = named(
  'Product',
  z.strictObject({
    code: product,
    name: z.string(),
    version: z.int(),
    validFrom: date,
    validTo: date.nullable(),
    eventTypes: z.array(z.strictObject({ code: eventType, label: z.string() })),
    benefits: z.array(Benefit),
    deathDisabilityLimit: money.nullable(),
    medical: z.strictObject({ limit: money.nullable(), deductible: money.nullable(), ratioInsured: decimal, ratioUninsured: decimal, mode: z.literal('SEPARATE') }).nullable(),
    funeralGrant: money.nullable(),
    resettlement: rate.nullable(),
    livingAid: rate.nullable(),
    advance: z.strictObject({ max: money.nullable() }).nullable(),
    perEventLimit: money.nullable(),
    annualAggregate: money.nullable(),
    twoApprovalsAbove: money.nullable(),
    reportDeadlineYears: z.int(),
    statutoryClocks: z.strictObject({ decisionDays: z.int(), paymentDays: z.int() }),
    requiredDocuments: z.record(z.string(), z.array(z.string())).meta({ description: 'documents per benefit type, and ALL for every claim' }),
    annualPremium: money.nullable(),
  }),
  'One version of an insurance product with its terms',
);
export const Products = z.strictObject({ items: z.array(Product) });

export const Event = named('Event', z.strictObject({ id, type: eventType, typeLabel: z.string(), name: z.string(), occurredOn: date, district: z.string(), createdAt: dateTime }));
export const EventPage = page(Event);
export const EventDetail = Event.extend({
  totals: z.array(
    z.strictObject({ product, version: z.int(), perEventLimit: money.nullable(), approved: money, held: money, awaitingApproval: money, remaining: money.nullable(), claims: count }),
  ),
});
export const EventSettlement = z.strictObject({
  event: z.strictObject({ id, name: z.string(), type: eventType }),
  settlements: z.array(
    z.strictObject({
      product,
      perEventLimit: money.nullable(),
      approvedBefore: money,
      remainder: money,
      claims: z.array(z.strictObject({ id, number: claimNumber, assessed: money, settled: money, items: z.array(z.strictObject({ type: Benefit, assessed: money, settled: money })) })),
      total: money,
    }),
  ),
});

const Documents = z.strictObject({
  required: z.array(z.string()),
  received: z.array(z.strictObject({ name: z.string(), receivedOn: date })),
  missing: z.array(z.string()),
  notice: z.string().nullable().meta({ description: 'the one notice listing every missing document, ready to print; null when none is missing' }),
  completeOn: date.nullable(),
});

export const Claim = named(
  'Claim',
  z.strictObject({
    id,
    number: claimNumber,
    product,
    productVersion: z.int(),
    policyYear: z.int(),
    status: ClaimStatus,
    statusLabel: z.string().meta({ examples: ['已报案'] }),
    event: z.strictObject({ id, type: eventType, name: z.string(), occurredOn: date, district: z.string() }),
    claimant: z.strictObject({
      name: z.string(),
      idNumber: maskedIdNumber,
      phone: z.string(),
      hasMedicalInsurance: z.boolean(),
      bank: z.strictObject({ accountName: z.string().nullable(), accountNumber: maskedAccount.nullable(), bankName: z.string().nullable() }),
    }),
    incidentOn: date,
    reportedOn: date,
    description: z.string(),
    benefits: z.array(Benefit),
    documents: Documents,
    assessed: money.nullable(),
    approved: money,
    payable: money,
    advanceApproved: money.meta({ description: 'advances approved so far; a payout batch or POST /claims/:id/pay pays them' }),
    advancePaid: money,
    paid: money,
    remaining: money,
    recoveryOwed: money,
    assessment: z
      .strictObject({
        id,
        state: z.string().meta({ examples: ['PENDING'] }),
        productVersion: z.int(),
        total: money,
        assessedBy: z.string(),
        assessedAt: dateTime,
        items: z.array(z.strictObject({ type: Benefit, payable: money, approved: money.nullable(), explanation: z.string(), grade: z.int().optional() })),
        approvals: z.array(z.strictObject({ step: z.enum(['ONLY', 'FIRST', 'SECOND']), approver: z.string(), at: dateTime })),
      })
      .nullable(),
    needsSecondApproval: z.boolean(),
    holdReasons: z.array(z.string().meta({ examples: ['PER_EVENT_LIMIT'] })),
    dueDates: z.strictObject({ decision: date.nullable(), payment: date.nullable() }),
    approvedOn: date.nullable(),
    overdue: z.boolean(),
    actions: z.array(z.enum(['survey', 'assessment', 'approve', 'reject', 'return', 'withdraw', 'reopen', 'pay', 'close'])).meta({ description: 'the claim routes (POST /claims/{id}/<action>) that may come next' }),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  'A claim as every claim action returns it',
);

export const ClaimPage = page(
  z.strictObject({
    id,
    number: claimNumber,
    product,
    productVersion: z.int(),
    status: ClaimStatus,
    event: z.strictObject({ id, name: z.string(), type: eventType }),
    district: z.string(),
    claimantName: z.string(),
    idNumber: maskedIdNumber,
    bankAccountNumber: maskedAccount.nullable(),
    incidentOn: date,
    reportedOn: date,
    payable: money,
    paid: money,
    remaining: money,
    dueDates: z.strictObject({ decision: date.nullable(), payment: date.nullable() }),
    overdue: z.boolean(),
  }),
);

export const RegisteredClaim = z.strictObject({ id, number: claimNumber, status: ClaimStatus, product, productVersion: z.int(), documents: Documents });

export const ClaimHistory = z.strictObject({
  claimId: id,
  number: claimNumber,
  items: z.array(
    z.strictObject({
      id,
      at: dateTime,
      actor: z.strictObject({ id, name: z.string() }),
      action: z.string().meta({ examples: ['survey'] }),
      details: z.record(z.string(), z.unknown()).nullable().meta({ description: 'what the action took (reason, amounts, documents, …)' }),
      before: z.record(z.string(), z.unknown()).nullable().meta({ description: 'the claim\'s state before: status, totals, due dates, …; null for the registration' }),
      after: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});

export const Revealed = z.strictObject({ idNumber: z.string().meta({ examples: ['370202198001010012'] }), bankAccount: z.string().optional() });
export const AccessLog = page(
  z.strictObject({ id, at: dateTime, actor: z.strictObject({ id, name: z.string() }), claim: z.strictObject({ id, number: claimNumber }), fields: z.array(z.string()), reason: z.string() }),
);
export const Surveyed = z.strictObject({ id, number: claimNumber, status: ClaimStatus, decisionDueOn: date.nullable(), documents: Documents });
export const Assessed = z.strictObject({
  claimId: id,
  number: claimNumber,
  status: ClaimStatus,
  assessmentId: id,
  productVersion: z.int(),
  items: z.array(
    z.strictObject({
      type: Benefit,
      payable: money,
      explanation: z.string().meta({ description: 'the formula with its numbers filled in' }),
      grade: z.int().optional(),
      invoices: z.array(z.strictObject({ number: z.string(), amount: money, excluded: money, counted: z.boolean(), reason: z.string().optional() })).optional(),
    }),
  ),
  total: money,
  advancePaid: money,
  remaining: money,
  recoveryOwed: money,
  needsSecondApproval: z.boolean(),
});
export const Advanced = z.strictObject({ id, number: claimNumber, status: ClaimStatus, advanceApproved: money, advancePaid: money, advanceUnpaid: money, advanceMax: money, approvedOn: date });
