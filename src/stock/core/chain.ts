/**
 * Tamper evidence: each stored movement carries sha256(previous hash + its canonical text), so editing,
 * inserting or deleting a row breaks every hash after it. Removing the newest rows leaves no broken
 * link, which is why verifyChain returns the last hash for comparison with an anchor kept elsewhere.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '../../shared/decimal.js';
import { MAX_QUANTITY_SCALE, MONEY_SCALE } from '../../shared/amounts.js';
import { assert } from '../../shared/errors.js';
import { formatNode } from './nodes.js';
import type { MovementLine } from './movement.js';

/** The hash the first movement of the ledger chains from. */
export const GENESIS = '0'.repeat(64);

// Bumped if the canonical form ever changes, so old and new rows are never confused.
const CANONICAL_VERSION = 'movement/v1';

/** A movement as stored: the line plus who, when, why and under which document. */
export interface RecordedMovement extends MovementLine {
  readonly id: string;
  readonly documentId: string;
  /** Position in the one ledger-wide chain; strictly increasing, gaps allowed (sequences skip on rollback). */
  readonly sequence: number | bigint;
  /** Business date (or time) the movement happened, kept apart from when it was recorded. */
  readonly occurredAt: string;
  readonly recordedAt: Date;
  readonly userId: string;
  readonly reason: string | null;
}

export interface ChainedMovement extends RecordedMovement {
  readonly hash: string;
}

/**
 * Fixed decimals so that 1.5 read back from numeric(15,3) as "1.500" hashes the same. A value with
 * more decimals than the column allows can only come from tampering; it is written out exactly so it
 * still changes the hash instead of being rounded into agreement.
 */
function fixed(value: Decimal, scale: number): string {
  return value.decimalPlaces() <= scale ? value.toFixed(scale) : value.toFixed();
}

/** Every content field, in a fixed order, as a JSON array: unambiguous whatever the names contain. */
export function canonicalMovement(m: RecordedMovement): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    m.id,
    m.documentId,
    m.sequence.toString(),
    m.category,
    m.lot,
    m.expiresOn,
    fixed(m.quantity, MAX_QUANTITY_SCALE),
    formatNode(m.from),
    formatNode(m.to),
    m.unitCost === null ? null : fixed(m.unitCost, MONEY_SCALE),
    m.occurredAt,
    m.recordedAt.toISOString(),
    m.userId,
    m.reason,
  ]);
}

export function movementHash(previousHash: string, m: RecordedMovement): string {
  return createHash('sha256').update(previousHash + canonicalMovement(m), 'utf8').digest('hex');
}

/** Hashes new movements onto the end of the chain, in order. */
export function chainMovements(previousHash: string, movements: readonly RecordedMovement[]): ChainedMovement[] {
  let previous = previousHash;
  return movements.map((m) => {
    const hash = movementHash(previous, m);
    previous = hash;
    return { ...m, hash };
  });
}

export interface ChainBreak {
  readonly sequence: string;
  readonly expected: string;
  readonly actual: string;
}

export interface ChainVerification {
  readonly ok: boolean;
  /** Rows found intact, from the start, before any break. */
  readonly checked: number;
  /** The stored hash of the last intact row (genesis when none): compare with the anchored head. */
  readonly lastHash: string;
  readonly firstBroken?: ChainBreak;
}

/** Recomputes the chain over rows in sequence order and stops at the first row that does not match. */
export function verifyChain(rows: readonly ChainedMovement[], genesisHash: string = GENESIS): ChainVerification {
  let previous = genesisHash;
  let previousSequence: bigint | null = null;
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index]!;
    const sequence = BigInt(row.sequence);
    assert(previousSequence === null || sequence > previousSequence, `rows must come in sequence order (${sequence} after ${previousSequence})`);
    previousSequence = sequence;
    const expected = movementHash(previous, row);
    if (expected !== row.hash) {
      return { ok: false, checked: index, lastHash: previous, firstBroken: { sequence: sequence.toString(), expected, actual: row.hash } };
    }
    previous = row.hash;
  }
  return { ok: true, checked: rows.length, lastHash: previous };
}

