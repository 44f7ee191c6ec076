/**
 * Request shapes of the supply ledger. Quantities and money arrive as decimal strings and leave this
 * file as Decimal; a JSON number is refused because it has already been through a binary float.
 * Shape errors are reported here; the posting rules (scale, lots, expiry) in the pure core.
 */
import { z } from 'zod';
import { QUANTITY_FORM, UNIT_COST_FORM, parseDecimal } from '../shared/amounts.js';
import { isValidDate } from '../shared/dates.js';
import { LOSS_REASONS } from './core/nodes.js';
import { LOT_MAX_LENGTH, MAX_DOCUMENT_LINES } from './core/validation.js';

/**
 * A decimal in its one canonical form (see shared/amounts.ts): form errors (spaces, "+", leading zeros,
 * exponents, numbers) are refused here with the expected form. A minus sign passes, so that the posting
 * rules report a negative quantity together with every other problem of the document.
 */
const decimalIn = (form: string) =>
  z
    .string({ error: form })
    .max(45, { error: form })
    .transform((text, ctx) => {
      const value = parseDecimal(text);
      if (value === null) {
        ctx.addIssue({ code: 'custom', message: form });
        return z.NEVER;
      }
      return value;
    });

// The pattern is what /openapi.json shows; the transform checks the canonical form (see shared/amounts.ts).
export const quantityText = decimalIn(QUANTITY_FORM).meta({ pattern: '^(0|[1-9]\\d*)(\\.\\d{1,3})?$', examples: ['12.5'] });
export const unitCostText = decimalIn(UNIT_COST_FORM).meta({ pattern: '^(0|[1-9]\\d*)(\\.\\d{1,2})?$', examples: ['45.5'] });

export const dateText = z.string().refine(isValidDate, 'must be a date written YYYY-MM-DD').meta({ format: 'date' });
const code = z.string().trim().min(1).max(32);
const lot = z.string().max(LOT_MAX_LENGTH);
const note = z.string().trim().min(1).max(500);

const documentLine = z
  .object({
    category: code,
    quantity: quantityText,
    lot: lot.nullish(),
    expiresOn: dateText.nullish(),
    unitCost: unitCostText.nullish(),
  })
  .strict();
export type DocumentLine = z.infer<typeof documentLine>;
const lines = z.array(documentLine).min(1).max(MAX_DOCUMENT_LINES);

export const receiptBody = z
  .object({
    warehouse: code,
    source: z
      .object({ kind: z.enum(['PROCUREMENT', 'DONATION']), name: z.string().min(1).max(100), reference: z.string().trim().max(100).optional() })
      .strict(),
    occurredAt: dateText.optional(),
    note: note.optional(),
    lines,
  })
  .strict();
export type ReceiptBody = z.infer<typeof receiptBody>;

export const writeOffBody = z
  .object({ warehouse: code, reason: z.enum(LOSS_REASONS), note: note.optional(), occurredAt: dateText.optional(), lines })
  .strict();
export type WriteOffBody = z.infer<typeof writeOffBody>;

export const transferBody = z
  .object({ from: code, to: code, note: note.optional(), occurredAt: dateText.optional(), lines })
  .strict();
export type TransferBody = z.infer<typeof transferBody>;

export const transferReceiveBody = z
  .object({
    note: note.optional(),
    occurredAt: dateText.optional(),
    lines: z
      .array(z.object({ category: code, lot: lot.nullish(), received: quantityText, damaged: quantityText.optional() }).strict())
      .min(1)
      .max(MAX_DOCUMENT_LINES),
  })
  .strict();
export type TransferReceiveBody = z.infer<typeof transferReceiveBody>;

export const noteBody = z.object({ note: note.optional() }).strict();

export const reverseBody = z.object({ reason: note }).strict();

/** Reopening a closed month (月结) always says why; the reason is kept in the month's history. */
export const reopenBody = z.object({ reason: note }).strict();

export const stocktakeBody = z.object({ warehouse: code }).strict();

export const countsBody = z
  .object({
    lines: z
      .array(z.object({ category: code, lot: lot.nullish(), counted: quantityText }).strict())
      .min(1)
      .max(MAX_DOCUMENT_LINES),
  })
  .strict();
export type CountsBody = z.infer<typeof countsBody>;

export const lotStatusBody = z
  .object({ status: z.enum(['AVAILABLE', 'QUARANTINED', 'EXPIRED']), reason: note })
  .strict();

export const quotaBody = z.object({ warehouse: code, category: code, quantity: quantityText }).strict();

export const balancesQuery = z.object({
  warehouse: code.optional(),
  category: code.optional(),
  asOf: dateText.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});
export type BalancesQuery = z.infer<typeof balancesQuery>;

export const ledgerQuery = z.object({
  category: code,
  warehouse: code.optional(),
  from: dateText.optional(),
  to: dateText.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
});
export type LedgerQuery = z.infer<typeof ledgerQuery>;

export const expiringQuery = z.object({
  days: z.coerce.number().int().min(0).max(3650).default(90),
  warehouse: code.optional(),
});

export const warehouseFilterQuery = z.object({ warehouse: code.optional(), category: code.optional() });

export const transfersQuery = z.object({
  warehouse: code.optional(),
  status: z.enum(['IN_TRANSIT', 'RECEIVED', 'CANCELLED']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
