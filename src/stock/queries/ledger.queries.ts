/**
 * Reading the ledger. Current balances come from the projection. Anything dated starts from the
 * frozen balances of the nearest closed month (月结) and adds only the movements after it, so its cost
 * is one period's movements, not the whole history: late entries make record order and business-date
 * order differ, so the running figures stored with each row (record order) cannot serve dated reads.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { daysBetween, todayInCity } from '../../shared/dates.js';
import { MONEY_SCALE } from '../../shared/amounts.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { READING_ROLES, readScope, STOCK_LEVEL_READERS, requireReadable, scopeParam } from '../stock.access.js';
import type { BalancesQuery, LedgerQuery } from '../stock.schemas.js';
import { type DocumentView, ISO_TIME, fixedOrNull, readDocumentView } from './stock.views.js';

export interface BalanceView {
  warehouse: string;
  category: string;
  lot: string | null;
  onHand: string;
  /** Not known for a past date (reservations are not ledger movements): null with asOf. */
  reserved: string | null;
  available: string | null;
}

interface BalanceRow {
  warehouse: string;
  category: string;
  lot: string;
  on_hand: string;
  reserved: string | null;
  scale: number;
  total: string;
}

const CURRENT_SQL = `
  SELECT b.warehouse, b.category, b.lot, b.on_hand::text, b.reserved::text, c.scale, count(*) OVER ()::text AS total
  FROM stock_balances b JOIN categories c ON c.code = b.category
  WHERE (b.on_hand > 0 OR b.reserved > 0)
    AND (?::jsonb IS NULL OR b.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))
    AND (?::text IS NULL OR b.category = ?)
  ORDER BY b.warehouse, b.category, b.lot LIMIT ? OFFSET ?`;

// Each movement has at most one warehouse side; into it counts +, out of it −.
const SIGNED = `CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END`;

// The nearest closed month ending on or before the date, then only the movements after it.
const AS_OF_SQL = `
  WITH f AS (SELECT period, through FROM stock_periods WHERE through <= ?::date ORDER BY through DESC LIMIT 1),
  x AS (
    SELECT b.warehouse, b.category, b.lot, b.on_hand AS quantity FROM stock_period_balances b
    WHERE b.period = (SELECT period FROM f)
      AND (?::jsonb IS NULL OR b.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))) AND (?::text IS NULL OR b.category = ?)
    UNION ALL
    SELECT m.warehouse, m.category, coalesce(m.lot, ''), ${SIGNED} FROM stock_movements m
    WHERE m.warehouse IS NOT NULL AND m.occurred_at > coalesce((SELECT through FROM f), '-infinity'::date) AND m.occurred_at <= ?::date
      AND (?::jsonb IS NULL OR m.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))) AND (?::text IS NULL OR m.category = ?))
  SELECT x.warehouse, x.category, x.lot, sum(x.quantity)::text AS on_hand, NULL AS reserved, c.scale, count(*) OVER ()::text AS total
  FROM x JOIN categories c ON c.code = x.category
  GROUP BY x.warehouse, x.category, x.lot, c.scale
  HAVING sum(x.quantity) <> 0
  ORDER BY x.warehouse, x.category, x.lot LIMIT ? OFFSET ?`;

// From the current balances back: minus every movement dated after the date (late entries included,
// since the current balances hold every movement ever recorded). Every key a movement touches has a
// balance row, so the balances drive the join.
const AS_OF_BACKWARD_SQL = `
  WITH d AS (
    SELECT m.warehouse, m.category, coalesce(m.lot, '') AS lot, sum(${SIGNED}) AS delta FROM stock_movements m
    WHERE m.warehouse IS NOT NULL AND m.occurred_at > ?::date
      AND (?::jsonb IS NULL OR m.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))) AND (?::text IS NULL OR m.category = ?)
    GROUP BY 1, 2, 3)
  SELECT b.warehouse, b.category, b.lot, (b.on_hand - coalesce(d.delta, 0))::text AS on_hand, NULL AS reserved, c.scale, count(*) OVER ()::text AS total
  FROM stock_balances b JOIN categories c ON c.code = b.category
  LEFT JOIN d ON d.warehouse = b.warehouse AND d.category = b.category AND d.lot = b.lot
  WHERE b.on_hand - coalesce(d.delta, 0) <> 0
    AND (?::jsonb IS NULL OR b.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))) AND (?::text IS NULL OR b.category = ?)
  ORDER BY b.warehouse, b.category, b.lot LIMIT ? OFFSET ?`;

