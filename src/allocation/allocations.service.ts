/**
 * Allocation orders: plan and reserve in one ledger transaction (whole plan or nothing), approve an
 * emergency override, cancel, and expire reservations left too long. Dispatch and delivery are in
 * dispatch.service.ts; the reads in allocation.queries.ts.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../shared/actor.js';
import { Decimal } from '../shared/decimal.js';
import { ConflictError, DomainError, NotFoundError } from '../shared/errors.js';
import { todayInCity } from '../shared/dates.js';
import { forkOf } from '../db/request-transaction.js';
import { type LedgerTx, type StockService, inLedgerTransaction, readerOf } from '../stock/index.js';
import type { Demand } from './core/kits.js';
import { type Destination, distanceKm, nearestFirst } from './core/geo.js';
import { type Plan, planAllocation } from './core/matching.js';
import { PLANNING_ROLES } from './allocation.access.js';
import { type AllocationView, allocationOf } from './allocation.queries.js';
import type { AllocationBody, AllocationStatus } from './allocation.schemas.js';
import { resolveOrder } from './allocation.demands.js';
import { activeWarehouses, openPicks, reachableStock, releasePicks, reservePlan } from './reservation.sql.js';

export interface AllocationSettings {
  /** A reservation not dispatched within this many hours is released. */
  reservationHours: number;
}

export const OPEN_STATUSES: readonly AllocationStatus[] = ['AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED'];

export interface LockedOrder {
  id: string;
  number: string;
  status: AllocationStatus;
  created_by: string | null;
  all_or_nothing: boolean;
  destination_name: string;
  destination_district: string | null;
  destination_lat: string | null;
  destination_lon: string | null;
  expired: boolean;
}

/** The order row, locked for the rest of the transaction: every change of one order is serialised on it. */
export async function lockOrder(tx: LedgerTx, id: string): Promise<LockedOrder> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('allocation', id);
  const [row] = await tx.execute<LockedOrder[]>(
    `SELECT id::text, number, status, created_by::text, all_or_nothing, destination_name, destination_district, destination_lat::text, destination_lon::text, expires_at <= now() AS expired
     FROM allocations WHERE id = ?::bigint FOR UPDATE`,
    [id],
  );
  if (!row) throw new NotFoundError('allocation', id);
  return row;
}

const destinationOf = (d: { district?: string | null; lat?: string | null; lon?: string | null }): Destination => ({
  district: d.district ?? null,
  lat: d.lat == null ? null : Number(d.lat),
  lon: d.lon == null ? null : Number(d.lon),
});

function insufficient(plan: Plan, scaleOf: (category: string) => number): ConflictError {
  const short = plan.lines.filter((line) => line.shortfall.gt(0));
  const details = short.map((line) => ({
    field: `lines[${plan.lines.indexOf(line)}]`, category: line.category, requested: line.requested.toFixed(scaleOf(line.category)),
    available: line.reserved.toFixed(scaleOf(line.category)), shortfall: line.shortfall.toFixed(scaleOf(line.category)),
    reason: 'not enough usable stock above the reserve quotas across all warehouses',
  }));
  const first = details[0]!;
  return new ConflictError('INSUFFICIENT_STOCK', `${details.length} line(s) cannot be covered, first ${first.category}: ${first.requested} requested, ${first.available} available; nothing was reserved`, details);
}

