/** Replies of payout batches, confirmations, returned payments, recoveries and the payout figures. */
import { z } from 'zod';
import { count, date, dateTime, decimal, id, money, month, named, page, signedMoney } from './shared.js';

const claimNumber = z.string().meta({ examples: ['LP00000042'] });
const product = z.string().meta({ examples: ['PUBLIC_LIABILITY'] });
const BatchStatus = z.enum(['OPEN', 'SENT', 'CONFIRMED', 'CANCELLED']);
const LineState = z.enum(['PENDING', 'PAID', 'FAILED', 'RETURNED', 'CANCELLED']);

const batchFields = {
  id,
  number: z.string().meta({ examples: ['PB00000007'] }),
  status: BatchStatus,
  total: money,
  lineCount: count,
  criteria: z.record(z.string(), z.unknown()).meta({ description: 'what the batch was made from: claims, or product and approval dates; skipped claims with their reasons' }),
  createdBy: z.string(),
  createdAt: dateTime,
  sentOn: date.nullable(),
  sentAt: dateTime.nullable(),
  cancelledAt: dateTime.nullable(),
  cancelReason: z.string().nullable(),
  confirmedAt: dateTime.nullable(),
};

export const PayoutBatch = named(
  'PayoutBatch',
  z.strictObject({
    ...batchFields,
    counts: z.strictObject({ PENDING: count, PAID: count, FAILED: count, RETURNED: count, CANCELLED: count }),
    lines: z.array(
      z.strictObject({
        position: count,
        claim: claimNumber,
        claimId: id,
        claimant: z.string(),
        product,
        accountName: z.string(),
        accountNumber: z.string().meta({ description: 'masked as the last 4 except for finance' }),
        bankName: z.string(),
        amount: money,
        purpose: z.enum(['FINAL', 'DIFFERENCE', 'REISSUE', 'ADVANCE']),
        state: LineState,
        paymentDueOn: date.nullable(),
        failureReason: z.string().optional(),
        payment: z.strictObject({ id, bankReference: z.string(), paidOn: date }).optional(),
      }),
    ),
  }),
  'A payout batch with every line and its outcome',
);
export const PayoutBatchPage = page(z.strictObject(batchFields));

export const Confirmed = named(
  'BatchConfirmation',
  z.strictObject({
    id,
    number: z.string(),
    status: BatchStatus,
    paid: count,
    failed: count,
    returned: count,
    unchanged: count,
    pending: count,
    lines: z.array(z.strictObject({ claim: claimNumber, position: count, amount: money, outcome: z.enum(['PAID', 'FAILED', 'RETURNED', 'UNCHANGED']) })),
  }),
);

export const ClaimPayments = z.strictObject({
  claim: claimNumber,
  claimId: id,
  items: z.array(
    z.strictObject({
      id,
      kind: z.enum(['ADVANCE', 'PAYMENT', 'REVERSAL']),
      amount: signedMoney,
      paidOn: date,
      reference: z.string().nullable(),
      batch: z.string().nullable().meta({ description: 'the payout batch that paid it, if one did', examples: ['PB00000007'] }),
      reverses: id.nullable().meta({ description: 'a reversal: the payment it takes back' }),
      reversedBy: id.nullable().meta({ description: 'a payment: the reversal that took it back (returned by the bank)' }),
      reason: z.string().nullable(),
      recordedAt: dateTime,
    }),
  ),
});

export const ReturnedPayment = z.strictObject({
  payment: id,
  reversal: id,
  claim: claimNumber,
  claimId: id,
  amount: money,
  returnedOn: date,
  claimStatus: z.string().meta({ examples: ['APPROVED'] }),
  paid: money,
});

export const Recovery = named(
  'Recovery',
  z.strictObject({
    id,
    number: z.string(),
    kind: z.enum(['ADVANCE_EXCESS', 'THIRD_PARTY']),
    claim: claimNumber,
    claimId: id,
    product,
    debtor: z.string(),
    reason: z.string(),
    amount: money,
    collected: money,
    outstanding: money,
    status: z.enum(['OPEN', 'COLLECTED']),
    collections: z.array(z.strictObject({ amount: money, collectedOn: date, reference: z.string().nullable() })),
    createdAt: dateTime,
  }),
);
export const RecoveryPage = page(Recovery);
export const Collected = Recovery.extend({ claimStatus: z.string().meta({ examples: ['CLOSED'] }) });

export const PayoutSummary = z.strictObject({
  groupBy: z.array(z.enum(['product', 'month', 'district'])),
  from: date.nullable(),
  to: date.nullable(),
  items: z.array(
    z.strictObject({
      product: product.optional(),
      month: month.optional(),
      district: z.string().optional(),
      claims: count,
      payments: count,
      advances: money,
      paidInBatchesOrDirect: money,
      returned: money,
      paid: signedMoney,
    }),
  ),
  total: signedMoney,
});

export const LossRatio = z.strictObject({
  product,
  currentPolicyYear: z.int(),
  items: z.array(
    z.strictObject({
      policyYear: z.int(),
      from: date,
      to: date,
      productVersion: z.int(),
      premium: money,
      claims: count,
      paid: money,
      recovered: money,
      net: signedMoney,
      lossRatio: decimal.meta({ description: 'paid ÷ premium, 4 decimals', examples: ['0.8123'] }),
      netLossRatio: decimal,
    }),
  ),
});
