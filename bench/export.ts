// Benchmark: the 出入库明细 (movement journal) report at N movements (default 1,000,000), generated with
// SQL (one INSERT from generate_series, placeholder hashes: the data is UNVERIFIED, as in bench/periods.ts).
// Times the service's report (definition, cursor over its own connection, streaming writer) written to a
// discarding sink, with peak RSS sampled every 20 ms; then, in the same run, the bare exceljs streaming
// writer writing the same number of rows with the same columns, cell types and texts from memory (the
// first 10,000 rows of the service's own cursor held in an array, cycled). Last line: service figure,
// baseline, ratio.
// Usage: npm run bench:export -- [--rows 1000000] [--rounds 2]   EMBEDDED_PG_PORT picks the PostgreSQL port.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { buildServices } from '../src/services.js';
import { flag, fmt, startBenchPostgres, withClient } from './support.js';

const config = loadConfig({});
const ROWS = flag('rows', 1_000_000);
const ROUNDS = flag('rounds', 2);
const FROM = '2025-01-01';
const TO = '2025-12-31';

/** A sink that counts bytes and throws them away, so disk speed is not measured. */
function sink(): Writable & { bytes: number } {
  const s = new Writable({ write(chunk: Buffer, _e, done) { s.bytes += chunk.length; done(); } }) as Writable & { bytes: number };
  s.bytes = 0;
  return s;
}

async function measured(work: () => Promise<void>): Promise<{ seconds: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  return { seconds, peakMb: Math.max(peak, process.memoryUsage().rss) / 1048576 };
}

async function generate(url: string, rows: number): Promise<void> {
  await withClient(url, async (client) => {
    const docs = Math.ceil(rows / 10);
    await client.query(`INSERT INTO stock_documents (id, type, warehouse, source_kind, source_name, reason, occurred_at, created_at)
      SELECT d, 'RECEIPT', (SELECT min(code) FROM warehouses), 'DONATION', '某慈善基金会 ' || (d % 97), 'bench (unverified)', $2::date + (d % 365), now()
      FROM generate_series(1, $1::int) d`, [docs, FROM]);
    await client.query(`SELECT setval('stock_documents_id_seq', $1::bigint)`, [docs + 10]);
    await client.query(`WITH cats AS (SELECT array_agg(code ORDER BY code) a FROM categories), whs AS (SELECT array_agg(code ORDER BY code) a FROM warehouses WHERE active),
      gen AS (SELECT i, (i - 1) / 10 + 1 AS d, (i - 1) % 10 + 1 AS line, cats.a[1 + ((i::bigint * 7919) % array_length(cats.a, 1))::int] AS category,
                     whs.a[1 + (i * 31) % array_length(whs.a, 1)] AS warehouse, i % 5 <> 0 AS incoming, (1 + i % 100)::numeric AS quantity
              FROM generate_series(1, $1::int) i, cats, whs)
      INSERT INTO stock_movements (id, document_id, line, category, sequence, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at, prev_hash, hash, warehouse_position, category_position)
      SELECT gen_random_uuid(), d, line, category, row_number() OVER (PARTITION BY category ORDER BY i), quantity,
             CASE WHEN incoming THEN 'SUPPLIER:bench' ELSE 'WH:' || warehouse END, CASE WHEN incoming THEN 'WH:' || warehouse ELSE 'LOSS:DAMAGE' END,
             warehouse, 12.34, $2::date + (d % 365), now(), repeat('0', 64), md5(i::text) || md5(i::text),
             row_number() OVER (PARTITION BY category, warehouse ORDER BY i), row_number() OVER (PARTITION BY category ORDER BY i)
      FROM gen`, [rows, FROM]);
    await client.query('VACUUM ANALYZE');
  });
}

async function baseline(rowsInMemory: ExcelJS.CellValue[][], total: number, numFmts: string[]): Promise<void> {
  const out = sink();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('baseline');
  sheet.addRow(numFmts.map((_, i) => `列${i + 1}`)).commit();
  // One style object per column, shared by its cells: the fastest use of the bare writer (exceljs looks a
  // style it has seen up in a WeakMap), as the service does; setting cell.numFmt instead builds a style per cell.
  const styles = numFmts.map((numFmt) => ({ numFmt }));
  for (let i = 0; i < total; i++) {
    const row = sheet.addRow(rowsInMemory[i % rowsInMemory.length]!);
    row.eachCell((cell, n) => (cell.style = styles[n - 1]!));
    row.commit();
    // Like any streaming producer (and the service, per batch of 2,000), hand the event loop to the zip
    // stream between batches and respect back-pressure; without this the whole sheet's XML piles up in
    // memory before it is compressed.
    if (i % 2000 === 1999) {
      await new Promise((resolve) => setImmediate(resolve));
      if (out.writableNeedDrain) await once(out, 'drain');
    }
  }
  sheet.commit();
  await workbook.commit();
}