/**
 * movement/v2: the hash covers every field any reply or report shows for a movement: its own columns,
 * the running balances stored with it, and its document's header. The database writes these rows
 * (stock_post_document hashes them in SQL, stock_movement_canonical); /ledger/verify recomputes them
 * here from the stored text, so both sides must write exactly the same canonical text:
 * - every value is a JSON string or null, so no number formatting is involved;
 * - decimals in their shortest exact form (trailing zeros removed: SQL trim_scale, decimal.js toFixed());
 * - dates as YYYY-MM-DD, timestamps in UTC with microseconds (YYYY-MM-DDTHH:MM:SS.ffffffZ);
 * - strings escaped as JSON.stringify escapes them (PostgreSQL's to_json escapes the same characters).
 */
export const CANONICAL_V2 = 'movement/v2';

type Text = string | null;

/** A document header as stored, each field as text (or null). */
export interface StoredDocument {
  readonly id: string;
  readonly type: string;
  readonly warehouse: Text;
  readonly counterpartWarehouse: Text;
  readonly sourceKind: Text;
  readonly sourceName: Text;
  readonly reference: Text;
  readonly reason: Text;
  readonly transferId: Text;
  readonly stocktakeId: Text;
  readonly reversesDocumentId: Text;
  readonly occurredAt: string;
  /** UTC, microseconds: 2026-12-01T02:03:04.005000Z. */
  readonly createdAt: string;
  readonly userId: Text;
}

/** A movement as stored, each field as text (or null), with its document. */
export interface StoredMovement {
  readonly id: string;
  readonly documentId: string;
  readonly line: string;
  readonly sequence: string;
  readonly category: string;
  readonly lot: Text;
  readonly expiresOn: Text;
  readonly quantity: string;
  readonly fromNode: string;
  readonly toNode: string;
  readonly warehouse: Text;
  readonly unitCost: Text;
  readonly occurredAt: string;
  /** UTC, microseconds. */
  readonly recordedAt: string;
  readonly userId: Text;
  readonly reason: Text;
  readonly warehouseBalance: Text;
  readonly warehousePosition: Text;
  readonly categoryBalance: Text;
  readonly categoryPosition: Text;
  readonly document: StoredDocument;
}

/** The shortest exact form of a stored decimal; anything that is not a decimal is kept as written, so it still changes the hash. */
function exact(value: Text): Text {
  if (value === null) return null;
  try {
    return new Decimal(value).toFixed();
  } catch {
    return value;
  }
}

/** JSON.stringify of an array without separators beyond commas: the same text PostgreSQL builds. */
function jsonArray(values: readonly Text[], raw: readonly string[] = []): string {
  return `[${[...values.map((value) => JSON.stringify(value)), ...raw].join(',')}]`;
}

export function canonicalDocumentV2(d: StoredDocument): string {
  return jsonArray([
    d.id, d.type, d.warehouse, d.counterpartWarehouse, d.sourceKind, d.sourceName, d.reference, d.reason, d.transferId, d.stocktakeId, d.reversesDocumentId,
    d.occurredAt, d.createdAt, d.userId,
  ]);
}

export function canonicalMovementV2(m: StoredMovement): string {
  return jsonArray(
    [
      CANONICAL_V2, m.id, m.documentId, m.line, m.sequence, m.category, m.lot, m.expiresOn, exact(m.quantity), m.fromNode, m.toNode, m.warehouse, exact(m.unitCost),
      m.occurredAt, m.recordedAt, m.userId, m.reason, exact(m.warehouseBalance), m.warehousePosition, exact(m.categoryBalance), m.categoryPosition,
    ],
    [canonicalDocumentV2(m.document)],
  );
}

export function movementHashV2(previousHash: string, m: StoredMovement): string {
  return createHash('sha256').update(previousHash + canonicalMovementV2(m), 'utf8').digest('hex');
}
