/**
 * 物资台帐: per warehouse and category, opening (the frozen closing of the nearest closed month before
 * `from` plus the movements after it), receipts and issues within the period, and closing.
 */
import type { ReportQuery } from '../report.query.js';
import { stockReportScope } from './scope.js';

const SIGNED = `CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END`;

const SQL = `
  WITH f AS (SELECT period, through FROM stock_periods WHERE through <= $1::date - 1 ORDER BY through DESC LIMIT 1),
  frozen AS (
    SELECT b.category, b.warehouse, sum(b.on_hand) AS qty FROM stock_period_balances b
    WHERE b.period = (SELECT period FROM f) AND ($3::text[] IS NULL OR b.warehouse = ANY($3::text[])) AND ($4::text IS NULL OR b.category = $4)
    GROUP BY 1, 2),
  moves AS (
    SELECT m.category, m.warehouse,
           coalesce(sum(${SIGNED}) FILTER (WHERE m.occurred_at < $1::date), 0) AS before,
           coalesce(sum(m.quantity) FILTER (WHERE m.occurred_at >= $1::date AND m.to_node = 'WH:' || m.warehouse), 0) AS receipts,
           coalesce(sum(m.quantity) FILTER (WHERE m.occurred_at >= $1::date AND m.to_node <> 'WH:' || m.warehouse), 0) AS issues
    FROM stock_movements m
    WHERE m.warehouse IS NOT NULL AND m.occurred_at > coalesce((SELECT through FROM f), '-infinity'::date) AND m.occurred_at <= $2::date
      AND ($3::text[] IS NULL OR m.warehouse = ANY($3::text[])) AND ($4::text IS NULL OR m.category = $4)
    GROUP BY 1, 2)
  SELECT x.warehouse, w.name AS warehouse_name, x.category, c.name AS category_name, c.unit, c.scale,
         (coalesce(fr.qty, 0) + coalesce(mv.before, 0))::text AS opening, coalesce(mv.receipts, 0)::text AS receipts, coalesce(mv.issues, 0)::text AS issues,
         (coalesce(fr.qty, 0) + coalesce(mv.before, 0) + coalesce(mv.receipts, 0) - coalesce(mv.issues, 0))::text AS closing
  FROM (SELECT category, warehouse FROM frozen UNION SELECT category, warehouse FROM moves) x
  LEFT JOIN frozen fr USING (category, warehouse) LEFT JOIN moves mv USING (category, warehouse)
  JOIN categories c ON c.code = x.category JOIN warehouses w ON w.code = x.warehouse
  WHERE coalesce(fr.qty, 0) <> 0 OR mv.category IS NOT NULL
  ORDER BY x.warehouse, x.category`;

interface Raw { warehouse: string; warehouse_name: string; category: string; category_name: string; unit: string; scale: number; opening: string; receipts: string; issues: string; closing: string }

export const stockLedgerReport: ReportQuery = {
  name: 'stock-ledger',
  async prepare({ actor, params }) {
    const { sqlParams, ...title } = stockReportScope(actor, params);
    return {
      ...title,
      rows: {
        sql: SQL, params: sqlParams,
        toRow: (r: Raw) => ({ ...r, warehouseName: r.warehouse_name, categoryName: r.category_name }),
      },
    };
  },
};
