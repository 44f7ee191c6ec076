/**
 * Writes every report in reports/ with sample rows (the real definitions and writer; no database) to the
 * folder given, for scripts/render-reports.sh to turn into PDF and PNG.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { loadReportDefinitions, type ReportDefinition, type ReportRow } from '../src/reports/index.js';
import { appendixDefinition, writeWorkbook, type SheetContent, type SheetPlan } from '../src/reports/report.writer.js';

const out = process.argv[2] ?? 'out/render';
const TEXT: Record<string, string[]> = {
  warehouse: ['WH-01', 'WH-02'], warehouseName: ['市救灾物资储备库', '市南区应急物资仓库'], category: ['TENT-12', 'RICE-01', 'WATER-05'],
  categoryName: ['单帐篷（12平方米）', '大米', '瓶装饮用水（550ml×24）'], name: ['单帐篷（12平方米）', '大米'], unit: ['顶', '吨', '箱'],
  type: ['入库', '报损出库', '调拨出库'], kind: ['临期', '低于定额'], status: ['已核准', '已报案', '已赔付'], product: ['灾害公众责任保险', '自然灾害身故保险'],
  district: ['市南区', '市北区', '崂山区'], claimant: ['张三', '李四', '王五'], event: ['2026年第9号台风“梅花”', '7·21 暴雨'],
  source: ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '@SUM(1)', '-1+1', '某慈善基金会'], reason: ['受潮霉变', '', '汛期前置'],
  counterparty: ['供应商', '在途', 'WH-02'], bankName: ['中国工商银行青岛分行'], recordedBy: ['保管员甲'], month: ['2026-07', '2026-08'],
  overdue: ['超期', ''], idNumber: ['370203**********0012'], bankAccount: ['6222***********3445'], lot: ['L2026-07', ''],
  accountName: ['张三', '李四', '=HYPERLINK("http://x","y")'], accountNumber: ['6222020200112233445', '6217000010002345678'], claimNumber: ['LP2026000123', 'LP2026000456'],
  policyYear: ['2025年度', '2026年度'], spec: ['3×4米，单层', '50kg/袋', ''], number: ['LP2026000123', 'LP2026000456'],
};

function sample(definition: { columns: ReportDefinition['columns'] }, n: number): ReportRow {
  const row: ReportRow = { scale: n % 3 === 1 ? 3 : 0 };
  for (const c of definition.columns) {
    const texts = TEXT[c.key] ?? [`${c.header}${n}`];
    row[c.key] =
      c.kind === 'text' ? texts[n % texts.length]
        : c.kind === 'date' ? `2026-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`
          : c.kind === 'money' ? `${(n * 1234.56 + 0.07).toFixed(2)}`
            : c.kind === 'quantity' ? `${n * 37}.${n % 3 === 1 ? '125' : '0'}`
              : c.kind === 'percent' ? '0.4567' : String(n % 40);
  }
  return row;
}

const rowsOf = (definition: { columns: ReportDefinition['columns'] }, n: number) => Array.from({ length: n }, (_, i) => sample(definition, i + 1));
const title = { period: '2026-07-01 至 2026-07-31', filters: ['仓库：WH-01'] };
for (const definition of loadReportDefinitions(resolve('reports'))) {
  const file = createWriteStream(join(out, `${definition.name}.xlsx`));
  const content: SheetContent = definition.name === 'pick-list'
    ? { details: [['调拨单号', 'DB-2026-000123'], ['发货仓库', '市救灾物资储备库 (WH-01)'], ['目的地', '市南区八大湖街道安置点 / 市南区'], ['优先级', '1'], ['下单时间', '2026-07-22']], batches: [rowsOf(definition, 12)] }
    : { ...title, batches: [rowsOf(definition, definition.signatures.length > 0 ? 8 : 70)] };
  const appendix = appendixDefinition(definition);
  const sheets: SheetPlan[] = [{ definition, content }, ...(appendix ? [{ definition: appendix, content: { ...title, batches: [rowsOf(appendix, 6)] } }] : [])];
  await writeWorkbook(sheets, file, { generatedAt: '2026-08-01 09:30:00', unmasked: true });
  await once(file, 'close');
  console.log(definition.name);
}
