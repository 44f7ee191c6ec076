/** Receipts, write-offs and reversals: documents that touch one warehouse and need no workflow. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type LedgerTx, inLedgerTransaction } from '../posting/ledger.sql.js';
import { type Actor, requireRole, requireWarehouse } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, type FieldProblem, NotFoundError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import { type MovementLine } from '../core/movement.js';
import { parseNode } from '../core/nodes.js';
import { receiptMovements, reverseMovements, writeOffMovements } from '../core/posting.js';
import { throwIfProblems } from '../core/validation.js';
import { type ChainHeads, occurredAtProblems, warehouseProblems } from '../posting/ledger.lock.js';
import { type DocumentHeader, postDocument, warehouseSide } from '../posting/ledger.post.js';
import { correctionDate } from '../core/periods.js';
import { pickOutgoingLots } from '../posting/lots.picking.js';
import { collect, newLotsOf, outgoingLineProblems, toLineInputs } from '../posting/stock.lines.js';
import type { ReceiptBody, WriteOffBody } from '../stock.schemas.js';
import { type DocumentView, postedDocumentView } from '../queries/stock.views.js';
import { POSTING_ROLES } from '../stock.access.js';
import { reopenTransfer } from './transfers.service.js';
import { forkOf } from '../../db/request-transaction.js';

/** PostgreSQL unique_violation on the one-reversal-per-document constraint. */
function isSecondReversal(error: unknown): boolean {
  const pg = error as { code?: string; constraint?: string };
  return pg.code === '23505' && pg.constraint === 'stock_documents_reverses_document_id_key';
}

/** What a reversal hook learns: the document reversed, its type, the reversal posted and by whom. */
export interface PostedReversal {
  documentId: string;
  type: string;
  reversalId: string;
  userId: string;
  reason: string;
}

/**
 * Other modules keep their own records in step with the ledger this way (allocations: a reversed
 * dispatch goes back onto its order). Both run inside the reversal's transaction: `before` ahead of
 * the chain-head lock (to take the module's own locks first, in the order its other writers take
 * them, so the two never deadlock), `posted` once the reversal is posted; throwing refuses it.
 */
export interface ReversalHook {
  before?(tx: LedgerTx, original: { documentId: string; type: string }): Promise<void>;
  posted(tx: LedgerTx, reversal: PostedReversal): Promise<void>;
}

