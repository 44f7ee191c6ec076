/** Replies of the supply ledger: documents, transfers, stocktakes, balances, the 台帐, audits, lots, quotas, alerts, periods. */
import { z } from 'zod';
import { DOCUMENT_TYPES } from '../../stock/index.js';
import { code, count, date, dateTime, id, money, month, named, page, quantity, signedQuantity } from './shared.js';

const lot = z.string().meta({ examples: ['L2026-07'] });
const node = z.string().meta({ description: 'a ledger node: WH:<code>, SUPPLIER:<name>, DONOR:<name>, TRANSIT:<id>, LOSS:<reason>, …', examples: ['WH:WH-HP-01'] });
const LotStatus = z.enum(['AVAILABLE', 'QUARANTINED', 'EXPIRED']);

export const StockDocument = named(
  'StockDocument',
  z.strictObject({
    id,
    type: z.enum(DOCUMENT_TYPES),
    warehouse: code.nullable(),
    counterpartWarehouse: code.nullable(),
    source: z.strictObject({ kind: z.string().meta({ examples: ['PROCUREMENT'] }), name: z.string(), reference: z.string().nullable() }).nullable(),
    reason: z.string().nullable(),
    transferId: id.nullable(),
    stocktakeId: id.nullable(),
    reversesDocumentId: id.nullable(),
    reversedByDocumentId: id.nullable(),
    occurredAt: date.meta({ description: 'business date' }),
    recordedAt: dateTime,
    recordedBy: z.string(),
    lines: z.array(
      z.strictObject({ line: count, category: code, lot: lot.nullable(), expiresOn: date.nullable(), quantity, from: node, to: node, unitCost: money.nullable() }),
    ),
  }),
  'A stock document and its movements',
);

const datedInto = z.strictObject({ original: date, closedPeriod: month, occurredAt: date }).meta({ description: 'present when the original lies in a closed month: the reversal is dated into the first open one' });
export const ReversalDocument = named('ReversalDocument', StockDocument.extend({ datedInto: datedInto.optional() }));
export const ShippedTransfer = named('ShippedTransfer', StockDocument.extend({ status: z.literal('IN_TRANSIT') }));
export const PostedStocktake = named(
  'PostedStocktake',
  StockDocument.extend({ differences: z.array(z.strictObject({ category: code, lot: lot.nullable(), book: quantity, counted: quantity, difference: signedQuantity })) }),
);

export const Transfer = named('Transfer', z.strictObject({ id, from: code, to: code, status: z.enum(['IN_TRANSIT', 'RECEIVED', 'CANCELLED']), settledBy: id.nullable().meta({ description: 'the receiving or cancelling document' }) }));
export const TransferPage = page(Transfer);

const StocktakeStatus = z.enum(['COUNTING', 'POSTED']);
export const OpenedStocktake = z.strictObject({ id, warehouse: code, status: StocktakeStatus, lines: count.meta({ description: 'lines in the snapshot' }) });
export const Stocktake = named(
  'Stocktake',
  z.strictObject({ id, warehouse: code, status: StocktakeStatus, documentId: id.nullable(), lines: z.array(z.strictObject({ category: code, lot: lot.nullable(), book: quantity, counted: quantity.nullable() })) }),
);

export const Balances = z.strictObject({
  items: z.array(z.strictObject({ warehouse: code, category: code, lot: lot.nullable(), onHand: quantity, reserved: quantity.nullable(), available: quantity.nullable() })),
  total: count,
  asOf: date.nullable(),
});

export const Ledger = z.strictObject({
  category: code,
  warehouse: code.nullable(),
  from: date.nullable(),
  to: date.nullable(),
  opening: signedQuantity,
  closing: signedQuantity,
  pageOpening: signedQuantity,
  total: count,
  items: z.array(
    z.strictObject({
      id: z.uuid(),
      documentId: id,
      documentType: z.enum(DOCUMENT_TYPES),
      line: count,
      sequence: id,
      position: id,
      occurredAt: date,
      recordedAt: dateTime,
      recordedBy: z.string(),
      warehouse: code,
      counterparty: node,
      lot: lot.nullable(),
      expiresOn: date.nullable(),
      in: quantity.nullable(),
      out: quantity.nullable(),
      unitCost: money.nullable(),
      balance: signedQuantity,
      reason: z.string().nullable(),
      reversedByDocumentId: id.nullable().meta({ description: 'the REVERSAL document that reversed this entry\'s document, once it has been' }),
    }),
  ),
});