export class AllocationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly stock: StockService,
    private readonly settings: AllocationSettings,
  ) {}

  private async plan(tx: LedgerTx, demands: readonly Demand[], destination: Destination, takeProtected: boolean): Promise<Plan> {
    // The chain heads of the categories, in category order: the same lock every posting takes, so
    // no balance of these categories changes until this transaction ends, and no two orders deadlock.
    await this.stock.allocationLedger.lockExisting(tx, demands.map((d) => d.category));
    const today = todayInCity();
    const warehouses = await activeWarehouses(tx);
    const order = nearestFirst(destination, warehouses).map((site) => site.code);
    const { stock, quotas } = await reachableStock(tx, demands, order, today, takeProtected);
    return planAllocation({ demands, destination, warehouses, stock, quotas, today, takeProtected });
  }

  /**
   * What `create` would do with the same body, read under the same ledger lock and planned by the same
   * code, without writing anything: no order, no reservation, no order number taken.
   */
  async preview(actor: Actor, body: AllocationBody): Promise<AllocationPreview> {
    requireRole(actor, ...PLANNING_ROLES);
    const { demands, kit } = await resolveOrder(readerOf(this.em), body);
    const destination = destinationOf(body.destination);
    return inLedgerTransaction(this.em, async (tx) => {
      const plan = await this.plan(tx, demands, destination, false);
      const { outcome, reserveNow } = outcomeOf(plan, body);
      const sites = new Map((await activeWarehouses(tx)).map((site) => [site.code, site]));
      const names = new Map((await tx.execute<{ code: string; name: string }[]>('SELECT code, name FROM warehouses')).map((w) => [w.code, w.name]));
      const scales = new Map((await tx.execute<{ code: string; name: string; scale: number }[]>('SELECT code, name, scale FROM categories WHERE code = ANY(?::text[])', [demands.map((d) => d.category)])).map((c) => [c.code, c]));
      const km = (code: string): string | null => {
        const site = sites.get(code);
        return site && destination.lat != null && destination.lon != null ? distanceKm({ lat: destination.lat, lon: destination.lon }, site).toFixed(1) : null;
      };
      const used = [...new Set(plan.lines.flatMap((line) => line.picks.map((p) => p.warehouse)))];
      return {
        dryRun: true as const,
        outcome,
        reservesNow: reserveNow && outcome !== 'INSUFFICIENT_STOCK',
        covered: plan.covered,
        destination: { name: body.destination.name, district: body.destination.district ?? null, lat: body.destination.lat ?? null, lon: body.destination.lon ?? null },
        priority: body.priority,
        allOrNothing: body.allOrNothing,
        kit: kit && body.kit ? { code: kit.code, version: kit.version, people: body.kit.people } : null,
        lines: plan.lines.map((line) => {
          const scale = scales.get(line.category)?.scale ?? 0;
          return {
            category: line.category, name: scales.get(line.category)?.name ?? line.category,
            requested: line.requested.toFixed(scale), reserved: line.reserved.toFixed(scale), shortfall: line.shortfall.toFixed(scale),
            picks: line.picks.map((p) => ({ warehouse: p.warehouse, warehouseName: names.get(p.warehouse) ?? p.warehouse, lot: p.lot || null, expiresOn: p.expiresOn, quantity: p.quantity.toFixed(scale), protected: p.protected.toFixed(scale), distanceKm: km(p.warehouse) })),
          };
        }),
        warehouses: used.map((code) => ({ code, name: names.get(code) ?? code, district: sites.get(code)?.district ?? null, distanceKm: km(code) })),
      };
    });
  }

  /** Plans the order across all warehouses and reserves the plan, all in one transaction. */
  async create(actor: Actor, body: AllocationBody): Promise<AllocationView> {
    requireRole(actor, ...PLANNING_ROLES);
    const { demands, kit } = await resolveOrder(readerOf(this.em), body);
    const destination = destinationOf(body.destination);
    return inLedgerTransaction(this.em, async (tx) => {
      const plan = await this.plan(tx, demands, destination, false);
      const override = body.emergencyOverride ?? null;
      const { outcome, reserveNow } = outcomeOf(plan, body);
      if (outcome === 'INSUFFICIENT_STOCK') throw insufficient(plan, (c) => scaleOf(plan, c));
      const status: AllocationStatus = outcome;
      const [row] = await tx.execute<{ id: string }[]>(
        `INSERT INTO allocations (id, number, status, destination_name, destination_district, destination_lat, destination_lon, priority, all_or_nothing,
                                  kit_code, kit_version, people, override_reason, note, created_by, expires_at)
         SELECT n.id, 'DB' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(n.id::text, 6, '0'), ?, ?, ?, ?::numeric, ?::numeric, ?, ?, ?, ?, ?, ?, ?, ?::bigint,
                now() + (?::numeric * interval '1 hour')
         FROM (SELECT nextval('allocations_id_seq') AS id) n RETURNING id::text`,
        [
          status, body.destination.name, body.destination.district ?? null, body.destination.lat ?? null, body.destination.lon ?? null, body.priority, body.allOrNothing,
          kit?.code ?? null, kit?.version ?? null, body.kit?.people ?? null, override?.reason ?? null, body.note ?? null, actor.id, String(this.settings.reservationHours),
        ],
      );
      const id = row!.id;
      await tx.execute(
        `INSERT INTO allocation_lines (allocation_id, line, category, requested)
         SELECT ?::bigint, x.line, x.category, x.requested FROM jsonb_to_recordset(?::jsonb) AS x(line integer, category text, requested numeric)`,
        [id, JSON.stringify(demands.map((d, i) => ({ line: i + 1, category: d.category, requested: d.quantity.toFixed() })))],
      );
      if (reserveNow) await reservePlan(tx, id, plan.lines);
      return allocationOf(tx, null, id);
    });
  }

  /**
   * A second dispatcher or an admin releases the reserve quotas for this order: what the order still
   * lacks is planned again, now taking protected stock, and reserved. Both users stay on the order.
   */
  async approveOverride(actor: Actor, id: string): Promise<AllocationView> {
    requireRole(actor, ...PLANNING_ROLES);
    return inLedgerTransaction(this.em, async (tx) => {
      const order = await lockOrder(tx, id);
      if (order.status !== 'AWAITING_OVERRIDE') {
        throw new ConflictError('NOT_AWAITING_OVERRIDE', `allocation ${order.number} is ${order.status}: there is no emergency override waiting for approval`, [{ field: 'status', value: order.status, reason: 'must be AWAITING_OVERRIDE' }]);
      }
      if (order.created_by === actor.id) {
        throw new DomainError('forbidden', 'SELF_APPROVAL', `${actor.name} requested this override; a second dispatcher or an admin must approve it`, [{ field: 'approver', value: actor.name, reason: 'must not be the user who placed the order' }]);
      }
      const rows = await tx.execute<{ category: string; requested: string; reserved: string }[]>(
        `SELECT l.category, l.requested::text, coalesce(sum(p.quantity), 0)::text AS reserved
         FROM allocation_lines l LEFT JOIN allocation_picks p ON p.allocation_id = l.allocation_id AND p.category = l.category
         WHERE l.allocation_id = ?::bigint GROUP BY l.line, l.category, l.requested ORDER BY l.line`,
        [order.id],
      );
      const demands = rows.map((r) => ({ category: r.category, quantity: new Decimal(r.requested).minus(r.reserved) })).filter((d) => d.quantity.gt(0));
      if (demands.length > 0) {
        const plan = await this.plan(tx, demands, destinationOf({ district: order.destination_district, lat: order.destination_lat, lon: order.destination_lon }), true);
        if (order.all_or_nothing && !plan.covered) throw insufficient(plan, (c) => scaleOf(plan, c));
        await reservePlan(tx, order.id, plan.lines);
      }
      await tx.execute(
        `UPDATE allocations SET status = 'RESERVED', override_approved_by = ?::bigint, override_approved_at = now(), expires_at = now() + (?::numeric * interval '1 hour') WHERE id = ?::bigint`,
        [actor.id, String(this.settings.reservationHours), order.id],
      );
      return allocationOf(tx, null, order.id);
    });
  }

  async cancel(actor: Actor, id: string, reason: string | null): Promise<AllocationView> {
    requireRole(actor, ...PLANNING_ROLES);
    return inLedgerTransaction(this.em, async (tx) => {
      const order = await lockOrder(tx, id);
      if (!OPEN_STATUSES.includes(order.status)) {
        throw new ConflictError('NOT_CANCELLABLE', `allocation ${order.number} is ${order.status}; only an order still holding stock can be cancelled`, [{ field: 'status', value: order.status, reason: `must be one of ${OPEN_STATUSES.join(', ')}` }]);
      }
      await this.release(tx, order.id);
      await tx.execute(`UPDATE allocations SET status = 'CANCELLED', closed_by = ?::bigint, closed_at = now(), close_reason = ? WHERE id = ?::bigint`, [actor.id, reason, order.id]);
      return allocationOf(tx, null, order.id);
    });
  }

  private async release(tx: LedgerTx, id: string): Promise<void> {
    const picks = await openPicks(tx, id);
    if (picks.length === 0) return;
    await this.stock.allocationLedger.lockExisting(tx, picks.map((p) => p.category));
    await releasePicks(tx, id, picks, 'release');
  }

  /** Releases every reservation older than its time; run by a timer and on start. Returns how many orders expired. */
  async expireDue(now: Date = new Date()): Promise<number> {
    const due = await forkOf(this.em).execute<{ id: string }[]>(
      `SELECT id::text FROM allocations WHERE status IN ('AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED') AND expires_at <= ?::timestamptz ORDER BY expires_at LIMIT 500`,
      [now.toISOString()],
    );
    let expired = 0;
    for (const { id } of due) {
      const done = await inLedgerTransaction(this.em, async (tx) => {
        const order = await lockOrder(tx, id);
        const [still] = await tx.execute<{ due: boolean }[]>('SELECT expires_at <= ?::timestamptz AS due FROM allocations WHERE id = ?::bigint', [now.toISOString(), id]);
        if (!OPEN_STATUSES.includes(order.status) || !still?.due) return false;
        await this.release(tx, id);
        await tx.execute(
          `UPDATE allocations SET status = 'EXPIRED', closed_at = now(), close_reason = ? WHERE id = ?::bigint`,
          [`reservation not dispatched within ${this.settings.reservationHours} hours`, id],
        );
        return true;
      });
      if (done) expired++;
    }
    return expired;
  }
}

