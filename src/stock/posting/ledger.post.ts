/**
 * Writing one document inside a transaction that holds the ledger lock of its categories, in one
 * statement: the balance projections (the conditional update that refuses to oversell), then, only
 * if every decrement went through, the positions, the document, its hash-chained movements with
 * their running balances, the chain heads and any new lots.
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, assert } from '../../shared/errors.js';
import { formatNode, transitNode } from '../core/nodes.js';
import type { DocumentType, MovementLine } from '../core/movement.js';
import { type LedgerLock, takeDocumentId } from './ledger.lock.js';
import type { PostingFunction } from './ledger.batch.js';
import { type LedgerTx, SHORTAGE_SQLSTATE, StaleSnapshot } from './ledger.sql.js';

/** The user recorded on movements written by the system itself (CLI imports, sample data). */
export const SYSTEM_USER = 'system';

export interface DocumentHeader {
  readonly type: DocumentType;
  readonly warehouse: string | null;
  readonly counterpartWarehouse?: string | null;
  readonly sourceKind?: 'PROCUREMENT' | 'DONATION' | null;
  readonly sourceName?: string | null;
  readonly reference?: string | null;
  readonly reason: string | null;
  readonly transferId?: string | null;
  readonly stocktakeId?: string | null;
  readonly reversesDocumentId?: string | null;
  readonly occurredAt: string;
  /** null for the system. */
  readonly userId: string | null;
}

export interface NewLot {
  readonly category: string;
  readonly lot: string;
  readonly expiresOn: string;
}

export interface PostedMovement extends MovementLine {
  readonly id: string;
  readonly line: number;
  readonly sequence: bigint;
  readonly hash: string;
}

export interface PostedDocument {
  readonly id: string;
  readonly header: DocumentHeader;
  readonly recordedAt: Date;
  readonly movements: readonly PostedMovement[];
}

/** The warehouse side of a movement and its sign there; stock never moves warehouse to warehouse directly. */
export function warehouseSide(m: MovementLine): { warehouse: string; sign: 1 | -1 } | null {
  assert(!(m.from.kind === 'WH' && m.to.kind === 'WH'), 'stock between warehouses passes through TRANSIT');
  if (m.to.kind === 'WH') return { warehouse: m.to.code, sign: 1 };
  if (m.from.kind === 'WH') return { warehouse: m.from.code, sign: -1 };
  return null;
}


const key = (...parts: (string | null)[]): string => JSON.stringify(parts);
const signedQuantity = (m: MovementLine, sign: 1 | -1): Decimal => (sign === 1 ? m.quantity : m.quantity.negated());

/**
 * The document netted as stock_post_document takes it: per balance row (in the order the document
 * first touches them), per (category, warehouse) position, and per category head (what it adds, its
 * movements with a warehouse side, and its last line).
 */
function netted(movements: readonly MovementLine[]) {
  const rows = new Map<string, { category: string; warehouse: string; lot: string; delta: Decimal }>();
  const positions = new Map<string, { category: string; warehouse: string; delta: Decimal; movements: number }>();
  const heads = new Map<string, { category: string; delta: Decimal; positions: number; line: number }>();
  movements.forEach((m, index) => {
    const head = heads.get(m.category) ?? { category: m.category, delta: new Decimal(0), positions: 0, line: 0 };
    heads.set(m.category, { ...head, line: index + 1 });
    const side = warehouseSide(m);
    if (side === null) return;
    const signed = signedQuantity(m, side.sign);
    const lot = m.lot ?? '';
    const row = rows.get(key(m.category, side.warehouse, lot)) ?? { category: m.category, warehouse: side.warehouse, lot, delta: new Decimal(0) };
    rows.set(key(m.category, side.warehouse, lot), { ...row, delta: row.delta.plus(signed) });
    const position = positions.get(key(m.category, side.warehouse)) ?? { category: m.category, warehouse: side.warehouse, delta: new Decimal(0), movements: 0 };
    positions.set(key(m.category, side.warehouse), { ...position, delta: position.delta.plus(signed), movements: position.movements + 1 });
    const current = heads.get(m.category)!;
    heads.set(m.category, { ...current, delta: current.delta.plus(signed), positions: current.positions + 1 });
  });
  const balanceRow = (r: { category: string; warehouse: string; lot: string; delta: Decimal }) => ({ category: r.category, warehouse: r.warehouse, lot: r.lot, delta: r.delta.toFixed() });
  return {
    take: [...rows.values()].filter((r) => r.delta.isNegative() && !r.delta.isZero()).map((r, n) => ({ ...balanceRow(r), n })),
    add: [...rows.values()].filter((r) => r.delta.isPositive() && !r.delta.isZero()).map(balanceRow),
    positions: [...positions.values()].map((p) => ({ category: p.category, warehouse: p.warehouse, delta: p.delta.toFixed(), movements: p.movements })),
    heads: [...heads.values()].map((h) => ({ category: h.category, delta: h.delta.toFixed(), positions: h.positions, line: h.line })),
  };
}