/**
 * As-of balances read whichever period is shorter: forward from the nearest closed month's frozen
 * balances, or back from the current balances. Either way the work is bounded by one stretch of
 * movements, not by the whole history.
 */
async function balancesAsOf(em: EntityManager, asOf: string, scope: string | null, category: string | null, page: { limit: number; offset: number }) {
  const [frozen] = await em.execute<{ through: string }[]>('SELECT through::text FROM stock_periods WHERE through <= ?::date ORDER BY through DESC LIMIT 1', [asOf]);
  const forwardDays = frozen ? daysBetween(frozen.through, asOf) : Number.POSITIVE_INFINITY;
  if (daysBetween(asOf, todayInCity()) < forwardDays) {
    return em.execute<BalanceRow[]>(AS_OF_BACKWARD_SQL, [asOf, scope, scope, category, category, scope, scope, category, category, page.limit, page.offset]);
  }
  return em.execute<BalanceRow[]>(AS_OF_SQL, [asOf, scope, scope, category, category, asOf, scope, scope, category, category, page.limit, page.offset]);
}

export async function balances(em: EntityManager, actor: Actor, query: BalancesQuery): Promise<{ items: BalanceView[]; total: number; asOf: string | null }> {
  const scope = scopeParam(readScope(actor, query.warehouse, STOCK_LEVEL_READERS));
  const category = query.category ?? null;
  const rows = query.asOf
    ? await balancesAsOf(em, query.asOf, scope, category, query)
    : await em.execute<BalanceRow[]>(CURRENT_SQL, [scope, scope, category, category, query.limit, query.offset]);
  const items = rows.map((row) => {
    const onHand = new Decimal(row.on_hand);
    const reserved = row.reserved === null ? null : new Decimal(row.reserved);
    return {
      warehouse: row.warehouse,
      category: row.category,
      lot: row.lot || null,
      onHand: onHand.toFixed(row.scale),
      reserved: reserved?.toFixed(row.scale) ?? null,
      available: reserved === null ? null : onHand.minus(reserved).toFixed(row.scale),
    };
  });
  return { items, total: Number(rows[0]?.total ?? 0), asOf: query.asOf ?? null };
}

export interface LedgerItem {
  id: string;
  documentId: string;
  documentType: string;
  line: number;
  sequence: string;
  position: string;
  occurredAt: string;
  recordedAt: string;
  recordedBy: string;
  warehouse: string;
  counterparty: string;
  lot: string | null;
  expiresOn: string | null;
  in: string | null;
  out: string | null;
  unitCost: string | null;
  balance: string;
  reason: string | null;
  /** The document that reversed this one (冲销), once it has been. */
  reversedByDocumentId: string | null;
}

interface Ledger {
  category: string;
  warehouse: string | null;
  from: string | null;
  to: string | null;
  /** Balance before `from` (0 without it) and at the end of `to` (or now). */
  opening: string;
  closing: string;
  /** Running balance before the first item of this page. */
  pageOpening: string;
  total: number;
  items: LedgerItem[];
}

interface ItemRow {
  id: string; document_id: string; type: string; line: number; sequence: string; position: string; occurred_at: string; recorded_at: string; recorded_by: string | null;
  warehouse: string; from_node: string; to_node: string; lot: string | null; expires_on: string | null; quantity: string; unit_cost: string | null; balance: string; reason: string | null;
  page_opening: string; reversed_by: string | null;
}

/**
 * The SQL of one kind of 台帐: of a category in one warehouse ($1 category, $2 warehouse), or over
 * all warehouses ($1 category). Rows are in business-date order, then record order (the position each
 * got in its ledger when written), read from the (category, [warehouse,] occurred_at, position) index.
 */
