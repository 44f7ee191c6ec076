import { Decimal } from '../../shared/decimal.js';
import { MAX_QUANTITY_SCALE, MONEY_SCALE, fitsScale } from '../../shared/amounts.js';
import { assert } from '../../shared/errors.js';
import { type Node, formatNode, sameNode } from './nodes.js';
import type { LineInput } from './validation.js';

export const DOCUMENT_TYPES = [
  'RECEIPT',
  'TRANSFER_SHIP',
  'TRANSFER_RECEIVE',
  'TRANSFER_CANCEL',
  'WRITE_OFF',
  'STOCKTAKE',
  'OPENING',
  'ALLOCATION',
  'REVERSAL',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** What the posting rules need to know about a supply category. */
export interface CategoryRule {
  readonly code: string;
  /** Decimals a quantity may carry: 0 for tents and quilts, up to 3 for tonnes of rice. */
  readonly scale: number;
  /** Expiring goods (food, water, medicine, batteries) are kept in lots with an expiry date. */
  readonly lotTracked: boolean;
}

export type CategoryRules = ReadonlyMap<string, CategoryRule>;

/** One line of the ledger before it is stored: a positive quantity moving from one node to another. */
export interface MovementLine {
  readonly category: string;
  readonly lot: string | null;
  readonly expiresOn: string | null;
  readonly quantity: Decimal;
  readonly from: Node;
  readonly to: Node;
  readonly unitCost: Decimal | null;
}

/**
 * Builds a movement, asserting the invariants every ledger line keeps. Direction carries the sign,
 * so a quantity is never zero or negative; a line that moves nothing would only add noise.
 */
export function movement(fields: MovementLine): MovementLine {
  const { quantity, unitCost, from, to } = fields;
  assert(quantity.isFinite() && quantity.gt(0), `movement quantity must be positive, got ${quantity.toString()}`);
  assert(fitsScale(quantity, MAX_QUANTITY_SCALE), `movement quantity ${quantity.toString()} has too many decimals`);
  assert(unitCost === null || (unitCost.isFinite() && unitCost.gte(0) && fitsScale(unitCost, MONEY_SCALE)), 'unit cost must be fen-exact and not negative');
  assert(!sameNode(from, to), `movement from ${formatNode(from)} to itself`);
  assert(fields.lot !== null || fields.expiresOn === null, 'an expiry date belongs to a lot');
  return Object.freeze({ ...fields });
}

/** Turns checked line inputs into movements between two fixed nodes. */
export function linesToMovements(lines: readonly LineInput[], from: Node, to: Node): MovementLine[] {
  return lines.map((line) =>
    movement({
      category: line.category,
      lot: line.lot ?? null,
      expiresOn: line.expiresOn ?? null,
      quantity: line.quantity,
      from,
      to,
      unitCost: line.unitCost ?? null,
    }),
  );
}