/**
 * Each movement's place in the document's own running figures: its number in its category's chain,
 * and (with a warehouse side) the quantity and count so far in its (category, warehouse) and in its
 * category, this movement included. The posting adds them to what the positions and heads held.
 */
function runningWithin(movements: readonly MovementLine[]) {
  const sequences = new Map<string, number>();
  const sums = new Map<string, { sum: Decimal; n: number }>();
  const add = (k: string, signed: Decimal) => {
    const before = sums.get(k) ?? { sum: new Decimal(0), n: 0 };
    const after = { sum: before.sum.plus(signed), n: before.n + 1 };
    sums.set(k, after);
    return after;
  };
  return movements.map((m) => {
    const seq_n = (sequences.get(m.category) ?? 0) + 1;
    sequences.set(m.category, seq_n);
    const side = warehouseSide(m);
    if (side === null) return { seq_n, wh_cum: null, wh_n: null, cat_cum: null, cat_n: null };
    const signed = signedQuantity(m, side.sign);
    const inWarehouse = add(key(m.category, side.warehouse), signed);
    const inCategory = add(key(m.category), signed);
    return { seq_n, wh_cum: inWarehouse.sum.toFixed(), wh_n: inWarehouse.n, cat_cum: inCategory.sum.toFixed(), cat_n: inCategory.n };
  });
}

interface PostReply {
  status: 'ok' | 'stale';
  document_id: string;
  lines: number[];
  sequences: (string | number)[];
  hashes: string[];
}


/**
 * The transfer id a shipment posted optimistically names its TRANSIT node with: its document id,
 * and so the transfer's, is only taken as it posts (stock_post_transfer_shipment puts it in).
 */
export const PENDING_TRANSFER_ID = '0';

/**
 * Posts one document with one statement, stock_post_document (see its migration): it locks the chain
 * heads of the document's categories, checks that the rules, warehouses and closed-through date the
 * document was validated against still hold, takes the decrements conditionally, and writes the
 * projections, the document and its movements hash-chained (movement/v2) with their running balances.
 * Throws ConflictError INSUFFICIENT_STOCK (naming category, lot, warehouse and what is available) when
 * a warehouse would go below what it can give; nothing of the document remains then. Throws
 * StaleSnapshot when what the document was validated against changed: the caller validates again.
 */
export async function postDocument(tx: LedgerTx, lock: LedgerLock, header: DocumentHeader, movements: readonly MovementLine[], newLots: readonly NewLot[] = []): Promise<PostedDocument> {
  return posted(tx, lock, header, movements, newLots, 'document');
}

/**
 * Posts a transfer shipment as postDocument does and opens its transfer (IN_TRANSIT) in the same
 * statement. Its movements go to TRANSIT:<its document id>, or to TRANSIT:PENDING_TRANSFER_ID when
 * the lock allocated no id (an optimistic posting): the reply then names the id taken.
 */