function ledgerSql(inWarehouse: boolean) {
  const position = inWarehouse ? 'warehouse_position' : 'category_position';
  const keys = inWarehouse ? 2 : 1;
  const p = (n: number) => `$${n + keys}`;
  const scope = inWarehouse ? 'm.category = $1 AND m.warehouse = $2 AND m.warehouse IS NOT NULL' : 'm.category = $1 AND m.warehouse IS NOT NULL';
  const frozenScope = inWarehouse ? 'b.category = $1 AND b.warehouse = $2' : 'b.category = $1';
  // Balance at the end of a day: the frozen closing of the nearest closed month ending on or before it, plus the movements after that month.
  const balanceThrough = (day: string) => `(
    SELECT coalesce((SELECT sum(b.on_hand) FROM stock_period_balances b WHERE b.period = f.period AND ${frozenScope}), 0)
         + coalesce((SELECT sum(${SIGNED}) FROM stock_movements m WHERE ${scope} AND m.occurred_at > coalesce(f.through, '-infinity'::date) AND m.occurred_at <= ${day}), 0)
    FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT period, through FROM stock_periods WHERE through <= ${day} ORDER BY through DESC LIMIT 1) f ON true)`;
  const from = `coalesce(${p(1)}::date, '-infinity'::date)`;
  const to = `coalesce(${p(2)}::date, 'infinity'::date)`;
  const summary = `
    SELECT ${balanceThrough(`(${from} - 1)`)}::text AS opening, ${balanceThrough(to)}::text AS closing,
           (SELECT count(*) FROM stock_movements m WHERE ${scope} AND m.occurred_at BETWEEN ${from} AND ${to})::text AS total`;
  // The page's first row is found on the index alone; its opening is the frozen closing of the month
  // before it plus the movements from there up to the row before it; then a running sum over the page.
  // A page past the middle finds its first row walking the index from the end ($p3 then counts rows
  // from the last one), so the last page of 100,000 rows costs what the first does.
  const firstRow = (direction: '' | ' DESC') => `
    WITH first AS MATERIALIZED (
      SELECT m.occurred_at, m.${position} AS position FROM stock_movements m WHERE ${scope} AND m.occurred_at BETWEEN ${from} AND ${to}
      ORDER BY m.occurred_at${direction}, m.${position}${direction} OFFSET ${p(3)} LIMIT 1),`;
  const rest = `
    page AS MATERIALIZED (
      SELECT m.* FROM stock_movements m, first WHERE ${scope} AND m.occurred_at <= ${to} AND (m.occurred_at, m.${position}) >= (first.occurred_at, first.position)
      ORDER BY m.occurred_at, m.${position} LIMIT ${p(4)}),
    f AS (SELECT period, through FROM stock_periods WHERE through < (SELECT occurred_at FROM first) ORDER BY through DESC LIMIT 1),
    opening AS (
      SELECT coalesce((SELECT sum(b.on_hand) FROM stock_period_balances b WHERE b.period = (SELECT period FROM f) AND ${frozenScope}), 0)
           + coalesce((SELECT sum(${SIGNED}) FROM stock_movements m, first WHERE ${scope} AND m.occurred_at > coalesce((SELECT through FROM f), '-infinity'::date)
                         AND (m.occurred_at, m.${position}) < (first.occurred_at, first.position)), 0) AS balance)
    SELECT m.id::text, m.document_id::text, d.type, m.line, m.sequence::text, m.${position}::text AS position, m.occurred_at::text,
           to_char(m.recorded_at AT TIME ZONE 'UTC', ${ISO_TIME}) AS recorded_at, u.name AS recorded_by, m.warehouse, m.from_node, m.to_node,
           m.lot, m.expires_on::text, m.quantity::text, m.unit_cost::text, m.reason, o.balance::text AS page_opening,
           (SELECT r.id::text FROM stock_documents r WHERE r.reverses_document_id = m.document_id) AS reversed_by,
           (o.balance + sum(${SIGNED}) OVER (ORDER BY m.occurred_at, m.${position}))::text AS balance
    FROM page m CROSS JOIN opening o JOIN stock_documents d ON d.id = m.document_id LEFT JOIN users u ON u.id = m.user_id
    ORDER BY m.occurred_at, m.${position}`;
  return { summary, page: firstRow('') + rest, pageFromEnd: firstRow(' DESC') + rest };
}