/** What an order does with its plan: reserve, wait for an override's approval, or refuse (409). */
function outcomeOf(plan: Plan, body: AllocationBody): { outcome: 'RESERVED' | 'AWAITING_OVERRIDE' | 'INSUFFICIENT_STOCK'; reserveNow: boolean } {
  const override = body.emergencyOverride ?? null;
  const reserveNow = plan.covered || !body.allOrNothing;
  const anything = plan.lines.some((line) => line.reserved.gt(0));
  if (!override && (!reserveNow || !anything)) return { outcome: 'INSUFFICIENT_STOCK', reserveNow };
  return { outcome: plan.covered || !override ? 'RESERVED' : 'AWAITING_OVERRIDE', reserveNow };
}

export interface AllocationPreview {
  dryRun: true;
  outcome: 'RESERVED' | 'AWAITING_OVERRIDE' | 'INSUFFICIENT_STOCK';
  reservesNow: boolean;
  covered: boolean;
  destination: { name: string; district: string | null; lat: string | null; lon: string | null };
  priority: number;
  allOrNothing: boolean;
  kit: { code: string; version: number; people: number } | null;
  lines: {
    category: string; name: string; requested: string; reserved: string; shortfall: string;
    picks: { warehouse: string; warehouseName: string; lot: string | null; expiresOn: string | null; quantity: string; protected: string; distanceKm: string | null }[];
  }[];
  warehouses: { code: string; name: string; district: string | null; distanceKm: string | null }[];
}

function scaleOf(plan: Plan, category: string): number {
  const line = plan.lines.find((l) => l.category === category)!;
  return Math.max(line.requested.decimalPlaces(), 0);
}
