import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { Decimal } from '../shared/decimal.js';
import type { FieldProblem } from '../shared/errors.js';
import type { ColumnSpec } from '../imports/csv-source.js';
import { RowReader } from '../imports/fields.js';
import type { ImportFormat, WriteCounts } from '../imports/import.runner.js';
import { CODE_HINT, CODE_PATTERN, WAREHOUSE_LEVEL_ALIASES, unitProblem } from './catalog.rules.js';
import type { WarehouseLevel } from './catalog.entity.js';

type CategoryKey = 'code' | 'name' | 'majorClass' | 'minorClass' | 'unit' | 'scale' | 'lotTracked' | 'spec';
export interface CategoryRow {
  code: string;
  name: string;
  majorClass: string;
  minorClass: string;
  unit: string;
  scale: number;
  lotTracked: boolean;
  spec: string | null;
}

const categoryColumns: readonly ColumnSpec<CategoryKey>[] = [
  { key: 'code', headers: ['编码', '物资编码', '品类编码', 'code'], required: true },
  { key: 'name', headers: ['名称', '物资名称', '品类名称', 'name'], required: true },
  { key: 'majorClass', headers: ['大类', 'majorClass', 'major_class'], required: true },
  { key: 'minorClass', headers: ['小类', 'minorClass', 'minor_class'], required: true },
  { key: 'unit', headers: ['计量单位', '单位', 'unit'], required: true },
  { key: 'scale', headers: ['数量精度', '小数位数', 'scale'], required: true },
  { key: 'lotTracked', headers: ['批次管理', '批次效期管理', 'lotTracked', 'lot_tracked'], required: true },
  { key: 'spec', headers: ['规格型号', '规格', 'spec', 'specification'], required: false },
];

/**
 * Merges staged rows by code. Only rows whose content differs are updated, so a re-import reports
 * them unchanged. The lock keeps two imports of one table from interleaving; readers are not blocked.
 */