const LEDGER_SQL = { warehouse: ledgerSql(true), category: ledgerSql(false) };

/** $n → ? with the parameters repeated in order of use, for EntityManager.execute (which binds `?` only). */
function positional(sql: string, params: readonly unknown[]): [string, unknown[]] {
  const bound: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    bound.push(params[Number(n) - 1]);
    return '?';
  });
  return [text, bound];
}

/**
 * The 台帐 of a category: in one warehouse, or (admins and finance) over all warehouses. Opening is the
 * balance before `from`, closing the balance at the end of `to`; each item carries the running
 * balance after it in business-date order, so a late entry shifts the balances of everything after it.
 */
export async function ledger(em: EntityManager, actor: Actor, query: LedgerQuery): Promise<Ledger> {
  if (query.warehouse) requireReadable(actor, query.warehouse);
  else {
    requireRole(actor, ...READING_ROLES);
    if (actor.role === 'keeper') throw new ForbiddenError('a keeper reads the ledger of a warehouse they keep: add warehouse=<code>', { field: 'warehouse' });
  }
  const [category] = await em.execute<{ scale: number }[]>('SELECT scale FROM categories WHERE code = ?', [query.category]);
  if (!category) throw new NotFoundError('category', query.category);
  const scale = category.scale;
  const sql = query.warehouse ? LEDGER_SQL.warehouse : LEDGER_SQL.category;
  const keys = query.warehouse ? [query.category, query.warehouse] : [query.category];
  const [summary] = await em.execute<{ opening: string; closing: string; total: string }[]>(...positional(sql.summary, [...keys, query.from ?? null, query.to ?? null]));
  const total = Number(summary!.total);
  const fromEnd = query.offset > total / 2 && query.offset < total;
  const rows = await em.execute<ItemRow[]>(
    ...positional(fromEnd ? sql.pageFromEnd : sql.page, [...keys, query.from ?? null, query.to ?? null, fromEnd ? total - 1 - query.offset : query.offset, query.limit]),
  );
  const opening = new Decimal(summary!.opening);
  return {
    category: query.category,
    warehouse: query.warehouse ?? null,
    from: query.from ?? null,
    to: query.to ?? null,
    opening: opening.toFixed(scale),
    closing: new Decimal(summary!.closing).toFixed(scale),
    pageOpening: (rows[0] ? new Decimal(rows[0].page_opening) : opening).toFixed(scale),
    total,
    items: rows.map((row) => toItem(row, scale)),
  };
}

function toItem(row: ItemRow, scale: number): LedgerItem {
  const incoming = row.to_node === `WH:${row.warehouse}`;
  const quantity = new Decimal(row.quantity).toFixed(scale);
  return {
    id: row.id,
    documentId: row.document_id,
    documentType: row.type,
    line: row.line,
    sequence: row.sequence,
    position: row.position,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by ?? 'system',
    warehouse: row.warehouse,
    counterparty: incoming ? row.from_node : row.to_node,
    lot: row.lot,
    expiresOn: row.expires_on,
    in: incoming ? quantity : null,
    out: incoming ? null : quantity,
    unitCost: fixedOrNull(row.unit_cost, MONEY_SCALE),
    balance: new Decimal(row.balance).toFixed(scale),
    reason: row.reason,
    reversedByDocumentId: row.reversed_by,
  };
}

/** A document with its lines; keepers see those of the warehouses they keep. */
export async function documentOf(em: EntityManager, actor: Actor, id: string): Promise<DocumentView> {
  requireRole(actor, ...READING_ROLES);
  const view = await readDocumentView(em, id);
  if (actor.role === 'keeper') {
    const involved = [view.warehouse, view.counterpartWarehouse].filter((w): w is string => w !== null);
    if (!involved.some((w) => actor.warehouses.includes(w))) requireReadable(actor, involved[0] ?? '');
  }
  return view;
}
