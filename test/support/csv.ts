import iconv from 'iconv-lite';

export const CATALOG_HEADER = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号';
export const WAREHOUSE_HEADER = '编码,名称,级别,所在区,地址,纬度,经度,启用';

/** A valid catalog of n categories: tents by the piece, rice by the tonne (lot-tracked). */
export function catalogCsv(n: number, options: { header?: string; eol?: string } = {}): string {
  const lines = [options.header ?? CATALOG_HEADER];
  for (let i = 1; i <= n; i++) {
    lines.push(i % 2 ? `T-${String(i).padStart(5, '0')},帐篷 ${i}型,生活保障物资,帐篷,顶,0,否,12平方米` : `R-${String(i).padStart(5, '0')},大米 ${i},生活保障物资,食品,t,3,是,`);
  }
  return lines.join(options.eol ?? '\n') + (options.eol ?? '\n');
}

export function warehousesCsv(): string {
  return [
    WAREHOUSE_HEADER,
    'WH-CITY-01,市级应急物资储备库,市级,李沧区,李沧区九水东路100号,36.160000,120.430000,是',
    'WH-SN-01,市南区应急物资储备库,DISTRICT,市南区,市南区香港中路10号,36.066900,120.382600,是',
    'WH-AG-01,协议储备(商超配送中心),协议储备,城阳区,城阳区正阳路200号,36.300000,120.390000,否',
  ].join('\n') + '\n';
}

export function gb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}
