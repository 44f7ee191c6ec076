/** Read models of allocations: one order with its lines and picks, the list, the dispatched summary and pick lists. */
import { Decimal } from '../shared/decimal.js';
import { type Actor, requireRole, requireWarehouse } from '../shared/actor.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { SqlRunner } from './allocation.types.js';
import { ALLOCATION_READERS } from './allocation.access.js';
import type { AllocationStatus, AllocationsQuery, SummaryQuery } from './allocation.schemas.js';

export interface PickView {
  warehouse: string;
  lot: string | null;
  expiresOn: string | null;
  quantity: string;
  open: string;
  dispatched: string;
  protected: string;
}

export interface LineView {
  category: string;
  requested: string;
  reserved: string;
  shortfall: string;
  dispatched: string;
  received: string | null;
  differenceReason: string | null;
  picks: PickView[];
}

export interface AllocationView {
  id: string;
  number: string;
  status: AllocationStatus;
  destination: { name: string; district: string | null; lat: string | null; lon: string | null };
  priority: number;
  allOrNothing: boolean;
  kit: { code: string; version: number; people: number } | null;
  emergencyOverride: { reason: string; approvedBy: string | null; approvedAt: string | null } | null;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
  closeReason: string | null;
  deliveredAt: string | null;
  lines: LineView[];
  dispatches: { documentId: string; warehouse: string; by: string | null; at: string; reversedBy: string | null }[];
  /** Corrections after the fact (a reversed dispatch), oldest first. */
  history: { action: string; statusBefore: AllocationStatus; statusAfter: AllocationStatus; by: string | null; at: string; details: Record<string, unknown> }[];
}

interface Row {
  id: string; number: string; status: AllocationStatus; destination_name: string; destination_district: string | null; destination_lat: string | null; destination_lon: string | null;
  priority: number; all_or_nothing: boolean; kit_code: string | null; kit_version: number | null; people: number | null; override_reason: string | null;
  approved_by: string | null; override_approved_at: string | null; note: string | null; created_by_name: string | null; created_by: string | null; created_at: string; expires_at: string;
  closed_at: string | null; close_reason: string | null; delivered_at: string | null;
  lines: { category: string; scale: number; requested: string; received: string | null; difference_reason: string | null }[];
  picks: { category: string; warehouse: string; lot: string; expires_on: string | null; quantity: string; open: string; dispatched: string; protected: string }[];
  dispatches: { document_id: string; warehouse: string; by: string | null; at: string; reversed_by: string | null }[];
  history: { action: string; status_before: AllocationStatus; status_after: AllocationStatus; by: string | null; at: string; details: Record<string, unknown> }[];
}

const ORDER_SQL = `
  SELECT a.id::text, a.number, a.status, a.destination_name, a.destination_district, a.destination_lat::text, a.destination_lon::text, a.priority, a.all_or_nothing,
         a.kit_code, a.kit_version, a.people, a.override_reason, ap.name AS approved_by, a.override_approved_at, a.note, cb.name AS created_by_name, a.created_by::text,
         a.created_at, a.expires_at, a.closed_at, a.close_reason, a.delivered_at,
         (SELECT json_agg(json_build_object('category', l.category, 'scale', c.scale, 'requested', l.requested::text, 'received', l.received::text, 'difference_reason', l.difference_reason) ORDER BY l.line)
          FROM allocation_lines l JOIN categories c ON c.code = l.category WHERE l.allocation_id = a.id) AS lines,
         (SELECT coalesce(json_agg(json_build_object('category', p.category, 'warehouse', p.warehouse, 'lot', p.lot, 'expires_on', lo.expires_on, 'quantity', p.quantity::text, 'open', p.open::text,
                   'dispatched', p.dispatched::text, 'protected', p.protected::text) ORDER BY p.category, p.warehouse, lo.expires_on, p.lot), '[]')
          FROM allocation_picks p LEFT JOIN stock_lots lo ON lo.category = p.category AND lo.lot = p.lot AND p.lot <> '' WHERE p.allocation_id = a.id) AS picks,
         (SELECT coalesce(json_agg(json_build_object('document_id', d.document_id::text, 'warehouse', d.warehouse, 'by', u.name, 'at', d.created_at, 'reversed_by', r.id::text) ORDER BY d.document_id), '[]')
          FROM allocation_dispatches d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN stock_documents r ON r.reverses_document_id = d.document_id
          WHERE d.allocation_id = a.id) AS dispatches,
         (SELECT coalesce(json_agg(json_build_object('action', h.action, 'status_before', h.status_before, 'status_after', h.status_after, 'by', u.name, 'at', h.at, 'details', h.details) ORDER BY h.id), '[]')
          FROM allocation_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.allocation_id = a.id) AS history
  FROM allocations a LEFT JOIN users ap ON ap.id = a.override_approved_by LEFT JOIN users cb ON cb.id = a.created_by`;

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());
const fixed = (value: Decimal, scale: number) => value.toFixed(scale);