function mergeByCode(table: 'categories' | 'warehouses', columns: readonly string[]) {
  const changed = columns.filter((c) => c !== 'code');
  const target = changed.map((c) => `t.${c}`).join(', ');
  const source = changed.map((c) => `s.${c}`).join(', ');
  return async (client: pg.ClientBase, stage: string, rowCount: number): Promise<WriteCounts> => {
    await client.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
    const updated = await client.query(
      `UPDATE ${table} t SET (${changed.join(', ')}, updated_at) = (${source}, now()) FROM ${stage} s
       WHERE t.code = s.code AND (${target}) IS DISTINCT FROM (${source})`,
    );
    const inserted = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((c) => `s.${c}`).join(', ')} FROM ${stage} s
       WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.code = s.code)`,
    );
    const counts = { inserted: inserted.rowCount ?? 0, updated: updated.rowCount ?? 0 };
    return { ...counts, unchanged: rowCount - counts.inserted - counts.updated };
  };
}

const CATEGORY_COLUMNS = [
  { name: 'code', type: 'text' }, { name: 'name', type: 'text' }, { name: 'major_class', type: 'text' }, { name: 'minor_class', type: 'text' },
  { name: 'unit', type: 'text' }, { name: 'scale', type: 'smallint' }, { name: 'lot_tracked', type: 'boolean' }, { name: 'spec', type: 'text' },
] as const;

const WAREHOUSE_COLUMNS = [
  { name: 'code', type: 'text' }, { name: 'name', type: 'text' }, { name: 'level', type: 'text' }, { name: 'district', type: 'text' },
  { name: 'address', type: 'text' }, { name: 'lat', type: 'numeric(9,6)' }, { name: 'lon', type: 'numeric(9,6)' }, { name: 'active', type: 'boolean' },
] as const;

const flagCell = (value: boolean) => (value ? 't' : 'f');

/**
 * A category whose ledger has started keeps its lot rule and never shrinks its scale: booked
 * quantities and lots were recorded under them (a trigger enforces the same for every other path).
 */
async function keepLedgerRules(tx: EntityManager, rows: { line: number; row: CategoryRow }[], problems: FieldProblem[], headerOf: (key: CategoryKey) => string): Promise<void> {
  const started = await tx.execute<{ code: string; scale: number; lot_tracked: boolean }[]>(
    `SELECT c.code, c.scale, c.lot_tracked FROM categories c JOIN stock_chains h ON h.category = c.code
     WHERE h.last_sequence > 0 AND c.code = ANY(string_to_array(?, ','))`,
    [rows.map((r) => r.row.code).join(',')],
  );
  const booked = new Map(started.map((c) => [c.code, c]));
  for (const { line, row } of rows) {
    const before = booked.get(row.code);
    if (!before) continue;
    if (row.scale < before.scale) problems.push({ line, field: headerOf('scale'), value: String(row.scale), reason: `${row.code} has ledger entries booked with scale ${before.scale}; the scale cannot shrink` });
    if (row.lotTracked !== before.lot_tracked) problems.push({ line, field: headerOf('lotTracked'), value: row.lotTracked ? '是' : '否', reason: `${row.code} has ledger entries; its lot rule cannot change` });
  }
}

export const categoryImport: ImportFormat<CategoryKey, CategoryRow> = {
  kind: 'catalog',
  columns: categoryColumns,
  parseRow(values, line, problems, headerOf) {
    const read = new RowReader(values, line, problems, headerOf);
    const before = problems.length;
    const code = read.text('code', { required: true, max: 32, pattern: CODE_PATTERN, patternHint: CODE_HINT });
    const name = read.text('name', { required: true, max: 200 });
    const majorClass = read.text('majorClass', { required: true, max: 100 });
    const minorClass = read.text('minorClass', { required: true, max: 100 });
    const unit = read.text('unit', { required: true, max: 10 });
    const scale = read.integer('scale', 0, 3);
    const lotTracked = read.flag('lotTracked');
    const spec = read.text('spec', { required: false, max: 200 });
    if (unit && scale !== undefined) {
      const problem = unitProblem(unit, scale);
      if (problem) problems.push({ line, field: headerOf('unit'), value: unit, reason: problem });
    }
    if (problems.length > before) return null;
    return { code: code!, name: name!, majorClass: majorClass!, minorClass: minorClass!, unit: unit!, scale: scale!, lotTracked: lotTracked!, spec: spec ?? null };
  },
  uniqueKey: (row) => row.code,
  checkAgainstDatabase: keepLedgerRules,
  staged: {
    columns: CATEGORY_COLUMNS,
    cells: (r) => [r.code, r.name, r.majorClass, r.minorClass, r.unit, String(r.scale), flagCell(r.lotTracked), r.spec],
    merge: mergeByCode('categories', CATEGORY_COLUMNS.map((c) => c.name)),
  },
};

type WarehouseKey = 'code' | 'name' | 'level' | 'district' | 'address' | 'lat' | 'lon' | 'active';
export interface WarehouseRow {
  code: string;
  name: string;
  level: WarehouseLevel;
  district: string;
  address: string;
  lat: Decimal;
  lon: Decimal;
  active: boolean;
}

const warehouseColumns: readonly ColumnSpec<WarehouseKey>[] = [
  { key: 'code', headers: ['编码', '仓库编码', '储备库编码', 'code'], required: true },
  { key: 'name', headers: ['名称', '仓库名称', '储备库名称', 'name'], required: true },
  { key: 'level', headers: ['级别', '层级', 'level'], required: true },
  { key: 'district', headers: ['所在区', '区', '行政区', 'district'], required: true },
  { key: 'address', headers: ['地址', 'address'], required: true },
  { key: 'lat', headers: ['纬度', 'lat', 'latitude'], required: true },
  { key: 'lon', headers: ['经度', 'lon', 'lng', 'longitude'], required: true },
  { key: 'active', headers: ['启用', '是否启用', 'active'], required: false },
];

export const warehouseImport: ImportFormat<WarehouseKey, WarehouseRow> = {
  kind: 'warehouses',
  columns: warehouseColumns,
  parseRow(values, line, problems: FieldProblem[], headerOf) {
    const read = new RowReader(values, line, problems, headerOf);
    const before = problems.length;
    const code = read.text('code', { required: true, max: 32, pattern: CODE_PATTERN, patternHint: CODE_HINT });
    const name = read.text('name', { required: true, max: 100 });
    const level = read.oneOf('level', WAREHOUSE_LEVEL_ALIASES);
    const district = read.text('district', { required: true, max: 50 });
    const address = read.text('address', { required: true, max: 200 });
    const lat = read.decimal('lat', { min: new Decimal(-90), max: new Decimal(90), maxScale: 6 });
    const lon = read.decimal('lon', { min: new Decimal(-180), max: new Decimal(180), maxScale: 6 });
    const active = read.flag('active', true);
    if (problems.length > before) return null;
    return { code: code!, name: name!, level: level!, district: district!, address: address!, lat: lat!, lon: lon!, active: active! };
  },
  uniqueKey: (row) => row.code,
  staged: {
    columns: WAREHOUSE_COLUMNS,
    cells: (r) => [r.code, r.name, r.level, r.district, r.address, r.lat.toFixed(6), r.lon.toFixed(6), flagCell(r.active)],
    merge: mergeByCode('warehouses', WAREHOUSE_COLUMNS.map((c) => c.name)),
  },
};
