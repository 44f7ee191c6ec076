/** Reserve quotas (储备定额) from CSV: one row per warehouse and category; all rows or none; re-importing changes only what differs. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../../shared/decimal.js';
import { QUANTITY_MAX, fitsScale } from '../../shared/amounts.js';
import type { FieldProblem } from '../../shared/errors.js';
import { readCodeReference } from '../../catalog/index.js';
import { type ColumnSpec, type ImportFormat, RowReader } from '../../imports/index.js';

type QuotaKey = 'warehouse' | 'category' | 'quantity';

export interface QuotaRow {
  warehouse: string;
  category: string;
  quantity: Decimal;
}

const columns: readonly ColumnSpec<QuotaKey>[] = [
  { key: 'warehouse', headers: ['仓库编码', '储备库编码', '仓库', 'warehouse'], required: true },
  { key: 'category', headers: ['物资编码', '品类编码', '物资', 'category'], required: true },
  { key: 'quantity', headers: ['储备定额', '定额', '定额数量', 'quota', 'quantity'], required: true },
];

async function checkRows(tx: EntityManager, rows: { line: number; row: QuotaRow }[], problems: FieldProblem[], headerOf: (key: QuotaKey) => string): Promise<void> {
  const anyOf = 'ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))';
  const codes = (pick: (row: QuotaRow) => string) => JSON.stringify([...new Set(rows.map((r) => pick(r.row)))]);
  const warehouses = new Set((await tx.execute<{ code: string }[]>(`SELECT code FROM warehouses WHERE code = ${anyOf}`, [codes((r) => r.warehouse)])).map((w) => w.code));
  const scales = new Map(
    (await tx.execute<{ code: string; scale: number }[]>(`SELECT code, scale FROM categories WHERE code = ${anyOf}`, [codes((r) => r.category)])).map((c) => [c.code, c.scale]),
  );
  for (const { line, row } of rows) {
    if (!warehouses.has(row.warehouse)) problems.push({ line, field: headerOf('warehouse'), value: row.warehouse, reason: 'unknown warehouse' });
    const scale = scales.get(row.category);
    if (scale === undefined) problems.push({ line, field: headerOf('category'), value: row.category, reason: 'unknown supply category' });
    else if (!fitsScale(row.quantity, scale)) {
      problems.push({ line, field: headerOf('quantity'), value: row.quantity.toString(), reason: scale === 0 ? `${row.category} is counted in whole units` : `${row.category} takes at most ${scale} decimal places` });
    }
  }
}

export function quotaImport(userId: string | null): ImportFormat<QuotaKey, QuotaRow> {
  return {
    kind: 'quotas',
    columns,
    parseRow(values, line, problems, header) {
      const read = new RowReader(values, line, problems, header);
      const before = problems.length;
      const warehouse = readCodeReference(read, 'warehouse', 'warehouse');
      const category = readCodeReference(read, 'category', 'category');
      const quantity = read.decimal('quantity', { min: new Decimal(0), max: QUANTITY_MAX, maxScale: 3 });
      if (problems.length > before) return null;
      return { warehouse: warehouse!, category: category!, quantity: quantity! };
    },
    uniqueKey: (row) => JSON.stringify([row.warehouse, row.category]),
    checkAgainstDatabase: checkRows,
    async writeBatch(tx, rows) {
      const [result] = await tx.execute<{ inserted: string; updated: string }[]>(
        `WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(warehouse text, category text, quantity numeric)),
         written AS (
           INSERT INTO stock_quotas AS q (warehouse, category, quantity, user_id) SELECT warehouse, category, quantity, ? FROM input
           ON CONFLICT (warehouse, category) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now(), user_id = EXCLUDED.user_id
           WHERE q.quantity <> EXCLUDED.quantity
           RETURNING (xmax = 0) AS inserted)
         SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM written`,
        [JSON.stringify(rows.map((r) => ({ warehouse: r.warehouse, category: r.category, quantity: r.quantity.toFixed() }))), userId],
      );
      const inserted = Number(result!.inserted);
      const updated = Number(result!.updated);
      return { inserted, updated, unchanged: rows.length - inserted - updated };
    },
  };
}
