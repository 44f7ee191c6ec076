import type { EntityManager } from '@mikro-orm/postgresql';
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

/** Upserts rows; only rows whose content differs are touched, so a re-import reports them unchanged. */
async function upsert(tx: EntityManager, table: 'categories' | 'warehouses', columns: string[], types: string[], rows: object[]): Promise<WriteCounts> {
  const list = columns.join(', ');
  const recordType = columns.map((column, i) => `${column} ${types[i]}`).join(', ');
  const changed = columns.filter((c) => c !== 'code');
  const sql = `
    WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${recordType})),
    written AS (
      INSERT INTO ${table} AS t (${list}) SELECT ${list} FROM input
      ON CONFLICT (code) DO UPDATE SET ${changed.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
      WHERE (${changed.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${changed.map((c) => `EXCLUDED.${c}`).join(', ')})
      RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM written`;
  const [result] = await tx.execute<{ inserted: string; updated: string }[]>(sql, [JSON.stringify(rows)]);
  const inserted = Number(result!.inserted);
  const updated = Number(result!.updated);
  return { inserted, updated, unchanged: rows.length - inserted - updated };
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
  writeBatch: (tx, rows) =>
    upsert(tx, 'categories', ['code', 'name', 'major_class', 'minor_class', 'unit', 'scale', 'lot_tracked', 'spec'], ['text', 'text', 'text', 'text', 'text', 'smallint', 'boolean', 'text'],
      rows.map((r) => ({ code: r.code, name: r.name, major_class: r.majorClass, minor_class: r.minorClass, unit: r.unit, scale: r.scale, lot_tracked: r.lotTracked, spec: r.spec }))),
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
  writeBatch: (tx, rows) =>
    upsert(tx, 'warehouses', ['code', 'name', 'level', 'district', 'address', 'lat', 'lon', 'active'], ['text', 'text', 'text', 'text', 'text', 'numeric(9,6)', 'numeric(9,6)', 'boolean'],
      rows.map((r) => ({ ...r, lat: r.lat.toFixed(6), lon: r.lon.toFixed(6) }))),
};
