/**
 * Dispatch (出库发运) and delivery (签收). Dispatch turns the held picks of the warehouses the actor may
 * act for into ALLOCATION documents to the destination node and releases their reservation, in one
 * transaction. Delivery records what arrived; a difference needs a reason.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, canActForWarehouse, requireRole, requireWarehouse } from '../shared/actor.js';
import { Decimal } from '../shared/decimal.js';
import { ConflictError, type FieldProblem } from '../shared/errors.js';
import { todayInCity } from '../shared/dates.js';
import { type StockService, inLedgerTransaction, throwIfProblems, validateQuantity } from '../stock/index.js';
import { DISPATCH_ROLES, PLANNING_ROLES } from './allocation.access.js';
import { type AllocationView, allocationOf } from './allocation.queries.js';
import type { DeliverBody } from './allocation.schemas.js';
import { lockOrder } from './allocations.service.js';
import { type OpenPick, openPicks, releasePicks } from './reservation.sql.js';

export interface DispatchResult extends AllocationView {
  documents: { warehouse: string; documentId: string }[];
}

export class DispatchService {
  constructor(
    private readonly em: EntityManager,
    private readonly stock: StockService,
  ) {}

  async dispatch(actor: Actor, id: string, body: { warehouse?: string; note?: string }): Promise<DispatchResult> {
    requireRole(actor, ...DISPATCH_ROLES);
    if (body.warehouse !== undefined) requireWarehouse(actor, body.warehouse);
    return inLedgerTransaction(this.em, async (tx) => {
      const order = await lockOrder(tx, id);
      if (order.status === 'AWAITING_OVERRIDE') {
        throw new ConflictError('OVERRIDE_NOT_APPROVED', `allocation ${order.number} waits for its emergency override to be approved by a second dispatcher or an admin`, [{ field: 'status', value: order.status, reason: 'approve the override first' }]);
      }
      if (order.status !== 'RESERVED' && order.status !== 'PARTIALLY_DISPATCHED') {
        throw new ConflictError('NOT_DISPATCHABLE', `allocation ${order.number} is ${order.status}; nothing is held for it`, [{ field: 'status', value: order.status, reason: 'must be RESERVED or PARTIALLY_DISPATCHED' }]);
      }
      if (order.expired) throw new ConflictError('RESERVATION_EXPIRED', `the reservation of allocation ${order.number} has expired and is being released`, [{ field: 'status', value: order.status, reason: 'expired' }]);
      const held = await openPicks(tx, order.id);
      const picks = held.filter((p) => (body.warehouse === undefined ? canActForWarehouse(actor, p.warehouse) : p.warehouse === body.warehouse));
      if (picks.length === 0) {
        const where = [...new Set(held.map((p) => p.warehouse))];
        throw new ConflictError('NOTHING_TO_DISPATCH', `allocation ${order.number} holds nothing ${body.warehouse ? `in ${body.warehouse}` : 'in a warehouse you keep'}; it holds stock in ${where.join(', ') || 'no warehouse'}`, [{ field: 'warehouse', value: body.warehouse ?? null, reason: `held in: ${where.join(', ') || 'none'}` }]);
      }
      const warehouses = [...new Set(picks.map((p) => p.warehouse))].sort();
      const lock = await this.stock.allocationLedger.lock(tx, picks.map((p) => p.category), warehouses, warehouses.length);
      await refuseUnusableLots(tx, picks);
      await releasePicks(tx, order.id, picks, 'dispatch');
      const documents: DispatchResult['documents'] = [];
      for (const warehouse of warehouses) {
        const lines = picks.filter((p) => p.warehouse === warehouse).map((p) => ({ category: p.category, lot: p.lot || null, expiresOn: p.lot ? p.expiresOn : null, quantity: p.open }));
        const { documentId } = await this.stock.allocationLedger.ship(tx, lock, {
          warehouse, destination: order.destination_name, lines, reference: order.number, reason: body.note ?? `调拨 ${order.number}`, userId: actor.id,
        });
        await tx.execute('INSERT INTO allocation_dispatches (document_id, allocation_id, warehouse, user_id) VALUES (?::bigint, ?::bigint, ?, ?::bigint)', [documentId, order.id, warehouse, actor.id]);
        documents.push({ warehouse, documentId });
      }
      await tx.execute(
        `UPDATE allocations SET status = CASE WHEN EXISTS (SELECT 1 FROM allocation_picks WHERE allocation_id = ?::bigint AND open > 0) THEN 'PARTIALLY_DISPATCHED' ELSE 'DISPATCHED' END WHERE id = ?::bigint`,
        [order.id, order.id],
      );
      return { ...(await allocationOf(tx, null, order.id)), documents };
    });
  }

  /** Confirms what arrived at the destination, per dispatched category; a difference is recorded with its reason. */
  async deliver(actor: Actor, id: string, body: DeliverBody): Promise<AllocationView> {
    requireRole(actor, ...PLANNING_ROLES);
    return inLedgerTransaction(this.em, async (tx) => {
      const order = await lockOrder(tx, id);
      const lines = await tx.execute<{ category: string; scale: number; lot_tracked: boolean; dispatched: string }[]>(
        `SELECT l.category, c.scale, c.lot_tracked, coalesce(sum(p.dispatched), 0)::text AS dispatched
         FROM allocation_lines l JOIN categories c ON c.code = l.category LEFT JOIN allocation_picks p ON p.allocation_id = l.allocation_id AND p.category = l.category
         WHERE l.allocation_id = ?::bigint GROUP BY l.line, l.category, c.scale, c.lot_tracked ORDER BY l.line`,
        [order.id],
      );
      const shipped = lines.filter((l) => new Decimal(l.dispatched).gt(0));
      if (!['DISPATCHED', 'CANCELLED', 'EXPIRED'].includes(order.status) || shipped.length === 0) {
        const why = order.status === 'PARTIALLY_DISPATCHED' ? 'dispatch or cancel the rest first' : order.status === 'DELIVERED' ? 'delivery is already confirmed' : 'nothing has been dispatched';
        throw new ConflictError('NOT_DELIVERABLE', `allocation ${order.number} is ${order.status}: ${why}`, [{ field: 'status', value: order.status, reason: why }]);
      }
      const problems: FieldProblem[] = [];
      const seen = new Set<string>();
      body.lines.forEach((line, index) => {
        const found = shipped.find((l) => l.category === line.category);
        if (!found) return void problems.push({ field: `lines[${index}].category`, value: line.category, reason: 'nothing of this category was dispatched on this order' });
        if (seen.has(line.category)) return void problems.push({ field: `lines[${index}].category`, value: line.category, reason: 'given twice' });
        seen.add(line.category);
        problems.push(...validateQuantity({ code: found.category, scale: found.scale, lotTracked: found.lot_tracked }, line.received, `lines[${index}].received`, { allowZero: true }));
        if (!line.received.eq(found.dispatched) && !line.reason) {
          problems.push({ field: `lines[${index}].reason`, value: null, reason: `received ${line.received.toString()} of ${new Decimal(found.dispatched).toFixed(found.scale)} dispatched: a difference needs a reason` });
        }
      });
      for (const line of shipped) if (!seen.has(line.category)) problems.push({ field: 'lines', value: line.category, reason: `${line.category} was dispatched: say how much arrived` });
      throwIfProblems('delivery', problems);
      await tx.execute(
        `UPDATE allocation_lines l SET received = x.received, difference_reason = x.reason
         FROM jsonb_to_recordset(?::jsonb) AS x(category text, received numeric, reason text) WHERE l.allocation_id = ?::bigint AND l.category = x.category`,
        [JSON.stringify(body.lines.map((l) => ({ category: l.category, received: l.received.toFixed(), reason: l.reason ?? null }))), order.id],
      );
      await tx.execute(`UPDATE allocations SET status = 'DELIVERED', delivered_by = ?::bigint, delivered_at = now() WHERE id = ?::bigint`, [actor.id, order.id]);
      return allocationOf(tx, null, order.id);
    });
  }
}

