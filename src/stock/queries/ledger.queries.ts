/**
 * Reading the ledger. Current balances come from the projection; balances as of a past date are
 * summed from the movements. The 台帐 pages by the position each movement got in its ledger when it
 * was written, so the last page of 100,000 rows is found by index seeks, not by skipping rows.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { MONEY_SCALE } from '../../shared/amounts.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { READING_ROLES, readScope, requireReadable, scopeParam } from '../stock.access.js';
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
const AS_OF_SQL = `
  SELECT m.warehouse, m.category, coalesce(m.lot, '') AS lot, sum(CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END)::text AS on_hand,
         NULL AS reserved, c.scale, count(*) OVER ()::text AS total
  FROM stock_movements m JOIN categories c ON c.code = m.category
  WHERE m.warehouse IS NOT NULL AND m.occurred_at <= ?
    AND (?::jsonb IS NULL OR m.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))
    AND (?::text IS NULL OR m.category = ?)
  GROUP BY m.warehouse, m.category, coalesce(m.lot, ''), c.scale
  HAVING sum(CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END) <> 0
  ORDER BY m.warehouse, m.category, lot LIMIT ? OFFSET ?`;

export async function balances(em: EntityManager, actor: Actor, query: BalancesQuery): Promise<{ items: BalanceView[]; total: number; asOf: string | null }> {
  const scope = scopeParam(readScope(actor, query.warehouse));
  const category = query.category ?? null;
  const rows = query.asOf
    ? await em.execute<BalanceRow[]>(AS_OF_SQL, [query.asOf, scope, scope, category, category, query.limit, query.offset])
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
}

interface Ledger {
  category: string;
  warehouse: string | null;
  from: string | null;
  to: string | null;
  opening: string;
  closing: string;
  total: number;
  items: LedgerItem[];
}

interface ItemRow {
  id: string; document_id: string; type: string; line: number; sequence: string; position: string; occurred_at: string; recorded_at: string; recorded_by: string | null;
  warehouse: string; from_node: string; to_node: string; lot: string | null; expires_on: string | null; quantity: string; unit_cost: string | null; balance: string; reason: string | null;
}

/**
 * The 台帐 of a category: in one warehouse, or (admins and finance) over all warehouses. Opening is the
 * balance before `from`, closing the balance at the end of `to`; each item carries the running
 * balance after it. Relies on positions being 1, 2, 3 … per ledger and on dates never going back
 * within a category (see occurredAtProblems), so a date maps to a position range.
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
  const position = query.warehouse ? 'warehouse_position' : 'category_position';
  const balance = query.warehouse ? 'warehouse_balance' : 'category_balance';
  const whereOf = (alias: string) => (query.warehouse ? `${alias}category = ? AND ${alias}warehouse = ?` : `${alias}category = ? AND ${alias}warehouse IS NOT NULL`);
  const where = whereOf('');
  const keys = query.warehouse ? [query.category, query.warehouse] : [query.category];
  // The last row of the ledger up to a date (or up to the end), with its position and running balance.
  const lastRow = async (dateCondition: string | null, date: string | null) => {
    const [row] = await em.execute<{ position: string; balance: string }[]>(
      `SELECT ${position}::text AS position, ${balance}::text AS balance FROM stock_movements WHERE ${where}${dateCondition ? ` AND occurred_at ${dateCondition} ?` : ''}
       ORDER BY occurred_at DESC, ${position} DESC LIMIT 1`,
      date === null ? keys : [...keys, date],
    );
    return row ? { position: BigInt(row.position), balance: new Decimal(row.balance) } : { position: 0n, balance: new Decimal(0) };
  };
  const before = query.from ? await lastRow('<', query.from) : { position: 0n, balance: new Decimal(0) };
  const lastInRange = query.to ? await lastRow('<=', query.to) : await lastRow(null, null);
  const end = lastInRange.position > before.position ? lastInRange : before;
  const first = before.position + BigInt(query.offset);
  const last = first + BigInt(query.limit) < end.position ? first + BigInt(query.limit) : end.position;
  const rows = first >= last ? [] : await em.execute<ItemRow[]>(
    `SELECT m.id::text, m.document_id::text, d.type, m.line, m.sequence::text, m.${position}::text AS position, m.occurred_at::text,
            to_char(m.recorded_at AT TIME ZONE 'UTC', ${ISO_TIME}) AS recorded_at, u.name AS recorded_by, m.warehouse, m.from_node, m.to_node,
            m.lot, m.expires_on::text, m.quantity::text, m.unit_cost::text, m.${balance}::text AS balance, m.reason
     FROM stock_movements m JOIN stock_documents d ON d.id = m.document_id LEFT JOIN users u ON u.id = m.user_id
     WHERE ${whereOf('m.')} AND m.${position} > ? AND m.${position} <= ?
     ORDER BY m.${position}`,
    [...keys, first.toString(), last.toString()],
  );
  return {
    category: query.category,
    warehouse: query.warehouse ?? null,
    from: query.from ?? null,
    to: query.to ?? null,
    opening: before.balance.toFixed(scale),
    closing: end.balance.toFixed(scale),
    total: Number(end.position - before.position),
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
