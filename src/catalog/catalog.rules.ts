import type { RowReader } from '../imports/index.js';

/** Rules of the catalog that hold wherever a category or warehouse comes from (CSV or JSON). */
export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
export const CODE_HINT = 'must be 2-32 characters of A-Z, 0-9 and -, starting with a letter or digit';

/** Units counted in whole pieces (顶 tents, 床 quilts ...): their quantities never carry decimals. */
export const PIECE_UNITS = new Set([
  '顶', '床', '件', '双', '盏', '条', '个', '箱', '台', '套', '把', '只', '卷', '桶', '袋', '副', '张', '根', '块', '支', '瓶', '盒', '包', '辆', '艘', '部', '具', '组', '片', '粒', '对', '册', '提', '筐', '捆', '架',
]);
/** Units of weight, volume, length and area, which may carry decimals. */
export const MEASURE_UNITS = new Set(['kg', 't', 'g', 'L', 'mL', 'm³', 'm3', 'm', 'm²', 'm2', 'km', '千克', '公斤', '吨', '升', '毫升', '立方米', '米', '平方米']);

export function unitProblem(unit: string, scale: number): string | null {
  if (PIECE_UNITS.has(unit)) return scale === 0 ? null : `unit ${unit} is counted in whole pieces, so the scale must be 0`;
  if (MEASURE_UNITS.has(unit)) return null;
  return `unknown unit ${unit}; use a piece unit (${[...PIECE_UNITS].slice(0, 10).join(' ')} …) or a measure (${[...MEASURE_UNITS].slice(0, 8).join(' ')} …)`;
}

export const WAREHOUSE_LEVEL_ALIASES = {
  CITY: 'CITY', 市级: 'CITY', 市级储备库: 'CITY',
  DISTRICT: 'DISTRICT', 区级: 'DISTRICT', 区级储备库: 'DISTRICT', '区(市)级': 'DISTRICT',
  AGREEMENT: 'AGREEMENT', 协议储备: 'AGREEMENT', 协议: 'AGREEMENT',
} as const;

/** A warehouse or category named by its code in an import row (opening stock, quotas ...). */
export function readCodeReference<K extends string>(read: RowReader<K>, key: K, what: 'warehouse' | 'category'): string | null | undefined {
  return read.text(key, { required: true, max: 32, pattern: CODE_PATTERN, patternHint: `must be a ${what} code` });
}
