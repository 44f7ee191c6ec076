import type pg from 'pg';
import { Decimal } from '../shared/decimal.js';
import type { FieldProblem } from '../shared/errors.js';
import type { ColumnSpec } from '../imports/csv-source.js';
import { RowReader, TRUE_FLAGS } from '../imports/fields.js';
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
 * Merges staged rows by code in one upsert. Only rows whose content differs are updated, so a re-import
 * reports them unchanged. The lock keeps two imports of one table from interleaving; readers are not blocked.
 */
function mergeByCode(table: 'categories' | 'warehouses', columns: readonly string[]) {
  const changed = columns.filter((c) => c !== 'code');
  const target = changed.map((c) => `t.${c}`).join(', ');
  const source = changed.map((c) => `EXCLUDED.${c}`).join(', ');
  return async (client: pg.ClientBase, stage: string, rowCount: number): Promise<WriteCounts> => {
    await client.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
    // xmax is 0 on a row version this statement inserted, and set on one it updated.
    const { rows: [counts] } = await client.query<{ inserted: number; updated: number }>(
      `WITH merged AS (
         INSERT INTO ${table} AS t (${columns.join(', ')}) SELECT ${columns.map((c) => `s.${c}`).join(', ')} FROM ${stage} s
         ON CONFLICT (code) DO UPDATE SET (${changed.join(', ')}, updated_at) = (${source}, now())
          WHERE (${target}) IS DISTINCT FROM (${source})
         RETURNING t.xmax = 0 AS inserted)
       SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM merged`,
    );
    return { inserted: counts!.inserted, updated: counts!.updated, unchanged: rowCount - counts!.inserted - counts!.updated };
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

/** One category record checked completely, read from an object of values or straight from its cells. */
function checkCategory(read: RowReader<CategoryKey>, line: number, problems: FieldProblem[], headerOf: (key: CategoryKey) => string): CategoryRow | null {
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
}

const categoryCells = (r: CategoryRow) => [r.code, r.name, r.majorClass, r.minorClass, r.unit, String(r.scale), flagCell(r.lotTracked), r.spec];

/**
 * A category whose ledger has started keeps its lot rule and never shrinks its scale: booked
 * quantities and lots were recorded under them (a trigger enforces the same for every other path).
 * Checked on the staged rows, before anything leaves the stage.
 */
async function keepLedgerRules(client: pg.ClientBase, stage: string, problems: FieldProblem[], headerOf: (key: string) => string): Promise<void> {
  const { rows } = await client.query<{ line: number; code: string; scale: number; lot_tracked: boolean; booked_scale: number; booked_lot: boolean }>(
    `SELECT s.line, s.code, s.scale, s.lot_tracked, c.scale AS booked_scale, c.lot_tracked AS booked_lot
       FROM ${stage} s JOIN categories c ON c.code = s.code JOIN stock_chains h ON h.category = c.code
      WHERE h.last_sequence > 0 AND (s.scale < c.scale OR s.lot_tracked <> c.lot_tracked) ORDER BY s.line`,
  );
  for (const { line, code, scale, lot_tracked: lotTracked, booked_scale: bookedScale, booked_lot: bookedLot } of rows) {
    if (scale < bookedScale) problems.push({ line, field: headerOf('scale'), value: String(scale), reason: `${code} has ledger entries booked with scale ${bookedScale}; the scale cannot shrink` });
    if (lotTracked !== bookedLot) problems.push({ line, field: headerOf('lotTracked'), value: lotTracked ? '是' : '否', reason: `${code} has ledger entries; its lot rule cannot change` });
  }
}

export const categoryImport: ImportFormat<CategoryKey, CategoryRow> = {
  kind: 'catalog',
  columns: categoryColumns,
  parseRow: (values, line, problems, headerOf) => checkCategory(new RowReader(values, line, problems, headerOf), line, problems, headerOf),
  uniqueKey: (row) => row.code,
  staged: {
    columns: CATEGORY_COLUMNS,
    cells: categoryCells,
    merge: mergeByCode('categories', CATEGORY_COLUMNS.map((c) => c.name)),
    cellsOf(read, line, problems, headerOf) {
      const row = checkCategory(read as RowReader<string> as RowReader<CategoryKey>, line, problems, headerOf);
      return row && categoryCells(row);
    },
    checkStage: keepLedgerRules,
    fromRaw: (cell) => ({
      code: cell('code'), name: cell('name'), major_class: cell('majorClass'), minor_class: cell('minorClass'), unit: cell('unit'),
      scale: cell('scale'), lot_tracked: `lower(${cell('lotTracked')}) IN (${TRUE_FLAGS.map((flag) => `'${flag}'`).join(', ')})`, spec: `NULLIF(${cell('spec')}, '')`,
    }),
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
