import { readCsvCells } from '../src/imports/csv-source.js';
import { CellsReader } from '../src/imports/fields.js';
import { categoryImport } from '../src/catalog/catalog.import.js';
import { copyLine } from '../src/db/raw-connection.js';
import { timed } from './support.js';
const HEADER = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号';
const UNITS = [['顶', 0], ['床', 0], ['件', 0], ['箱', 0], ['t', 3], ['kg', 2], ['L', 1]] as const;
const lines = [HEADER];
for (let i = 0; i < 200000; i++) {
  const [unit, scale] = UNITS[i % UNITS.length]!;
  const spec = i % 7 === 0 ? `"规格 ${i % 97}型,加厚"` : `规格 ${i % 97}型`;
  lines.push(`BX-${String(i).padStart(7, '0')},应急物资 第${i}号 ${unit},生活保障物资,小类${i % 45},${unit},${scale},${i % 4 === 0 ? '是' : '否'},${spec}`);
}
const csv = `${lines.join('\n')}\n`;
for (let rep = 0; rep < 2; rep++) {
  console.log('parse', (await timed(async () => { for await (const r of readCsvCells(csv, categoryImport.columns, 1e7)) {} })).seconds.toFixed(3));
  const problems: any[] = [];
  let reader: any; let keys: any;
  console.log('parse+check', (await timed(async () => {
    for await (const r of readCsvCells(csv, categoryImport.columns, 1e7)) {
      if (r.keys !== keys) { keys = r.keys; const pos: any = {}; keys.forEach((k: any, i: number) => k && (pos[k] = i)); reader = new CellsReader(pos, problems, r.headerOf); }
      categoryImport.staged!.cellsOf!(reader.at(r.cells, r.line), r.line, problems, r.headerOf as any);
    }
  })).seconds.toFixed(3));
  console.log('parse+check+copy', (await timed(async () => {
    let chunk = ''; let n = 0;
    for await (const r of readCsvCells(csv, categoryImport.columns, 1e7)) {
      if (r.keys !== keys) { keys = r.keys; const pos: any = {}; keys.forEach((k: any, i: number) => k && (pos[k] = i)); reader = new CellsReader(pos, problems, r.headerOf); }
      const cells = categoryImport.staged!.cellsOf!(reader.at(r.cells, r.line), r.line, problems, r.headerOf as any);
      chunk += `${r.line}\t${copyLine(cells!)}`; if (chunk.length > 262144) { n += Buffer.byteLength(chunk); chunk = ''; }
    }
  })).seconds.toFixed(3));
}
