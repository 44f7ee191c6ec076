import { CatalogService } from '../src/catalog/index.js';
import { openOrm } from '../src/db/orm.js';
import { startBenchPostgres, timed } from './support.js';
import { readCsvCells } from '../src/imports/csv-source.js';
const HEADER = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号';
const UNITS = [['顶', 0], ['床', 0], ['件', 0], ['箱', 0], ['t', 3], ['kg', 2], ['L', 1]] as const;
function syntheticCatalog(rows: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const [unit, scale] = UNITS[i % UNITS.length]!;
    const spec = i % 7 === 0 ? `"规格 ${i % 97}型,加厚"` : `规格 ${i % 97}型`;
    lines.push(`BX-${String(i).padStart(7, '0')},应急物资 第${i}号 ${unit},生活保障物资,小类${i % 45},${unit},${scale},${i % 4 === 0 ? '是' : '否'},${spec}`);
  }
  return `${lines.join('\n')}\n`;
}
import pg from 'pg';
const q = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: any, ...a: any[]) { const t0 = Date.now(); const r = (q as any).apply(this, a); const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? 'copy'; if (r && typeof r.then === 'function') r.then(() => { const d = Date.now() - t0; if (d > 50) console.log('  q', d, 'ms', String(text).slice(0, 60).replace(/\s+/g, ' ')); }, () => {}); else if (r && r.on) r.on('finish', () => console.log('  copy', Date.now() - t0)); return r; } as any;
const csv = syntheticCatalog(200000);
const cols = [{ key: 'code', headers: ['编码'], required: true }, { key: 'name', headers: ['名称'], required: true }, { key: 'a', headers: ['大类'], required: false }, { key: 'b', headers: ['小类'], required: false }, { key: 'c', headers: ['计量单位'], required: false }, { key: 'd', headers: ['数量精度'], required: false }, { key: 'e', headers: ['批次管理'], required: false }, { key: 'f', headers: ['规格型号'], required: false }];
console.log('parse only', (await timed(async () => { let n = 0; for await (const r of readCsvCells(csv, cols as any, 1e7)) n++; })).seconds);
const bench = await startBenchPostgres();
const url = await bench.database('x');
const orm = await openOrm({ url, poolMax: 4 });
const t = Date.now();
let last = t;
const r = await timed(() => new CatalogService(orm.em).importCategories(null, Buffer.from(csv), { dryRun: false, maxRows: 1e7, onProgress: (p, d) => { if (d === 200000) { console.log(p, Date.now() - t); } } }));
console.log('import', r.seconds, r.result);
await orm.close(true);
const url2 = await bench.database('y');
(await openOrm({ url: url2, poolMax: 1 })).close(true);
const { pipeline } = await import('node:stream/promises');
const { Readable } = await import('node:stream');
const { from: copyFrom } = await import('pg-copy-streams');
const c = new pg.Client({ connectionString: url2 }); await c.connect();
const t2 = Date.now();
await c.query(`BEGIN; CREATE TEMP TABLE stage (code text, name text, major_class text, minor_class text, unit text, scale text, lot_tracked text, spec text) ON COMMIT DROP`);
await pipeline(Readable.from([csv]), c.query(copyFrom('COPY stage FROM STDIN WITH (FORMAT csv, HEADER true)')));
console.log('baseline copy', Date.now() - t2);
await c.query(`INSERT INTO categories (code, name, major_class, minor_class, unit, scale, lot_tracked, spec)
        SELECT code, name, major_class, minor_class, unit, scale::smallint, lot_tracked = '是', NULLIF(spec, '') FROM stage
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, major_class = EXCLUDED.major_class, minor_class = EXCLUDED.minor_class,
          unit = EXCLUDED.unit, scale = EXCLUDED.scale, lot_tracked = EXCLUDED.lot_tracked, spec = EXCLUDED.spec, updated_at = now()`);
await c.query('COMMIT');
console.log('baseline total', Date.now() - t2);
await c.end();
await bench.stop();
