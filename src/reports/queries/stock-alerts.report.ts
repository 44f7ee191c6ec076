/**
 * 临期及低于定额: lots on hand expiring within N days (expired ones first) and categories whose usable
 * stock is below the reserve quota, one row each, in the same terms as GET /alerts/expiring and
 * GET /alerts/below-quota (the SQL follows QuotasService.expiring and belowQuota).
 */
import { addDays, todayInCity } from '../../shared/dates.js';
import type { ReportQuery } from '../report.query.js';
import { warehouseScope } from './scope.js';

const LOT_STATUS: Record<string, string> = { AVAILABLE: '可用', QUARANTINED: '隔离', EXPIRED: '已过期' };

const SQL = `
  SELECT * FROM (
    SELECT 1 AS part, '临期' AS kind, b.warehouse, b.category, c.name, c.unit, c.scale, b.lot, l.expires_on::text AS expires_on, (l.expires_on - $1::date) AS days_left,
           CASE WHEN l.expires_on < $1::date THEN 'EXPIRED' ELSE l.status END AS status, b.on_hand::text AS on_hand, NULL::text AS quota, NULL::text AS usable, NULL::text AS shortfall
    FROM stock_balances b JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot JOIN categories c ON c.code = b.category
    WHERE b.on_hand > 0 AND l.expires_on <= $2::date AND ($3::text[] IS NULL OR b.warehouse = ANY($3::text[]))
    UNION ALL
    SELECT 2, '低于定额', q.warehouse, q.category, c.name, c.unit, c.scale, NULL, NULL, NULL, NULL, coalesce(sum(b.on_hand), 0)::text, q.quantity::text,
           coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= $1::date)), 0)::text,
           (q.quantity - coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= $1::date)), 0))::text
    FROM stock_quotas q JOIN categories c ON c.code = q.category
    LEFT JOIN stock_balances b ON b.warehouse = q.warehouse AND b.category = q.category LEFT JOIN stock_lots l ON l.category = b.category AND l.lot = b.lot
    WHERE ($3::text[] IS NULL OR q.warehouse = ANY($3::text[]))
    GROUP BY q.warehouse, q.category, c.name, c.unit, c.scale, q.quantity
    HAVING coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE b.lot = '' OR (l.status = 'AVAILABLE' AND l.expires_on >= $1::date)), 0) < q.quantity
  ) alerts
  ORDER BY part, expires_on NULLS LAST, warehouse, category, lot`;

interface Raw { kind: string; warehouse: string; category: string; name: string; unit: string; scale: number; lot: string | null; expires_on: string | null; days_left: number | null; status: string | null; on_hand: string; quota: string | null; usable: string | null; shortfall: string | null }

export const stockAlertsReport: ReportQuery = {
  name: 'stock-alerts',
  async prepare({ actor, params }) {
    const days = params.days as number;
    const today = todayInCity();
    const scope = warehouseScope(actor, params.warehouse as string | undefined);
    return {
      period: `截至 ${today}，临期：${days} 天内（至 ${addDays(today, days)}）`,
      filters: [scope ? `仓库：${scope.join('、')}` : '仓库：全部'],
      fileSuffix: today,
      rows: {
        sql: SQL, params: [today, addDays(today, days), scope],
        toRow: (r: Raw) => ({
          kind: r.kind, warehouse: r.warehouse, category: r.category, name: r.name, unit: r.unit, scale: r.scale, lot: r.lot, expiresOn: r.expires_on,
          daysLeft: r.days_left, status: r.status ? (LOT_STATUS[r.status] ?? r.status) : null, onHand: r.on_hand, quota: r.quota, usable: r.usable, shortfall: r.shortfall,
        }),
      },
    };
  },
};
