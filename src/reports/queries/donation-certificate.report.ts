/**
 * 捐赠接收凭证: the certificate of one donation receipt (a RECEIPT document whose source is a DONATION),
 * printable on one A4 page: donor, date, warehouse and document number in the title block, one row per
 * line with quantity, unit cost and value, and the total value.
 */
import { requireReadable } from '../../stock/stock.access.js';
import { NotFoundError } from '../../shared/errors.js';
import type { ReportQuery } from '../report.query.js';

const SQL = `
  SELECT m.line, m.category, c.name, c.spec, c.unit, c.scale, m.lot, m.expires_on::text AS expires_on, m.quantity::text AS quantity,
         m.unit_cost::text AS unit_cost, round(m.quantity * m.unit_cost, 2)::text AS value
  FROM stock_movements m JOIN categories c ON c.code = m.category
  WHERE m.document_id = $1::bigint AND m.warehouse IS NOT NULL
  ORDER BY m.line`;

interface Raw { line: number; category: string; name: string; spec: string | null; unit: string; scale: number; lot: string | null; expires_on: string | null; quantity: string; unit_cost: string | null; value: string | null }

export const donationCertificateReport: ReportQuery = {
  name: 'donation-certificate',
  async prepare({ em, actor, params }) {
    const id = String(params.receipt);
    const [doc] = await em.execute<{ warehouse: string; warehouse_name: string; source_name: string; reference: string | null; occurred_at: string }[]>(
      `SELECT d.warehouse, w.name AS warehouse_name, d.source_name, d.reference, d.occurred_at::text AS occurred_at
       FROM stock_documents d JOIN warehouses w ON w.code = d.warehouse WHERE d.id = ? AND d.type = 'RECEIPT' AND d.source_kind = 'DONATION'`,
      [id],
    );
    if (!doc) throw new NotFoundError('donation receipt', id);
    requireReadable(actor, doc.warehouse);
    return {
      period: `接收日期 ${doc.occurred_at}　单据号 ${id}`,
      // The donor's name is typed text: it sits after a label in one string cell, never as a formula.
      filters: [`捐赠方：${doc.source_name}`, `接收仓库：${doc.warehouse} ${doc.warehouse_name}`, ...(doc.reference ? [`捐赠协议/票据号：${doc.reference}`] : [])],
      heading: [`接收日期：${doc.occurred_at}　　入库单号：${id}${doc.reference ? `　　捐赠票据号：${doc.reference}` : ''}`, `捐赠方：${doc.source_name}　　接收仓库：${doc.warehouse} ${doc.warehouse_name}`],
      fileSuffix: id,
      rows: {
        sql: SQL, params: [id],
        toRow: (r: Raw) => ({ line: r.line, category: r.category, name: r.name, spec: r.spec, unit: r.unit, scale: r.scale, lot: r.lot, expiresOn: r.expires_on, quantity: r.quantity, unitCost: r.unit_cost, value: r.value }),
      },
    };
  },
};