/** A lot quarantined or expired after it was reserved may not leave; the dispatcher re-plans instead. */
async function refuseUnusableLots(tx: import('../stock/index.js').LedgerTx, picks: readonly OpenPick[]): Promise<void> {
  const lots = picks.filter((p) => p.lot !== '');
  if (lots.length === 0) return;
  const rows = await tx.execute<{ category: string; lot: string; status: string; expires_on: string }[]>(
    `SELECT l.category, l.lot, l.status, l.expires_on::text FROM stock_lots l JOIN jsonb_to_recordset(?::jsonb) AS x(category text, lot text) USING (category, lot)`,
    [JSON.stringify(lots.map((p) => ({ category: p.category, lot: p.lot })))],
  );
  const today = todayInCity();
  const bad = rows.filter((r) => r.status !== 'AVAILABLE' || r.expires_on < today);
  if (bad.length === 0) return;
  const details = bad.map((r) => {
    const pick = lots.find((p) => p.category === r.category && p.lot === r.lot)!;
    return { category: r.category, lot: r.lot, warehouse: pick.warehouse, reason: r.status !== 'AVAILABLE' ? r.status : `expired on ${r.expires_on}` };
  });
  throw new ConflictError('LOT_UNAVAILABLE', `lot ${details[0]!.lot} of ${details[0]!.category} may no longer leave (${details[0]!.reason}); cancel the order and plan it again`, details);
}