export async function postTransferShipment(tx: LedgerTx, lock: LedgerLock, header: DocumentHeader, movements: readonly MovementLine[]): Promise<PostedDocument> {
  assert(header.type === 'TRANSFER_SHIP', 'a transfer shipment');
  const document = await posted(tx, lock, header, movements, [], 'shipment');
  const transit = transitNode(document.id);
  return {
    ...document,
    header: { ...header, transferId: document.id },
    movements: document.movements.map((m) => (m.to.kind === 'TRANSIT' && m.to.transferId === PENDING_TRANSFER_ID ? { ...m, to: transit } : m)),
  };
}

async function posted(tx: LedgerTx, lock: LedgerLock, header: DocumentHeader, movements: readonly MovementLine[], newLots: readonly NewLot[], fn: PostingFunction): Promise<PostedDocument> {
  const recordedAt = new Date();
  const ids = movements.map(() => randomUUID());
  const payload = {
    closed_through: lock.closedThrough,
    categories: [...lock.rules.keys()].sort(),
    rules: [...lock.rules.values()].map((rule) => ({ code: rule.code, scale: rule.scale, lot_tracked: rule.lotTracked })),
    warehouses: lock.named,
    document: {
      id: takeDocumentId(lock), type: header.type, warehouse: header.warehouse, counterpart_warehouse: header.counterpartWarehouse ?? null, source_kind: header.sourceKind ?? null,
      source_name: header.sourceName ?? null, reference: header.reference ?? null, reason: header.reason, transfer_id: header.transferId ?? null, stocktake_id: header.stocktakeId ?? null,
      reverses_document_id: header.reversesDocumentId ?? null, occurred_at: header.occurredAt, created_at: recordedAt.toISOString(), user_id: header.userId,
    },
    movements: runningWithin(movements).map((running, index) => {
      const m = movements[index]!;
      assert(lock.rules.has(m.category), `the chain of ${m.category} is locked`);
      return {
        line: index + 1, id: ids[index], category: m.category, lot: m.lot, expires_on: m.expiresOn, quantity: m.quantity.toFixed(), from_node: formatNode(m.from),
        to_node: formatNode(m.to), warehouse: warehouseSide(m)?.warehouse ?? null, unit_cost: m.unitCost?.toFixed() ?? null, ...running,
      };
    }),
    ...netted(movements),
    lots: newLots.map((l) => ({ category: l.category, lot: l.lot, expires_on: l.expiresOn })),
  };
  let reply: PostReply;
  try {
    reply = await tx.post<PostReply>(fn, JSON.stringify(payload));
  } catch (error) {
    const pg = error as { code?: string; detail?: string };
    if (pg.code === SHORTAGE_SQLSTATE) refuseShortage(lock, JSON.parse(pg.detail!) as Shortage[]);
    throw error;
  }
  if (reply.status === 'stale') throw new StaleSnapshot();
  assert(reply.status === 'ok' && reply.lines.length === movements.length, 'the posting wrote every movement');
  const written = new Map(reply.lines.map((line, i) => [line, { sequence: BigInt(reply.sequences[i]!), hash: reply.hashes[i]! }]));
  const posted = movements.map((m, index) => ({ ...m, id: ids[index]!, line: index + 1, ...written.get(index + 1)! }));
  return { id: reply.document_id, header, recordedAt, movements: posted };
}

interface Shortage {
  category: string;
  warehouse: string;
  lot: string;
  requested: string;
  available: string;
}

/** Names every balance row the document would take below what is available there. */
function refuseShortage(lock: LedgerLock, found: readonly Shortage[]): never {
  const shortages = found.map((row) => {
    const scale = lock.rules.get(row.category)?.scale ?? 3;
    return { category: row.category, lot: row.lot || null, warehouse: row.warehouse, requested: new Decimal(row.requested).toFixed(scale), available: new Decimal(row.available).toFixed(scale) };
  });
  assert(shortages.length > 0, 'a refused decrement has a shortage');
  const first = shortages[0]!;
  const what = first.lot ? `${first.category} lot ${first.lot}` : first.category;
  throw new ConflictError('INSUFFICIENT_STOCK', `not enough ${what} in ${first.warehouse}: ${first.requested} requested, ${first.available} available`, { ...first, shortages });
}
