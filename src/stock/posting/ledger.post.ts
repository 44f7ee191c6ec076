/**
 * Writing one document inside a transaction that holds the ledger lock of its categories, in one
 * statement: the balance projections (the conditional update that refuses to oversell), then, only
 * if every decrement went through, the positions, the document, its hash-chained movements with
 * their running balances, the chain heads and any new lots.
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, assert } from '../../shared/errors.js';
import { formatNode } from '../core/nodes.js';
import type { DocumentType, MovementLine } from '../core/movement.js';
import { type LedgerLock, takeDocumentId } from './ledger.lock.js';
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


interface PostReply {
  status: 'ok' | 'stale';
  document_id: string;
  movements: { line: number; sequence: string; hash: string }[];
}

const POST_SQL = 'SELECT stock_post_document($1::jsonb) AS reply';

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
  const recordedAt = new Date();
  const ids = movements.map(() => randomUUID());
  const payload = {
    closed_through: lock.closedThrough,
    rules: [...lock.rules.values()].map((rule) => ({ code: rule.code, scale: rule.scale, lot_tracked: rule.lotTracked })),
    warehouses: lock.named,
    document: {
      id: takeDocumentId(lock), type: header.type, warehouse: header.warehouse, counterpart_warehouse: header.counterpartWarehouse ?? null, source_kind: header.sourceKind ?? null,
      source_name: header.sourceName ?? null, reference: header.reference ?? null, reason: header.reason, transfer_id: header.transferId ?? null, stocktake_id: header.stocktakeId ?? null,
      reverses_document_id: header.reversesDocumentId ?? null, occurred_at: header.occurredAt, created_at: recordedAt.toISOString(), user_id: header.userId,
    },
    movements: movements.map((m, index) => {
      assert(lock.rules.has(m.category), `the chain of ${m.category} is locked`);
      return {
        line: index + 1, id: ids[index], category: m.category, lot: m.lot, expires_on: m.expiresOn, quantity: m.quantity.toFixed(), from_node: formatNode(m.from),
        to_node: formatNode(m.to), warehouse: warehouseSide(m)?.warehouse ?? null, unit_cost: m.unitCost?.toFixed() ?? null,
      };
    }),
    lots: newLots.map((l) => ({ category: l.category, lot: l.lot, expires_on: l.expiresOn })),
  };
  let reply: PostReply;
  try {
    [{ reply }] = (await tx.post<{ reply: PostReply }>('stock_post', POST_SQL, [JSON.stringify(payload)])) as [{ reply: PostReply }];
  } catch (error) {
    const pg = error as { code?: string; detail?: string };
    if (pg.code === SHORTAGE_SQLSTATE) refuseShortage(lock, JSON.parse(pg.detail!) as Shortage[]);
    throw error;
  }
  if (reply.status === 'stale') throw new StaleSnapshot();
  assert(reply.status === 'ok' && reply.movements.length === movements.length, 'the posting wrote every movement');
  const byLine = new Map(reply.movements.map((m) => [m.line, m]));
  const posted = movements.map((m, index) => {
    const written = byLine.get(index + 1)!;
    return { ...m, id: ids[index]!, line: index + 1, sequence: BigInt(written.sequence), hash: written.hash };
  });
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
