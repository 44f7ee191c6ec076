/**
 * Transfers (移库/调剂): shipped from one warehouse into TRANSIT:<id>, then received at the other
 * (shortfall and damage go to loss) or cancelled back to the origin. The transfer's id is the id
 * of its shipping document.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type SqlRunner, inLedgerTransaction, readerOf } from '../posting/ledger.sql.js';
import { type Actor, requireRole, requireWarehouse } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import type { MovementLine } from '../core/movement.js';
import { parseNode } from '../core/nodes.js';
import { transferCancelMovements, transferReceiveMovements, transferShipMovements } from '../core/posting.js';
import { throwIfProblems } from '../core/validation.js';
import { type ChainHeads, occurredAtProblems, warehouseProblems } from '../posting/ledger.lock.js';
import { type DocumentHeader, PENDING_TRANSFER_ID, postDocument, postTransferShipment } from '../posting/ledger.post.js';
import { mergeByLot, pickOutgoingLots } from '../posting/lots.picking.js';
import { outgoingLineProblems, repeatedLineProblems, toLineInputs } from '../posting/stock.lines.js';
import { POSTING_ROLES, READING_ROLES, readScope, scopeParam } from '../stock.access.js';
import type { TransferBody, TransferReceiveBody } from '../stock.schemas.js';
import { type DocumentView, postedDocumentView } from '../queries/stock.views.js';
import { forkOf } from '../../db/request-transaction.js';

export type TransferStatus = 'IN_TRANSIT' | 'RECEIVED' | 'CANCELLED';

interface TransferRow {
  id: string;
  from_warehouse: string;
  to_warehouse: string;
  status: TransferStatus;
  settled_document_id: string | null;
}

const TRANSFER_COLUMNS = 'id::text, from_warehouse, to_warehouse, status, settled_document_id::text';

async function readTransfer(em: SqlRunner, id: string, forUpdate = false): Promise<TransferRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('transfer', id);
  const [row] = await em.execute<TransferRow[]>(`SELECT ${TRANSFER_COLUMNS} FROM stock_transfers WHERE id = ?${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw new NotFoundError('transfer', id);
  return row;
}

function requireInTransit(transfer: TransferRow, action: string): void {
  if (transfer.status !== 'IN_TRANSIT') {
    throw new ConflictError('TRANSFER_SETTLED', `transfer ${transfer.id} is ${transfer.status.toLowerCase().replace('_', ' ')} (document ${transfer.settled_document_id}); it cannot be ${action}`, {
      transferId: transfer.id,
      status: transfer.status,
      settledBy: transfer.settled_document_id,
    });
  }
}

/** The shipping movements, as stored (append-only, so safe to read before locking). */
async function readShipment(em: EntityManager, transferId: string): Promise<MovementLine[]> {
  const rows = await em.execute<{ category: string; lot: string | null; expires_on: string | null; quantity: string; from_node: string; to_node: string; unit_cost: string | null }[]>(
    'SELECT category, lot, expires_on::text, quantity::text, from_node, to_node, unit_cost::text FROM stock_movements WHERE document_id = ? ORDER BY line',
    [transferId],
  );
  return rows.map((row) => ({
    category: row.category, lot: row.lot, expiresOn: row.expires_on, quantity: new Decimal(row.quantity),
    from: parseNode(row.from_node), to: parseNode(row.to_node), unitCost: row.unit_cost === null ? null : new Decimal(row.unit_cost),
  }));
}

/** A reversed receipt or cancellation puts the goods back in transit: the transfer is open again. */
export async function reopenTransfer(tx: SqlRunner, transferId: string, settledBy: string): Promise<void> {
  const transfer = await readTransfer(tx, transferId, true);
  if (transfer.settled_document_id !== settledBy) {
    throw new ConflictError('TRANSFER_CHANGED', `transfer ${transferId} is no longer settled by document ${settledBy}`, { transferId, status: transfer.status });
  }
  await tx.execute(`UPDATE stock_transfers SET status = 'IN_TRANSIT', settled_document_id = NULL, updated_at = now() WHERE id = ?`, [transferId]);
}

export class TransfersService {
  constructor(
    private readonly em: EntityManager,
    private readonly chains: ChainHeads,
  ) {}

  async ship(actor: Actor, body: TransferBody): Promise<DocumentView & { status: TransferStatus }> {
    requireRole(actor, ...POSTING_ROLES);
    requireWarehouse(actor, body.from);
    const occurredAt = body.occurredAt ?? todayInCity();
    const lines = toLineInputs(body.lines);
    return inLedgerTransaction(this.em, async (tx) => {
      const lock = await this.chains.lock(tx, lines.map((l) => l.category), [body.from, body.to]);
      const problems = [...warehouseProblems(lock, body.from, 'from'), ...warehouseProblems(lock, body.to, 'to'), ...occurredAtProblems(lock, occurredAt)];
      if (body.from === body.to) problems.push({ field: 'to', value: body.to, reason: 'a transfer must go to another warehouse' });
      problems.push(...outgoingLineProblems(lines, lock.rules), ...repeatedLineProblems(lines));
      throwIfProblems('transfer', problems);
      const picked = mergeByLot(await pickOutgoingLots(tx, lock.rules, body.from, lines, { namedLotAnyStatus: false }));
      // The shipping document's id names the transit node: allocated under the lock, or (optimistic)
      // taken as the shipment posts, which then puts it in place of the placeholder.
      const transferId = lock.documentIds[0] ?? PENDING_TRANSFER_ID;
      const movements = transferShipMovements({ transferId, fromWarehouse: body.from, toWarehouse: body.to, lines: picked }, lock.rules);
      const header: DocumentHeader = {
        type: 'TRANSFER_SHIP', warehouse: body.from, counterpartWarehouse: body.to, reason: body.note ?? null, transferId: lock.documentIds[0] ?? null, occurredAt, userId: actor.id,
      };
      const posted = await postTransferShipment(tx, lock, header, movements);
      return { ...postedDocumentView(posted, lock.rules, actor.name), status: 'IN_TRANSIT' as const };
    }, { onePosting: true });
  }

