/** 出入库明细: every movement of the period in business-date order, streamed through a cursor. */
import type { ReportQuery } from '../report.query.js';
import { DOCUMENT_TYPES, nodeLabel, stockReportScope } from './scope.js';

const SQL = `
  SELECT m.occurred_at::text AS occurred_on, m.document_id::text AS document, d.type, m.warehouse, m.category, c.name AS category_name, c.unit, c.scale,
         m.lot, m.expires_on::text AS expires_on,
         CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity::text END AS received,
         CASE WHEN m.to_node = 'WH:' || m.warehouse THEN NULL ELSE m.quantity::text END AS issued,
         m.unit_cost::text AS unit_cost,
         CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.from_node ELSE m.to_node END AS counterparty,
         d.source_name, coalesce(m.reason, d.reason) AS reason, coalesce(u.name, 'system') AS recorded_by
  FROM stock_movements m JOIN stock_documents d ON d.id = m.document_id JOIN categories c ON c.code = m.category LEFT JOIN users u ON u.id = m.user_id
  WHERE m.warehouse IS NOT NULL AND m.occurred_at BETWEEN $1::date AND $2::date
    AND ($3::text[] IS NULL OR m.warehouse = ANY($3::text[])) AND ($4::text IS NULL OR m.category = $4)
  ORDER BY m.occurred_at, m.warehouse, m.category, m.warehouse_position`;

interface Raw { occurred_on: string; document: string; type: string; warehouse: string; category: string; category_name: string; unit: string; scale: number; lot: string | null; expires_on: string | null; received: string | null; issued: string | null; unit_cost: string | null; counterparty: string; source_name: string | null; reason: string | null; recorded_by: string }

export const movementJournalReport: ReportQuery = {
  name: 'movement-journal',
  async prepare({ actor, params }) {
    const { sqlParams, ...title } = stockReportScope(actor, params);
    return {
      ...title,
      rows: {
        sql: SQL, params: sqlParams,
        toRow: (r: Raw) => ({
          occurredOn: r.occurred_on, document: r.document, type: DOCUMENT_TYPES[r.type] ?? r.type, warehouse: r.warehouse, category: r.category,
          categoryName: r.category_name, unit: r.unit, scale: r.scale, lot: r.lot, expiresOn: r.expires_on, received: r.received, issued: r.issued,
          unitCost: r.unit_cost, counterparty: nodeLabel(r.counterparty), source: r.source_name, reason: r.reason, recordedBy: r.recorded_by,
        }),
      },
    };
  },
};
