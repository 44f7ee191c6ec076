/**
 * 调拨汇总: quantities dispatched per destination and category in a period, read from the ledger's
 * destination movements net of reversals — the same figures as GET /allocations/summary.
 */
import { requireRole } from '../../shared/actor.js';
import type { ReportQuery } from '../report.query.js';
import { requirePeriod } from './scope.js';

const SQL = `
  WITH moved AS (
    SELECT to_node AS node, category, quantity FROM stock_movements
    WHERE to_node LIKE 'DESTINATION:%' AND occurred_at BETWEEN $1::date AND $2::date
    UNION ALL
    SELECT from_node, category, -quantity FROM stock_movements
    WHERE from_node LIKE 'DESTINATION:%' AND occurred_at BETWEEN $1::date AND $2::date)
  SELECT substr(m.node, 13) AS destination, m.category, c.name AS category_name, c.unit, c.scale, sum(m.quantity)::text AS quantity
  FROM moved m JOIN categories c ON c.code = m.category
  WHERE ($3::text IS NULL OR m.node = 'DESTINATION:' || $3)
  GROUP BY m.node, m.category, c.name, c.unit, c.scale HAVING sum(m.quantity) <> 0
  ORDER BY 1, 2`;

interface Raw { destination: string; category: string; category_name: string; unit: string; scale: number; quantity: string }

export const allocationSummaryReport: ReportQuery = {
  name: 'allocation-summary',
  async prepare({ actor, params }) {
    requireRole(actor, 'admin', 'dispatcher', 'finance');
    const from = params.from as string;
    const to = params.to as string;
    requirePeriod(from, to);
    const destination = (params.destination as string | undefined) ?? null;
    return {
      period: `发放日期 ${from} 至 ${to}`, filters: destination ? [`目的地：${destination}`] : [], fileSuffix: `${from}_${to}`,
      rows: {
        sql: SQL, params: [from, to, destination],
        toRow: (r: Raw) => ({ destination: r.destination, category: r.category, categoryName: r.category_name, unit: r.unit, scale: r.scale, quantity: r.quantity }),
      },
    };
  },
};