export class DocumentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly chains: ChainHeads,
    private readonly reversalHooks: readonly ReversalHook[] = [],
  ) {}

  async receive(actor: Actor, body: ReceiptBody): Promise<DocumentView> {
    requireRole(actor, ...POSTING_ROLES);
    requireWarehouse(actor, body.warehouse);
    const occurredAt = body.occurredAt ?? todayInCity();
    const lines = toLineInputs(body.lines);
    return inLedgerTransaction(this.em, async (tx) => {
      const lock = await this.chains.lock(tx, lines.map((l) => l.category), [body.warehouse]);
      const problems: FieldProblem[] = [...warehouseProblems(lock, body.warehouse, 'warehouse'), ...occurredAtProblems(lock, occurredAt)];
      const source = { kind: body.source.kind === 'PROCUREMENT' ? ('SUPPLIER' as const) : ('DONOR' as const), name: body.source.name };
      const movements = collect(problems, () => receiptMovements({ warehouse: body.warehouse, source, lines }, lock.rules));
      const newLots = await newLotsOf(tx, lines, problems);
      throwIfProblems('receipt', problems);
      const header: DocumentHeader = {
        type: 'RECEIPT', warehouse: body.warehouse, sourceKind: body.source.kind, sourceName: body.source.name, reference: body.source.reference ?? null,
        reason: body.note ?? null, occurredAt, userId: actor.id,
      };
      return postedDocumentView(await postDocument(tx, lock, header, movements!, newLots), lock.rules, actor.name);
    }, { onePosting: true });
  }

  async writeOff(actor: Actor, body: WriteOffBody): Promise<DocumentView> {
    requireRole(actor, ...POSTING_ROLES);
    requireWarehouse(actor, body.warehouse);
    const occurredAt = body.occurredAt ?? todayInCity();
    const lines = toLineInputs(body.lines);
    return inLedgerTransaction(this.em, async (tx) => {
      const lock = await this.chains.lock(tx, lines.map((l) => l.category), [body.warehouse]);
      const problems = [...warehouseProblems(lock, body.warehouse, 'warehouse'), ...occurredAtProblems(lock, occurredAt), ...outgoingLineProblems(lines, lock.rules)];
      throwIfProblems('write-off', problems);
      const picked = await pickOutgoingLots(tx, lock.rules, body.warehouse, lines, { namedLotAnyStatus: true });
      const movements = writeOffMovements({ warehouse: body.warehouse, reason: body.reason, lines: picked }, lock.rules);
      const header: DocumentHeader = { type: 'WRITE_OFF', warehouse: body.warehouse, reason: body.note ?? body.reason, occurredAt, userId: actor.id };
      return postedDocumentView(await postDocument(tx, lock, header, movements), lock.rules, actor.name);
    }, { onePosting: true });
  }

  /**
   * Posts the exact opposite of a document, linked to it and dated at the original's business date
   * while that period is open (the correction lands where the error was); a document of a closed
   * month is reversed on the first day of the first open month, and the reply says so (datedInto). Refused when the document
   * is itself a reversal, is a transfer shipment (cancel the transfer instead, which keeps its
   * status right), was already reversed, or when a warehouse no longer has the stock to give back.
   */
  async reverse(actor: Actor, documentId: string, reason: string): Promise<DocumentView> {
    requireRole(actor, ...POSTING_ROLES);
    const original = await readOriginal(this.em, documentId);
    if (original.type === 'REVERSAL') throw new ConflictError('NOT_REVERSIBLE', `document ${documentId} is a reversal; post the original operation again instead`, { documentId });
    if (original.type === 'TRANSFER_SHIP') {
      const message = `document ${documentId} ships transfer ${original.transfer_id}; cancel the transfer (or reverse its receipt first) instead`;
      throw new ConflictError('NOT_REVERSIBLE', message, { documentId, transferId: original.transfer_id });
    }
    const warehouses = [...new Set(original.movements.map((m) => warehouseSide(m)?.warehouse).filter((w): w is string => w !== undefined))];
    for (const warehouse of warehouses) requireWarehouse(actor, warehouse);
    try {
      return await inLedgerTransaction(this.em, async (tx) => {
        for (const hook of this.reversalHooks) await hook.before?.(tx, { documentId, type: original.type });
        const lock = await this.chains.lock(tx, original.movements.map((m) => m.category), warehouses);
        const [done] = await tx.execute<{ id: string }[]>('SELECT id::text FROM stock_documents WHERE reverses_document_id = ?', [documentId]);
        if (done) throw alreadyReversed(documentId, done.id);
        if (original.transfer_id !== null) await reopenTransfer(tx, original.transfer_id, documentId);
        const { occurredAt, datedInto } = correctionDate(original.occurred_at, lock.closedThrough);
        const header: DocumentHeader = {
          type: 'REVERSAL', warehouse: original.warehouse, counterpartWarehouse: original.counterpart_warehouse, reason, transferId: original.transfer_id,
          stocktakeId: original.stocktake_id, reversesDocumentId: documentId, occurredAt, userId: actor.id,
        };
        const view = postedDocumentView(await postDocument(tx, lock, header, reverseMovements(original.movements)), lock.rules, actor.name);
        for (const hook of this.reversalHooks) await hook.posted(tx, { documentId, type: original.type, reversalId: view.id, userId: actor.id, reason });
        return datedInto ? { ...view, datedInto } : view;
      });
    } catch (error) {
      if (isSecondReversal(error)) throw alreadyReversed(documentId, null);
      throw error;
    }
  }
}

function alreadyReversed(documentId: string, by: string | null): ConflictError {
  return new ConflictError('ALREADY_REVERSED', `document ${documentId} has already been reversed${by ? ` by document ${by}` : ''}; a document is reversed at most once`, {
    documentId,
    reversedBy: by,
  });
}

interface OriginalDocument {
  type: string;
  warehouse: string | null;
  counterpart_warehouse: string | null;
  transfer_id: string | null;
  stocktake_id: string | null;
  occurred_at: string;
  movements: MovementLine[];
}

/** A stored document and its movements; both are append-only, so reading them outside the lock is safe. */
async function readOriginal(em: EntityManager, documentId: string): Promise<OriginalDocument> {
  if (!/^\d{1,18}$/.test(documentId)) throw new NotFoundError('document', documentId);
  const fork = forkOf(em);
  const [document] = await fork.execute<Omit<OriginalDocument, 'movements'>[]>(
    'SELECT type, warehouse, counterpart_warehouse, transfer_id::text, stocktake_id::text, occurred_at::text FROM stock_documents WHERE id = ?',
    [documentId],
  );
  if (!document) throw new NotFoundError('document', documentId);
  const rows = await fork.execute<{ category: string; lot: string | null; expires_on: string | null; quantity: string; from_node: string; to_node: string; unit_cost: string | null }[]>(
    `SELECT category, lot, expires_on::text, quantity::text, from_node, to_node, unit_cost::text FROM stock_movements WHERE document_id = ? ORDER BY line`,
    [documentId],
  );
  const movements = rows.map((row) => ({
    category: row.category,
    lot: row.lot,
    expiresOn: row.expires_on,
    quantity: new Decimal(row.quantity),
    from: parseNode(row.from_node),
    to: parseNode(row.to_node),
    unitCost: row.unit_cost === null ? null : new Decimal(row.unit_cost),
  }));
  return { ...document, movements };
}