function toView(row: Row): AllocationView {
  const lines = row.lines.map((line): LineView => {
    const picks = row.picks.filter((p) => p.category === line.category);
    const reserved = picks.reduce((total, p) => total.plus(p.quantity), new Decimal(0));
    const dispatched = picks.reduce((total, p) => total.plus(p.dispatched), new Decimal(0));
    const requested = new Decimal(line.requested);
    return {
      category: line.category, requested: fixed(requested, line.scale), reserved: fixed(reserved, line.scale), shortfall: fixed(Decimal.max(0, requested.minus(reserved)), line.scale),
      dispatched: fixed(dispatched, line.scale), received: line.received === null ? null : fixed(new Decimal(line.received), line.scale), differenceReason: line.difference_reason,
      picks: picks.map((p) => ({
        warehouse: p.warehouse, lot: p.lot || null, expiresOn: p.expires_on, quantity: fixed(new Decimal(p.quantity), line.scale), open: fixed(new Decimal(p.open), line.scale),
        dispatched: fixed(new Decimal(p.dispatched), line.scale), protected: fixed(new Decimal(p.protected), line.scale),
      })),
    };
  });
  return {
    id: row.id, number: row.number, status: row.status,
    destination: { name: row.destination_name, district: row.destination_district, lat: row.destination_lat, lon: row.destination_lon },
    priority: row.priority, allOrNothing: row.all_or_nothing,
    kit: row.kit_code === null ? null : { code: row.kit_code, version: row.kit_version!, people: row.people! },
    emergencyOverride: row.override_reason === null ? null : { reason: row.override_reason, approvedBy: row.approved_by, approvedAt: iso(row.override_approved_at) },
    note: row.note, createdBy: row.created_by_name, createdAt: iso(row.created_at)!, expiresAt: iso(row.expires_at)!, closedAt: iso(row.closed_at), closeReason: row.close_reason,
    deliveredAt: iso(row.delivered_at), lines,
    dispatches: row.dispatches.map((d) => ({ documentId: d.document_id, warehouse: d.warehouse, by: d.by, at: iso(d.at)!, reversedBy: d.reversed_by })),
    history: row.history.map((h) => ({ action: h.action, statusBefore: h.status_before, statusAfter: h.status_after, by: h.by, at: iso(h.at)!, details: h.details })),
  };
}

/** An order by id or number (DB…); keepers only see orders that take stock from a warehouse they keep. */
export async function allocationOf(db: SqlRunner, actor: Actor | null, idOrNumber: string): Promise<AllocationView> {
  if (actor) requireRole(actor, ...ALLOCATION_READERS);
  const byId = /^\d{1,18}$/.test(idOrNumber);
  if (!byId && !/^DB\d{8}-\d{6,}$/.test(idOrNumber)) throw new NotFoundError('allocation', idOrNumber);
  const [row] = await db.execute<Row[]>(`${ORDER_SQL} WHERE ${byId ? 'a.id = ?::bigint' : 'a.number = ?'}`, [idOrNumber]);
  if (!row) throw new NotFoundError('allocation', idOrNumber);
  if (actor?.role === 'keeper' && !row.picks.some((p) => actor.warehouses.includes(p.warehouse))) {
    throw new ForbiddenError(`${actor.name} keeps none of the warehouses allocation ${row.number} takes stock from`, { allocation: row.number });
  }
  return toView(row);
}

/** The business day of a timestamp in the city, for from/to filters. */
const CITY_DAY = `(a.created_at AT TIME ZONE 'Asia/Shanghai')::date`;