async function main(): Promise<void> {
  const server = await startBenchPostgres();
  try {
    const url = await server.database('bench_export');
    const orm = await openOrm({ url, poolMax: 4 });
    const services = buildServices(orm, config);
    const options = { dryRun: false, maxRows: 1_000_000 };
    await services.catalog.importWarehouses(null, await readFile(join(config.paths.imports, 'warehouses.csv')), options);
    await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
    const started = Date.now();
    await generate(url, ROWS);
    process.stdout.write(`${fmt(ROWS)} movements generated in ${fmt((Date.now() - started) / 1000, 1)} s\n`);

    const admin = { id: '0', name: 'bench', role: 'admin', warehouses: [] } as const;
    // Where the time goes: the same cursor read with no workbook (SQL, transfer, row mapping only).
    const { cursorBatches } = await import('../src/reports/report.source.js');
    const { movementJournalReport } = await import('../src/reports/queries/movement-journal.report.js');
    const prepared = await movementJournalReport.prepare({ em: orm.em.fork(), actor: admin, params: { from: FROM, to: TO }, productName: (c) => c, lossRatio: async () => ({ items: [] }) });

    // The baseline writes the same cells: the first 10,000 rows of the same cursor (the same strings,
    // empty cells and figures), turned into plain cell values (Number for figures, Date for dates) and
    // cycled, with each column's number format on every cell.
    const definition = JSON.parse(await readFile(join(config.paths.reports, 'movement-journal.json'), 'utf8')) as { columns: { key: string; kind: string }[] };
    const sample: ExcelJS.CellValue[][] = [];
    for await (const batch of cursorBatches(url, prepared.rows)) {
      for (const row of batch) {
        sample.push(definition.columns.map((c) => {
          const value = row[c.key];
          if (value === null || value === undefined || value === '') return null;
          return c.kind === 'text' ? String(value) : c.kind === 'date' ? new Date(`${String(value)}T00:00:00Z`) : Number(value);
        }));
      }
      if (sample.length >= 10_000) break;
    }
    const formats = definition.columns.map((c) => ({ text: '@', date: 'yyyy-mm-dd', money: '#,##0.00', quantity: '#,##0', integer: '#,##0', percent: '0.00%' })[c.kind]!);

    // The machine is shared: service and baseline alternate (S B, then B S, …) so a burst of load from
    // elsewhere falls on both; each one's best round is compared.
    const services_: { seconds: number; peakMb: number }[] = [];
    const bares: { seconds: number; peakMb: number }[] = [];
    const runService = async () => {
      const out = sink();
      let rows = 0;
      const run = await measured(async () => {
        const report = await services.reports.open(admin, 'movement-journal', { from: FROM, to: TO });
        await report.write(out, (n) => (rows = n));
      });
      if (rows !== ROWS) throw new Error(`the report wrote ${rows} rows, expected ${ROWS}`);
      process.stdout.write(`service: ${fmt(rows)} rows, ${fmt(out.bytes / 1048576, 1)} MB xlsx in ${fmt(run.seconds, 1)} s, peak RSS ${fmt(run.peakMb)} MB\n`);
      services_.push(run);
    };
    const runBaseline = async () => {
      const run = await measured(() => baseline(sample, ROWS, formats));
      process.stdout.write(`baseline (bare exceljs WorkbookWriter, rows from memory): ${fmt(run.seconds, 1)} s, peak RSS ${fmt(run.peakMb)} MB\n`);
      bares.push(run);
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) await runService(), await runBaseline();
      else await runBaseline(), await runService();
    }
    const reading = await measured(async () => {
      for await (const batch of cursorBatches(url, prepared.rows)) void batch;
    });
    process.stdout.write(`reading the rows alone (cursor, no workbook): ${fmt(reading.seconds, 1)} s\n`);
    await orm.close();
    const service = services_.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const bare = bares.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    // RSS does not shrink when a heap is freed: only the first service run (before any baseline, whose
    // unpaced writer piles its zip input up in memory) shows the service's own peak.
    const peak = services_[0]!.peakMb;
    // Per round too: the first service run starts on a fresh heap and cold caches, later ones inherit the
    // heap the baseline grew (fewer collections), so the first round's ratio is the conservative one.
    const rounds = services_.map((r, i) => `${fmt(r.seconds / bares[i]!.seconds, 2)}×`).join(', ');
    process.stdout.write(`movement journal ${fmt(ROWS)} rows, best of ${ROUNDS}: service ${fmt(service.seconds, 1)} s / ${fmt(peak)} MB peak RSS; baseline ${fmt(bare.seconds, 1)} s; ratio ${fmt(service.seconds / bare.seconds, 2)}× (per round: ${rounds})\n`);
  } finally {
    await server.stop();
  }
}

await main();
