/**
 * Reserve quotas (储备定额): the stock level of a category the bureau requires a warehouse to hold,
 * and the two alerts staff act on: categories below quota and lots expiring soon.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import type { FieldProblem } from '../../shared/errors.js';
import { addDays, todayInCity } from '../../shared/dates.js';
import { validateQuantity, throwIfProblems } from '../core/validation.js';
import { readScope, STOCK_LEVEL_READERS, scopeParam } from '../stock.access.js';
import { forkOf } from '../../db/request-transaction.js';

export interface QuotaView {
  warehouse: string;
  category: string;
  quantity: string;
}

export class QuotasService {
  constructor(private readonly em: EntityManager) {}

  /** Sets (or replaces) one quota; 0 removes the requirement without losing the record of it. */
  async set(actor: Actor, input: { warehouse: string; category: string; quantity: Decimal }): Promise<QuotaView> {
    requireRole(actor, 'admin');
    const em = forkOf(this.em);
    const [found] = await em.execute<{ warehouse: boolean; scale: number | null; lot_tracked: boolean | null }[]>(
      'SELECT EXISTS (SELECT 1 FROM warehouses WHERE code = ?) AS warehouse, (SELECT scale FROM categories WHERE code = ?) AS scale, (SELECT lot_tracked FROM categories WHERE code = ?) AS lot_tracked',
      [input.warehouse, input.category, input.category],
    );
    const problems: FieldProblem[] = [];
    if (!found!.warehouse) problems.push({ field: 'warehouse', value: input.warehouse, reason: 'unknown warehouse' });
    if (found!.scale === null) problems.push({ field: 'category', value: input.category, reason: 'unknown supply category' });
    else problems.push(...validateQuantity({ code: input.category, scale: found!.scale, lotTracked: found!.lot_tracked! }, input.quantity, 'quantity', { allowZero: true }));
    throwIfProblems('quota', problems);
    await em.execute(
      `INSERT INTO stock_quotas (warehouse, category, quantity, user_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (warehouse, category) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now(), user_id = EXCLUDED.user_id`,
      [input.warehouse, input.category, input.quantity.toFixed(), actor.id],
    );
    return { warehouse: input.warehouse, category: input.category, quantity: input.quantity.toFixed(found!.scale!) };
  }

  async list(actor: Actor, query: { warehouse?: string; category?: string }): Promise<{ items: QuotaView[] }> {
    const scope = scopeParam(readScope(actor, query.warehouse));
    const rows = await forkOf(this.em).execute<{ warehouse: string; category: string; quantity: string; scale: number }[]>(
      `SELECT q.warehouse, q.category, q.quantity::text, c.scale FROM stock_quotas q JOIN categories c ON c.code = q.category
       WHERE (?::jsonb IS NULL OR q.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb))) AND (?::text IS NULL OR q.category = ?)
       ORDER BY q.warehouse, q.category`,
      [scope, scope, query.category ?? null, query.category ?? null],
    );
    return { items: rows.map((row) => ({ warehouse: row.warehouse, category: row.category, quantity: new Decimal(row.quantity).toFixed(row.scale) })) };
  }

  /**
   * Quotas not met by usable stock: on hand, less what is reserved, in lots that are neither
   * quarantined nor expired. Stock that cannot be shipped does not count towards the reserve.
   */
  async belowQuota(actor: Actor, warehouse?: string) {
    const scope = scopeParam(readScope(actor, warehouse));
    const rows = await forkOf(this.em).execute<{ warehouse: string; category: string; name: string; unit: string; scale: number; quota: string; on_hand: string; usable: string }[]>(
      `SELECT q.warehouse, q.category, c.name, c.unit, c.scale, q.quantity::text AS quota, coalesce(sum(b.on_hand), 0)::text AS on_hand,
              coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= ?::date)), 0)::text AS usable
       FROM stock_quotas q JOIN categories c ON c.code = q.category
       LEFT JOIN stock_balances b ON b.warehouse = q.warehouse AND b.category = q.category
       LEFT JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot
       WHERE (?::jsonb IS NULL OR q.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))
       GROUP BY q.warehouse, q.category, c.name, c.unit, c.scale, q.quantity
       HAVING coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= ?::date)), 0) < q.quantity
       ORDER BY q.warehouse, q.category`,
      [todayInCity(), scope, scope, todayInCity()],
    );
    return {
      items: rows.map((row) => ({
        warehouse: row.warehouse, category: row.category, name: row.name, unit: row.unit,
        quota: new Decimal(row.quota).toFixed(row.scale), onHand: new Decimal(row.on_hand).toFixed(row.scale), usable: new Decimal(row.usable).toFixed(row.scale),
        shortfall: new Decimal(row.quota).minus(row.usable).toFixed(row.scale),
      })),
    };
  }

  /** Lots on hand that expire within `days` (already expired ones first), per warehouse. */
  async expiring(actor: Actor, days: number, warehouse?: string) {
    const scope = scopeParam(readScope(actor, warehouse, STOCK_LEVEL_READERS));
    const today = todayInCity();
    const rows = await forkOf(this.em).execute<{ warehouse: string; category: string; name: string; lot: string; expires_on: string; status: string; on_hand: string; scale: number; days_left: number }[]>(
      `SELECT b.warehouse, b.category, c.name, b.lot, l.expires_on::text, l.status, b.on_hand::text, c.scale, (l.expires_on - ?::date) AS days_left
       FROM stock_balances b JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot JOIN categories c ON c.code = b.category
       WHERE b.on_hand > 0 AND l.expires_on <= ?::date AND (?::jsonb IS NULL OR b.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))
       ORDER BY l.expires_on, b.warehouse, b.category, b.lot LIMIT 10000`,
      [today, addDays(today, days), scope, scope],
    );
    return {
      days,
      items: rows.map((row) => ({
        warehouse: row.warehouse, category: row.category, name: row.name, lot: row.lot, expiresOn: row.expires_on, daysLeft: row.days_left,
        status: row.expires_on < today ? 'EXPIRED' : row.status, onHand: new Decimal(row.on_hand).toFixed(row.scale),
      })),
    };
  }
}