export async function listAllocations(db: SqlRunner, actor: Actor, query: AllocationsQuery) {
  requireRole(actor, ...ALLOCATION_READERS);
  const keeperScope = actor.role === 'keeper' ? JSON.stringify(actor.warehouses) : null;
  const rows = await db.execute<{ id: string; number: string; status: AllocationStatus; destination: string; district: string | null; priority: number; created_at: string; expires_at: string; lines: number; total: string }[]>(
    `SELECT a.id::text, a.number, a.status, a.destination_name AS destination, a.destination_district AS district, a.priority, a.created_at, a.expires_at,
            (SELECT count(*) FROM allocation_lines l WHERE l.allocation_id = a.id)::int AS lines, count(*) OVER () AS total
     FROM allocations a
     WHERE (?::text IS NULL OR a.destination_name = ?) AND (?::text IS NULL OR a.status = ?)
       AND (?::date IS NULL OR ${CITY_DAY} >= ?::date) AND (?::date IS NULL OR ${CITY_DAY} <= ?::date)
       AND (?::jsonb IS NULL OR EXISTS (SELECT 1 FROM allocation_picks p WHERE p.allocation_id = a.id AND p.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))))
     ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    [
      query.destination ?? null, query.destination ?? null, query.status ?? null, query.status ?? null, query.from ?? null, query.from ?? null, query.to ?? null, query.to ?? null,
      keeperScope, keeperScope, query.limit, query.offset,
    ],
  );
  return {
    items: rows.map(({ total: _total, created_at, expires_at, ...row }) => ({ ...row, createdAt: iso(created_at), expiresAt: iso(expires_at) })),
    total: rows[0] ? Number(rows[0].total) : 0,
  };
}

/**
 * Quantities dispatched per destination and category, read from the ledger itself: movements into
 * destination nodes less any that came back (a reversed dispatch), by business date.
 */
export async function dispatchedSummary(db: SqlRunner, actor: Actor, query: SummaryQuery) {
  requireRole(actor, 'admin', 'dispatcher', 'finance');
  const node = query.destination === undefined ? null : `DESTINATION:${query.destination}`;
  const rows = await db.execute<{ destination: string; category: string; quantity: string; scale: number }[]>(
    `WITH moved AS (
       SELECT to_node AS node, category, quantity FROM stock_movements WHERE to_node LIKE 'DESTINATION:%' AND (?::date IS NULL OR occurred_at >= ?::date) AND (?::date IS NULL OR occurred_at <= ?::date)
       UNION ALL
       SELECT from_node, category, -quantity FROM stock_movements WHERE from_node LIKE 'DESTINATION:%' AND (?::date IS NULL OR occurred_at >= ?::date) AND (?::date IS NULL OR occurred_at <= ?::date))
     SELECT substr(m.node, 13) AS destination, m.category, sum(m.quantity)::text AS quantity, c.scale
     FROM moved m JOIN categories c ON c.code = m.category
     WHERE (?::text IS NULL OR m.node = ?)
     GROUP BY m.node, m.category, c.scale HAVING sum(m.quantity) <> 0 ORDER BY 1, 2`,
    [query.from ?? null, query.from ?? null, query.to ?? null, query.to ?? null, query.from ?? null, query.from ?? null, query.to ?? null, query.to ?? null, node, node],
  );
  const items = rows.map((row) => ({ destination: row.destination, category: row.category, quantity: new Decimal(row.quantity).toFixed(row.scale) }));
  return { items, total: items.length };
}

export interface PickListLine {
  category: string;
  name: string;
  spec: string | null;
  unit: string;
  lot: string | null;
  expiresOn: string | null;
  quantity: string;
  dispatched: string;
}

export interface PickList {
  allocation: { id: string; number: string; status: AllocationStatus; destination: AllocationView['destination']; priority: number; createdAt: string };
  warehouses: { warehouse: string; name: string; lines: PickListLine[] }[];
}

/**
 * What each warehouse picks for an order: every pick still held or already shipped, per warehouse,
 * first-expiring lots first. Keepers get their own warehouses only.
 */
export async function pickList(db: SqlRunner, actor: Actor, idOrNumber: string, warehouse: string | undefined): Promise<PickList> {
  const order = await allocationOf(db, actor, idOrNumber);
  if (warehouse !== undefined && actor.role === 'keeper') requireWarehouse(actor, warehouse);
  const visible = (code: string) => (warehouse === undefined ? actor.role !== 'keeper' || actor.warehouses.includes(code) : code === warehouse);
  const codes = [...new Set(order.lines.flatMap((l) => l.picks.map((p) => p.warehouse)))].filter(visible).sort();
  const details = await db.execute<{ kind: string; code: string; name: string; spec: string | null; unit: string | null }[]>(
    `SELECT 'category' AS kind, code, name, spec, unit FROM categories WHERE code IN (SELECT jsonb_array_elements_text(?::jsonb))
     UNION ALL SELECT 'warehouse', code, name, NULL, NULL FROM warehouses WHERE code IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(order.lines.map((l) => l.category)), JSON.stringify(codes)],
  );
  const named = new Map(details.map((d) => [`${d.kind}:${d.code}`, d]));
  const warehouses = codes.map((code) => ({
    warehouse: code,
    name: named.get(`warehouse:${code}`)?.name ?? code,
    lines: order.lines.flatMap((line) =>
      line.picks
        .filter((p) => p.warehouse === code && new Decimal(p.open).plus(p.dispatched).gt(0))
        .map((p) => {
          const category = named.get(`category:${line.category}`);
          return {
            category: line.category, name: category?.name ?? line.category, spec: category?.spec ?? null, unit: category?.unit ?? '', lot: p.lot, expiresOn: p.expiresOn,
            quantity: new Decimal(p.open).plus(p.dispatched).toFixed(p.quantity.split('.')[1]?.length ?? 0), dispatched: p.dispatched,
          };
        }),
    ),
  }));
  const { id, number, status, destination, priority, createdAt } = order;
  return { allocation: { id, number, status, destination, priority, createdAt }, warehouses };
}