export const LedgerCheck = z.strictObject({
  ok: z.boolean(),
  discrepancies: z.array(
    z.strictObject({
      kind: z.string().meta({ description: 'which check found it: BALANCE, POSITION, CHAIN_HEAD, FROZEN, TRANSIT, or one an allocation adds (RESERVED)', examples: ['BALANCE'] }),
      category: code.nullable(),
      warehouse: code.nullable(),
      lot: lot.nullable().optional(),
      ledger: z.unknown().meta({ description: 'what the movements say: a quantity, or figures of the check (onHand, movements, lastPosition, …)' }),
      projection: z.unknown().meta({ description: 'what the stored projection says, in the same form as ledger' }),
    }),
  ),
});
export const LedgerVerify = z.strictObject({
  ok: z.boolean(),
  chains: count,
  movements: count,
  problems: z.array(z.strictObject({ category: code, sequence: id.nullable(), kind: z.enum(['ROW_ALTERED', 'HEAD_MISMATCH']), message: z.string() })),
});

export const Lot = named(
  'Lot',
  z.strictObject({
    category: code,
    lot,
    expiresOn: date,
    status: LotStatus,
    effectiveStatus: LotStatus.meta({ description: 'EXPIRED once the expiry date has passed, else status' }),
    statusReason: z.string().nullable(),
    stock: z.array(z.strictObject({ warehouse: code, onHand: quantity })),
  }),
);
export const Lots = z.strictObject({ items: z.array(Lot) });

export const Quota = named('Quota', z.strictObject({ warehouse: code, category: code, quantity }));
export const Quotas = z.strictObject({ items: z.array(Quota) });
export const BelowQuota = z.strictObject({
  items: z.array(z.strictObject({ warehouse: code, category: code, name: z.string(), unit: z.string(), quota: quantity, onHand: quantity, usable: quantity, shortfall: quantity })),
});
export const Expiring = z.strictObject({
  days: count,
  items: z.array(z.strictObject({ warehouse: code, category: code, name: z.string(), lot, expiresOn: date, daysLeft: z.int(), status: LotStatus, onHand: quantity })),
});

const PeriodStatus = z.enum(['OPEN', 'CLOSED']);
export const Period = named('Period', z.strictObject({ period: month, status: PeriodStatus, closedAt: dateTime.nullable(), closedBy: z.string().nullable() }));
export const Periods = z.strictObject({ items: z.array(Period), closedThrough: date.nullable(), firstOpenDate: date });
export const ClosedPeriod = Period.extend({ balances: count.meta({ description: 'closing balances frozen' }) });
export const PeriodHistory = z.strictObject({
  period: month,
  items: z.array(z.strictObject({ period: month, action: z.enum(['CLOSE', 'REOPEN']), reason: z.string().nullable(), at: dateTime, by: z.string() })),
});

/** Every CSV import replies with what it did (or, with dryRun, would do). */
export const ImportResult = named(
  'ImportResult',
  z.strictObject({ kind: z.string().meta({ examples: ['catalog'] }), rows: count, inserted: count, updated: count, unchanged: count, dryRun: z.boolean(), encoding: z.string().meta({ examples: ['utf-8'] }) }),
);

const sha256hex = z.string().regex(/^[0-9a-f]{64}$/).meta({ examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'] });

export const LedgerDigest = named(
  'LedgerDigest',
  z.strictObject({
    version: z.literal('relief-ledger-digest/v1'),
    size: count.meta({ description: 'movements in the Merkle log' }),
    root: sha256hex.meta({ description: 'RFC 6962 tree head of the log' }),
    headsSha256: sha256hex,
    issuedAt: dateTime,
    heads: z.array(z.strictObject({ category: code, sequence: id, hash: sha256hex })),
    keyId: z.string(),
    signature: z.string().meta({ description: 'Ed25519 over the statement, base64' }),
    publicKey: z.string().meta({ description: 'the signing key’s public half, PEM' }),
  }),
  'The ledger’s signed digest: keep it outside the service to prove later that nothing before it changed',
);

const DigestProblem = z.strictObject({
  kind: z.enum(['BAD_SIGNATURE', 'OTHER_KEY', 'HEADS_ALTERED', 'LOG_SHORTER', 'MOVEMENT_CHANGED', 'MOVEMENT_MISSING', 'LOG_ALTERED', 'HEAD_CHANGED']),
  message: z.string(),
  position: count.optional(),
  movement: z.strictObject({ id: z.string().nullable(), category: z.string().nullable(), sequence: z.string().nullable(), document: z.string().nullable() }).optional(),
});

export const LedgerVerifyWithDigest = LedgerVerify.extend({
  digest: z
    .strictObject({
      ok: z.boolean(),
      digest: z.strictObject({ size: z.int(), root: z.string(), issuedAt: z.string(), keyId: z.string() }).meta({ description: 'the digest as sent (it may have been edited)' }),
      current: z.strictObject({ size: count, root: z.string() }),
      proof: z.strictObject({ from: count, to: count, hashes: z.array(sha256hex), verified: z.boolean() }).nullable(),
      firstDifference: DigestProblem.nullable(),
      problems: z.array(DigestProblem),
    })
    .optional(),
});
