// Benchmark: the catalog CSV import (parse, validate every row, upsert in one transaction) against
// PostgreSQL COPY of the same CSV into a bare table, measured in the same run on the same server.
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

/** The baseline: COPY of the same CSV into a bare table (no keys, no checks). */
async function copyBaseline(url: string, csv: string): Promise<number> {
  return withClient(url, async (client) => {
    await client.query('DROP TABLE IF EXISTS bare_catalog');
    await client.query('CREATE TABLE bare_catalog (code text, name text, major_class text, minor_class text, unit text, scale smallint, lot_tracked text, spec text)');
    const { seconds } = await timed(() => pipeline(Readable.from([csv]), client.query(copyFrom('COPY bare_catalog FROM STDIN WITH (FORMAT csv, HEADER true)'))));
    return seconds;
  });
}

/** A second reference: COPY straight into the real table, with its key and checks (no validation, no upsert). */
async function copyIntoCategories(url: string, csv: string): Promise<number> {
  return withClient(url, async (client) => {
    const lotFlags = csv.replace(/,是,/g, ',true,').replace(/,否,/g, ',false,');
    const { seconds } = await timed(() => pipeline(Readable.from([lotFlags]), client.query(copyFrom('COPY categories (code, name, major_class, minor_class, unit, scale, lot_tracked, spec) FROM STDIN WITH (FORMAT csv, HEADER true)'))));
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

async function measure(label: string, serverUrl: string, csv: string, rounds: number): Promise<void> {
  const rows = csv.split('\n').length - 2;
  const bytes = Buffer.from(csv);
  let best = { copy: Infinity, copyReal: Infinity, ours: Infinity };
  for (let round = 0; round < rounds; round++) {
    best = {
      copy: Math.min(best.copy, await copyBaseline(await freshDatabase(serverUrl), csv)),
      copyReal: Math.min(best.copyReal, await copyIntoCategories(await freshDatabase(serverUrl), csv)),
      ours: Math.min(best.ours, await importOnce(await freshDatabase(serverUrl), bytes)),
    };
  }
  const rate = (seconds: number) => `${fmt(rows / seconds).padStart(9)} rows/s (${fmt(seconds, 2)} s)`;
  console.log(`${label} — ${fmt(rows)} rows`);
  console.log(`  import (parse, validate, upsert)   ${rate(best.ours)}`);
  console.log(`  COPY into a bare table (baseline)  ${rate(best.copy)}   → import = ${fmt(best.copy / best.ours, 2)} of COPY`);
  console.log(`  COPY into the categories table     ${rate(best.copyReal)}   → import = ${fmt(best.copyReal / best.ours, 2)} of it`);
}

async function main(): Promise<void> {
  const rows = flag('rows', 200_000);
  const rounds = flag('rounds', 2);
  const bench = await startBenchPostgres();
  try {
    const template = await bench.database('bench_template');
    await openOrm({ url: template, poolMax: 1 }).then((orm) => orm.close(true));
    const url = bench.serverUrl;
    console.log(`catalog import vs COPY (best of ${rounds}; embedded PostgreSQL, fsync on)`);
    await measure('sample (imports/)', url, await readFile('imports/catalog.csv', 'utf8'), rounds);
    await measure('synthetic', url, syntheticCatalog(rows), rounds);
  } finally {
    await bench.stop();
  }
}

await main();