  /** The receiving keeper reports every shipped line; what is neither received nor damaged is a shortfall. */
  async receive(actor: Actor, transferId: string, body: TransferReceiveBody): Promise<DocumentView> {
    requireRole(actor, ...POSTING_ROLES);
    const transfer = await readTransfer(readerOf(this.em), transferId);
    requireWarehouse(actor, transfer.to_warehouse);
    const shipment = await readShipment(forkOf(this.em), transferId);
    const occurredAt = body.occurredAt ?? todayInCity();
    return inLedgerTransaction(this.em, async (tx) => {
      const lock = await this.chains.lock(tx, shipment.map((m) => m.category), [transfer.to_warehouse]);
      requireInTransit(await readTransfer(tx, transferId, true), 'received');
      throwIfProblems('transfer receipt', occurredAtProblems(lock, occurredAt));
      const lines = body.lines.map((line) => ({ category: line.category, lot: line.lot ?? null, received: line.received, damaged: line.damaged ?? new Decimal(0) }));
      const movements = transferReceiveMovements({ transferId, toWarehouse: transfer.to_warehouse, shipment, lines }, lock.rules);
      const header: DocumentHeader = {
        type: 'TRANSFER_RECEIVE', warehouse: transfer.to_warehouse, counterpartWarehouse: transfer.from_warehouse, reason: body.note ?? null, transferId, occurredAt, userId: actor.id,
      };
      const posted = await postDocument(tx, lock, header, movements);
      await tx.execute(`UPDATE stock_transfers SET status = 'RECEIVED', settled_document_id = ?, updated_at = now() WHERE id = ?`, [posted.id, transferId]);
      return postedDocumentView(posted, lock.rules, actor.name);
    });
  }

  /** Before receipt, the shipping keeper may call the goods back. */
  async cancel(actor: Actor, transferId: string, note: string | null): Promise<DocumentView> {
    requireRole(actor, ...POSTING_ROLES);
    const transfer = await readTransfer(readerOf(this.em), transferId);
    requireWarehouse(actor, transfer.from_warehouse);
    const shipment = await readShipment(forkOf(this.em), transferId);
    return inLedgerTransaction(this.em, async (tx) => {
      const lock = await this.chains.lock(tx, shipment.map((m) => m.category), [transfer.from_warehouse]);
      requireInTransit(await readTransfer(tx, transferId, true), 'cancelled');
      const movements = transferCancelMovements({ transferId, fromWarehouse: transfer.from_warehouse, shipment });
      const header: DocumentHeader = {
        type: 'TRANSFER_CANCEL', warehouse: transfer.from_warehouse, counterpartWarehouse: transfer.to_warehouse, reason: note, transferId, occurredAt: todayInCity(), userId: actor.id,
      };
      const posted = await postDocument(tx, lock, header, movements);
      await tx.execute(`UPDATE stock_transfers SET status = 'CANCELLED', settled_document_id = ?, updated_at = now() WHERE id = ?`, [posted.id, transferId]);
      return postedDocumentView(posted, lock.rules, actor.name);
    });
  }

  async get(actor: Actor, transferId: string) {
    requireRole(actor, ...READING_ROLES);
    const transfer = await readTransfer(readerOf(this.em), transferId);
    if (actor.role === 'keeper' && !actor.warehouses.includes(transfer.from_warehouse)) requireWarehouse(actor, transfer.to_warehouse);
    return { id: transfer.id, from: transfer.from_warehouse, to: transfer.to_warehouse, status: transfer.status, settledBy: transfer.settled_document_id };
  }

  /** Transfers touching a warehouse (either end); a keeper sees only those of the warehouses they keep. */
  async list(actor: Actor, query: { warehouse?: string; status?: TransferStatus; limit: number; offset: number }) {
    const scope = scopeParam(readScope(actor, query.warehouse));
    const rows = await forkOf(this.em).execute<(TransferRow & { total: string })[]>(
      `SELECT ${TRANSFER_COLUMNS}, count(*) OVER ()::text AS total FROM stock_transfers
       WHERE (?::jsonb IS NULL OR from_warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)) OR to_warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))
         AND (?::text IS NULL OR status = ?)
       ORDER BY stock_transfers.id DESC LIMIT ? OFFSET ?`,
      [scope, scope, scope, query.status ?? null, query.status ?? null, query.limit, query.offset],
    );
    return {
      items: rows.map((t) => ({ id: t.id, from: t.from_warehouse, to: t.to_warehouse, status: t.status, settledBy: t.settled_document_id })),
      total: Number(rows[0]?.total ?? 0),
    };
  }
}
