import { z } from 'zod';
import { PRODUCT_CODES, dateText, moneyText } from '../claims/index.js';

/** At most this many lines in one batch: a bank's bulk-disbursement file takes a few tens of thousands. */
export const MAX_BATCH_LINES = 20_000;

const text = (max: number) => z.string().trim().min(1, { error: 'must not be empty' }).max(max);
/** A claim by id or by number (LP00000042), as staff read it off a form or a bank file. */
export const claimKey = z.string().regex(/^(\d{1,18}|LP\d{8,18})$/, { error: 'expected a claim id or number like "LP00000042"' });

export const createBatchSchema = z
  .strictObject({
    claims: z.array(claimKey).min(1).max(MAX_BATCH_LINES).optional(),
    product: z.enum(PRODUCT_CODES).optional(),
    approvedFrom: dateText.optional(),
    approvedTo: dateText.optional(),
  })
  .refine((input) => !(input.approvedFrom && input.approvedTo && input.approvedFrom > input.approvedTo), {
    error: 'approvedFrom must not be after approvedTo', path: ['approvedFrom'],
  });
export type CreateBatchInput = z.output<typeof createBatchSchema>;

export const cancelBatchSchema = z.strictObject({ reason: text(2000).optional() });

const paidLine = z.strictObject({ claim: claimKey, status: z.literal('PAID'), bankReference: text(100), paidOn: dateText });
const failedLine = z.strictObject({ claim: claimKey, status: z.literal('FAILED'), reason: text(500) });
export const confirmSchema = z.strictObject({ lines: z.array(z.discriminatedUnion('status', [paidLine, failedLine])).min(1).max(MAX_BATCH_LINES) });

/** Where a line of the bank's answer came from (the return file's line) and the amount it states, if any. */
interface OutcomeSource {
  line?: number;
  amount?: string;
}

/** One line of the bank's answer, from JSON or from the return file. */
export type LineOutcome =
  | ({ claim: string; status: 'PAID'; bankReference: string; paidOn: string } & OutcomeSource)
  | ({ claim: string; status: 'FAILED'; reason: string } & OutcomeSource)
  | ({ claim: string; status: 'RETURNED'; reason: string; returnedOn?: string } & OutcomeSource);

export const returnPaymentSchema = z.strictObject({ reason: text(2000), returnedOn: dateText.optional() });
export type ReturnPaymentInput = z.output<typeof returnPaymentSchema>;

export const recoverySchema = z.strictObject({ claim: claimKey, debtor: text(200), amount: moneyText, reason: text(2000) });
export type RecoveryInput = z.output<typeof recoverySchema>;

export const collectSchema = z.strictObject({ amount: moneyText, collectedOn: dateText, reference: text(100) });
export type CollectInput = z.output<typeof collectSchema>;

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

export const batchListQuerySchema = z.strictObject({ status: z.enum(['OPEN', 'SENT', 'CONFIRMED', 'CANCELLED']).optional(), ...page });
export type BatchListQuery = z.output<typeof batchListQuerySchema>;

export const recoveryListQuerySchema = z.strictObject({
  status: z.enum(['OPEN', 'COLLECTED']).optional(),
  kind: z.enum(['ADVANCE_EXCESS', 'THIRD_PARTY']).optional(),
  claim: claimKey.optional(),
  ...page,
});
export type RecoveryListQuery = z.output<typeof recoveryListQuerySchema>;

export const SUMMARY_DIMENSIONS = ['product', 'month', 'district'] as const;
export type SummaryDimension = (typeof SUMMARY_DIMENSIONS)[number];

export const summaryQuerySchema = z
  .strictObject({
    groupBy: z
      .string()
      .max(100)
      .transform((value) => [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))])
      .pipe(z.array(z.enum(SUMMARY_DIMENSIONS)))
      .optional(),
    from: dateText.optional(),
    to: dateText.optional(),
  })
  .refine((q) => !(q.from && q.to && q.from > q.to), { error: 'from must not be after to', path: ['from'] });
export type SummaryQuery = z.output<typeof summaryQuerySchema>;

export const lossRatioQuerySchema = z.strictObject({
  year: z.string().regex(/^(20\d\d|2[1-9]\d\d)$/, { error: 'expected a policy year like "2024" (the year it starts on 31 July)' }).transform(Number).optional(),
});
export type LossRatioQuery = z.output<typeof lossRatioQuerySchema>;
