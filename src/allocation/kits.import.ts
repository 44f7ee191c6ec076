/**
 * Kits from CSV: one row per kit line (套餐编码, 套餐名称, 适用人数, 物资编码, 数量). Rows of one kit must
 * agree on its name and people; each kit becomes a new version only when its content changed, so
 * re-importing the same file reports every row unchanged.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { QUANTITY_MAX } from '../shared/amounts.js';
import { type FieldProblem, ValidationError } from '../shared/errors.js';
import { readCodeReference } from '../catalog/index.js';
import { type ColumnSpec, type ImportFormat, RowReader } from '../imports/index.js';
import { writeKit } from './kits.service.js';

type KitKey = 'kit' | 'name' | 'per' | 'category' | 'quantity';

interface KitRow {
  kit: string;
  name: string;
  per: number;
  category: string;
  quantity: Decimal;
}

const columns: readonly ColumnSpec<KitKey>[] = [
  { key: 'kit', headers: ['套餐编码', '套餐', 'kit', 'code'], required: true },
  { key: 'name', headers: ['套餐名称', 'name'], required: true },
  { key: 'per', headers: ['适用人数', '每多少人', 'per'], required: true },
  { key: 'category', headers: ['物资编码', 'category'], required: true },
  { key: 'quantity', headers: ['数量', 'quantity'], required: true },
];

/** Every kit is written whole in one batch; a file this size is far beyond any real set of kits. */
const MAX_KIT_ROWS = 5000;

function groupByKit(rows: { line: number; row: KitRow }[]): Map<string, { line: number; row: KitRow }[]> {
  const kits = new Map<string, { line: number; row: KitRow }[]>();
  for (const entry of rows) kits.set(entry.row.kit, [...(kits.get(entry.row.kit) ?? []), entry]);
  return kits;
}

async function checkRows(tx: EntityManager, rows: { line: number; row: KitRow }[], problems: FieldProblem[], headerOf: (key: KitKey) => string): Promise<void> {
  if (rows.length > MAX_KIT_ROWS) problems.push({ line: rows[MAX_KIT_ROWS]!.line, field: headerOf('kit'), value: rows.length, reason: `at most ${MAX_KIT_ROWS} kit lines per file` });
  const known = new Set(
    (await tx.execute<{ code: string }[]>('SELECT code FROM categories WHERE code = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))', [JSON.stringify([...new Set(rows.map((r) => r.row.category))])])).map((r) => r.code),
  );
  for (const { line, row } of rows) if (!known.has(row.category)) problems.push({ line, field: headerOf('category'), value: row.category, reason: 'unknown supply category' });
  for (const entries of groupByKit(rows).values()) {
    const first = entries[0]!;
    for (const { line, row } of entries.slice(1)) {
      if (row.name !== first.row.name) problems.push({ line, field: headerOf('name'), value: row.name, reason: `kit ${row.kit} is named ${first.row.name} on line ${first.line}` });
      if (row.per !== first.row.per) problems.push({ line, field: headerOf('per'), value: row.per, reason: `kit ${row.kit} is per ${first.row.per} people on line ${first.line}` });
    }
  }
}

export function kitImport(userId: string | null): ImportFormat<KitKey, KitRow> {
  return {
    kind: 'kits',
    columns,
    parseRow(values, line, problems, header) {
      const read = new RowReader(values, line, problems, header);
      const before = problems.length;
      const kit = read.text('kit', { required: true, max: 32, pattern: /^[A-Z0-9][A-Z0-9-]{1,31}$/, patternHint: 'must be a kit code (A-Z, 0-9, -)' });
      const name = read.text('name', { required: true, max: 200 });
      const per = read.integer('per', 1, 1_000_000);
      const category = readCodeReference(read, 'category', 'category');
      const quantity = read.decimal('quantity', { min: new Decimal('0.001'), max: QUANTITY_MAX, maxScale: 3 });
      if (problems.length > before) return null;
      return { kit: kit!, name: name!, per: per!, category: category!, quantity: quantity! };
    },
    uniqueKey: (row) => JSON.stringify([row.kit, row.category]),
    checkAgainstDatabase: checkRows,
    async writeBatch(tx, rows) {
      const counts = { inserted: 0, updated: 0, unchanged: 0 };
      for (const entries of groupByKit(rows.map((row, line) => ({ line, row }))).values()) {
        const first = entries[0]!.row;
        const existed = (await tx.execute<{ n: string }[]>('SELECT count(*) AS n FROM allocation_kits WHERE code = ?', [first.kit]))[0]!.n !== '0';
        let result;
        try {
          result = await writeKit(tx, { code: first.kit, name: first.name, per: first.per, lines: entries.map((e) => ({ category: e.row.category, quantity: e.row.quantity })) }, userId);
        } catch (error) {
          // Checked per row above; a kit-level problem left here is named by its kit code.
          if (error instanceof ValidationError) throw new ValidationError(`kit ${first.kit}: ${error.message}`, error.problems.map((p) => ({ ...p, field: `${first.kit} ${p.field}` })), 'IMPORT_REJECTED');
          throw error;
        }
        const bucket = !result.created ? 'unchanged' : existed ? 'updated' : 'inserted';
        counts[bucket] += entries.length;
      }
      return counts;
    },
  };
}
