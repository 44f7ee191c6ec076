// Benchmark: the catalog CSV import (parse, validate every row, upsert in one transaction) against bare pg
// doing the same durable work: COPY of the same CSV into a stage table, then one INSERT … ON CONFLICT DO
// UPDATE into the real categories table (its key, checks and triggers), in one transaction — measured in
// the same run on the same server, each round on a fresh clone of the migrated database.
// Usage: npx tsx bench/import-catalog.ts [--rows 200000] [--rounds 2]
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { CatalogService } from '../src/catalog/index.js';
import { openOrm } from '../src/db/orm.js';
import { flag, fmt, startBenchPostgres, timed, withClient } from './support.js';

const HEADER = '编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号';
const UNITS = [['顶', 0], ['床', 0], ['件', 0], ['箱', 0], ['t', 3], ['kg', 2], ['L', 1]] as const;

/** Deterministic synthetic catalog: realistic widths, a quoted spec with a comma on every 7th row. */
function syntheticCatalog(rows: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const [unit, scale] = UNITS[i % UNITS.length]!;
    const spec = i % 7 === 0 ? `"规格 ${i % 97}型,加厚"` : `规格 ${i % 97}型`;
    lines.push(`BX-${String(i).padStart(7, '0')},应急物资 第${i}号 ${unit},生活保障物资,小类${i % 45},${unit},${scale},${i % 4 === 0 ? '是' : '否'},${spec}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The baseline: COPY the CSV into a stage, one upsert into categories, one transaction. */
async function stageAndUpsert(url: string, csv: string): Promise<number> {
  return withClient(url, async (client) => {
    const { seconds } = await timed(async () => {
      await client.query(`BEGIN; CREATE TEMP TABLE stage (code text, name text, major_class text, minor_class text, unit text, scale text, lot_tracked text, spec text) ON COMMIT DROP`);
      await pipeline(Readable.from([csv]), client.query(copyFrom('COPY stage FROM STDIN WITH (FORMAT csv, HEADER true)')));
      await client.query(`INSERT INTO categories (code, name, major_class, minor_class, unit, scale, lot_tracked, spec)
        SELECT code, name, major_class, minor_class, unit, scale::smallint, lot_tracked = '是', NULLIF(spec, '') FROM stage
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, major_class = EXCLUDED.major_class, minor_class = EXCLUDED.minor_class,
          unit = EXCLUDED.unit, scale = EXCLUDED.scale, lot_tracked = EXCLUDED.lot_tracked, spec = EXCLUDED.spec, updated_at = now()`);
      await client.query('COMMIT');
    });
    return seconds;
  });
}

async function importOnce(url: string, csv: Buffer): Promise<number> {
  const orm = await openOrm({ url, poolMax: 4 });
  try {
    const catalog = new CatalogService(orm.em);
    const { result, seconds } = await timed(() => catalog.importCategories(null, csv, { dryRun: false, maxRows: 10_000_000 }));
    if (result.inserted !== result.rows) throw new Error(`expected every row inserted, got ${JSON.stringify(result)}`);
    return seconds;
  } finally {
    await orm.close(true);
  }
}

let databases = 0;
/** The ledger refuses TRUNCATE (append-only), so every round gets a fresh clone of the migrated template. */
async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `round_${++databases}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE bench_template`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function measure(label: string, serverUrl: string, csv: string, rounds: number): Promise<{ ours: number; baseline: number; rows: number }> {
  const rows = csv.split('\n').length - 2;
  const bytes = Buffer.from(csv);
  let best = { baseline: Infinity, ours: Infinity };
  for (let round = 0; round < rounds; round++) {
    best = {
      baseline: Math.min(best.baseline, await stageAndUpsert(await freshDatabase(serverUrl), csv)),
      ours: Math.min(best.ours, await importOnce(await freshDatabase(serverUrl), bytes)),
    };
  }
  const rate = (seconds: number) => `${fmt(rows / seconds).padStart(9)} rows/s (${fmt(seconds, 2)} s)`;
  console.log(`${label} — ${fmt(rows)} rows`);
  console.log(`  import (parse, validate, stage, upsert)   ${rate(best.ours)}`);
  console.log(`  bare pg: COPY into a stage + one upsert   ${rate(best.baseline)}   → import = ${fmt(best.baseline / best.ours, 2)} of it`);
  return { ours: rows / best.ours, baseline: rows / best.baseline, rows };
}

async function main(): Promise<void> {
  const rows = flag('rows', 200_000);
  const rounds = flag('rounds', 2);
  const bench = await startBenchPostgres();
  try {
    const template = await bench.database('bench_template');
    await openOrm({ url: template, poolMax: 1 }).then((orm) => orm.close(true));
    const url = bench.serverUrl;
    console.log(`catalog import vs bare pg stage + upsert (best of ${rounds}; embedded PostgreSQL, fsync on)`);
    await measure('sample (imports/)', url, await readFile('imports/catalog.csv', 'utf8'), rounds);
    const synthetic = await measure('synthetic', url, syntheticCatalog(rows), rounds);
    console.log(`service ${fmt(synthetic.ours)} rows/s, baseline ${fmt(synthetic.baseline)} rows/s, ratio ${fmt(synthetic.ours / synthetic.baseline, 3)} (${fmt(synthetic.rows)} rows)`);
  } finally {
    await bench.stop();
  }
}

await main();
