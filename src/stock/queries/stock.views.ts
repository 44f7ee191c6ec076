/** What the ledger shows: quantities as strings in each category's scale, money with two decimals. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../../shared/decimal.js';
import { MONEY_SCALE } from '../../shared/amounts.js';
import { NotFoundError } from '../../shared/errors.js';
import { formatNode } from '../core/nodes.js';
import type { CategoryRules, DocumentType } from '../core/movement.js';
import type { PostedDocument } from '../posting/ledger.post.js';

export interface DocumentLineView {
  line: number;
  category: string;
  lot: string | null;
  expiresOn: string | null;
  quantity: string;
  from: string;
  to: string;
  unitCost: string | null;
}

export interface DocumentView {
  id: string;
  type: DocumentType;
  warehouse: string | null;
  counterpartWarehouse: string | null;
  source: { kind: string; name: string; reference: string | null } | null;
  reason: string | null;
  transferId: string | null;
  stocktakeId: string | null;
  reversesDocumentId: string | null;
  reversedByDocumentId: string | null;
  occurredAt: string;
  recordedAt: string;
  recordedBy: string;
  lines: DocumentLineView[];
}

export const fixedOrNull = (value: Decimal | string | null, scale: number): string | null => (value === null ? null : new Decimal(value).toFixed(scale));

export function postedDocumentView(posted: PostedDocument, rules: CategoryRules, recordedBy: string): DocumentView {
  const { header } = posted;
  return {
    id: posted.id,
    type: header.type,
    warehouse: header.warehouse,
    counterpartWarehouse: header.counterpartWarehouse ?? null,
    source: header.sourceKind ? { kind: header.sourceKind, name: header.sourceName!, reference: header.reference ?? null } : null,
    reason: header.reason,
    transferId: header.transferId ?? null,
    stocktakeId: header.stocktakeId ?? null,
    reversesDocumentId: header.reversesDocumentId ?? null,
    reversedByDocumentId: null,
    occurredAt: header.occurredAt,
    recordedAt: posted.recordedAt.toISOString(),
    recordedBy,
    lines: posted.movements.map((m) => ({
      line: m.line,
      category: m.category,
      lot: m.lot,
      expiresOn: m.expiresOn,
      quantity: m.quantity.toFixed(rules.get(m.category)?.scale ?? 3),
      from: formatNode(m.from),
      to: formatNode(m.to),
      unitCost: fixedOrNull(m.unitCost, MONEY_SCALE),
    })),
  };
}

interface DocumentRow {
  id: string;
  type: DocumentType;
  warehouse: string | null;
  counterpart_warehouse: string | null;
  source_kind: string | null;
  source_name: string | null;
  reference: string | null;
  reason: string | null;
  transfer_id: string | null;
  stocktake_id: string | null;
  reverses_document_id: string | null;
  reversed_by: string | null;
  occurred_at: string;
  created_at: string;
  recorded_by: string | null;
  lines: { line: number; category: string; lot: string | null; expires_on: string | null; quantity: string; from_node: string; to_node: string; unit_cost: string | null; scale: number }[];
}

export const ISO_TIME = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** One document with its lines as stored, or NotFoundError. */
export async function readDocumentView(em: EntityManager, id: string): Promise<DocumentView> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('document', id);
  const [row] = await em.execute<DocumentRow[]>(
    `SELECT d.id::text, d.type, d.warehouse, d.counterpart_warehouse, d.source_kind, d.source_name, d.reference, d.reason, d.transfer_id::text, d.stocktake_id::text,
            d.reverses_document_id::text, (SELECT r.id::text FROM stock_documents r WHERE r.reverses_document_id = d.id) AS reversed_by,
            d.occurred_at::text, to_char(d.created_at AT TIME ZONE 'UTC', ${ISO_TIME}) AS created_at, u.name AS recorded_by,
            (SELECT coalesce(json_agg(json_build_object('line', m.line, 'category', m.category, 'lot', m.lot, 'expires_on', m.expires_on, 'quantity', m.quantity::text,
                     'from_node', m.from_node, 'to_node', m.to_node, 'unit_cost', m.unit_cost::text, 'scale', c.scale) ORDER BY m.line), '[]')
             FROM stock_movements m JOIN categories c ON c.code = m.category WHERE m.document_id = d.id) AS lines
     FROM stock_documents d LEFT JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
    [id],
  );
  if (!row) throw new NotFoundError('document', id);
  return {
    id: row.id,
    type: row.type,
    warehouse: row.warehouse,
    counterpartWarehouse: row.counterpart_warehouse,
    source: row.source_kind ? { kind: row.source_kind, name: row.source_name!, reference: row.reference } : null,
    reason: row.reason,
    transferId: row.transfer_id,
    stocktakeId: row.stocktake_id,
    reversesDocumentId: row.reverses_document_id,
    reversedByDocumentId: row.reversed_by,
    occurredAt: row.occurred_at,
    recordedAt: row.created_at,
    recordedBy: row.recorded_by ?? 'system',
    lines: row.lines.map((line) => ({
      line: line.line,
      category: line.category,
      lot: line.lot,
      expiresOn: line.expires_on,
      quantity: new Decimal(line.quantity).toFixed(line.scale),
      from: line.from_node,
      to: line.to_node,
      unitCost: fixedOrNull(line.unit_cost, MONEY_SCALE),
    })),
  };
}
