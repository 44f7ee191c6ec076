// PostgreSQL CPU per call of stock_post_document against the bench baseline bench_post: one client,
// single-line receipts and write-offs alternating over the bench's categories, in autocommit with
// synchronous_commit off (CPU, not WAL flushes). Two rounds each, after 200 warm-up calls.
// SYNC=1 keeps synchronous_commit on (the WAL flush of each commit counted too).
// BATCH=k compares stock_post_batch of k documents per call with stock_post_document, per document.
// VARIANT=<file.sql> first runs that SQL (e.g. a CREATE OR REPLACE of the function to try a change);
// EXPLAIN=time prints the same without row counts for 200 calls (to sum per statement); EXPLAIN=1 instead prints auto_explain's plan and time of every statement inside two calls.
// Usage: N=2000 npx tsx bench/ledger-function.ts
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { prepare } from './ledger.js';
import { BASELINE_FUNCTION_SQL, cpuSecondsOf } from './ledger.workload.js';
import { startBenchPostgres, withClient } from './support.js';

const N = Number(process.env.N ?? 2000);
const server = await startBenchPostgres();
try {
  const url = await server.database('bench_fn');
  const app = await prepare(url);
  await withClient(url, (c) => c.query(BASELINE_FUNCTION_SQL));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const variant = process.env.VARIANT;
  if (variant) await c.query(readFileSync(variant, 'utf8'));
  const w = app.universe.warehouses;
  const cats = app.universe.categories;
  const payload = (i: number) => {
    const cat = cats[i % cats.length]!, wh = w[i % w.length]!, receipt = i % 2 === 0;
    const q = receipt ? '5' : '1', d = receipt ? '5' : '-1';
    return {
      closed_through: null, categories: [cat], rules: [{ code: cat, scale: 0, lot_tracked: false }], warehouses: [{ code: wh, active: true }],
      document: { id: null, type: receipt ? 'RECEIPT' : 'WRITE_OFF', warehouse: wh, counterpart_warehouse: null, source_kind: receipt ? 'PROCUREMENT' : null, source_name: receipt ? '基准测试供应商' : null,
        reference: null, reason: receipt ? null : 'DAMAGE', transfer_id: null, stocktake_id: null, reverses_document_id: null, occurred_at: '2026-12-01', created_at: new Date().toISOString(), user_id: app.adminId },
      movements: [{ line: 1, id: randomUUID(), category: cat, lot: null, expires_on: null, quantity: q, from_node: receipt ? 'SUPPLIER:基准测试供应商' : `WH:${wh}`, to_node: receipt ? `WH:${wh}` : 'LOSS:DAMAGE',
        warehouse: wh, unit_cost: receipt ? '10' : null, seq_n: 1, wh_cum: d, wh_n: 1, cat_cum: d, cat_n: 1 }],
      take: receipt ? [] : [{ category: cat, warehouse: wh, lot: '', delta: d, n: 0 }], add: receipt ? [{ category: cat, warehouse: wh, lot: '', delta: d }] : [],
      positions: [{ category: cat, warehouse: wh, delta: d, movements: 1 }], heads: [{ category: cat, delta: d, positions: 1, line: 1 }], lots: [],
    };
  };
  const run = async (label: string, call: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 200; i++) await call(i);
    const before = cpuSecondsOf(pid);
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await call(i);
    const cpu = cpuSecondsOf(pid) - before;
    console.log(`${label}: PG CPU ${((cpu / N) * 1e6).toFixed(0)} µs/call, wall ${(Number(process.hrtime.bigint() - t) / 1e6 / N).toFixed(2)} ms`);
  };
  if (!process.env.SYNC) await c.query('SET synchronous_commit = off');
  // BATCH=k: stock_post_batch with k documents per call (group commit), CPU per document.
  const batch = Number(process.env.BATCH ?? 0);
  if (batch > 0) {
    for (let r = 0; r < 2; r++) {
      for (const [label, k] of [[`stock_post_batch x${batch}`, batch], ['stock_post_document  ', 1]] as const) {
        let i = 0;
        const before = cpuSecondsOf(pid);
        for (let b = 0; b < N / k; b++) {
          const items = Array.from({ length: k }, () => `{"shipment":false,"p":${JSON.stringify(payload(i++))}}`);
          const text = k === 1 ? 'SELECT stock_post_document($1::jsonb) AS reply' : 'SELECT stock_post_batch($1::jsonb) AS reply';
          const value = k === 1 ? items[0]!.slice(items[0]!.indexOf('"p":') + 4, -1) : `[${items.join(',')}]`;
          await c.query({ name: k === 1 ? 'p' : 'q', text, values: [value] });
        }
        console.log(`${label}: PG CPU ${(((cpuSecondsOf(pid) - before) / N) * 1e6).toFixed(0)} µs/document`);
      }
    }
  }
  if (batch > 0) {
    // measured above
  } else if (process.env.EXPLAIN) {
    for (let i = 0; i < 50; i++) await c.query({ name: 'p', text: 'SELECT stock_post_document($1::jsonb) AS reply', values: [JSON.stringify(payload(i))] });
    await c.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = ${process.env.EXPLAIN === 'time' ? 'off' : 'on'}; SET client_min_messages = log`);
    c.on('notice', (n) => console.log(n.message));
    for (let i = 50; i < (process.env.EXPLAIN === 'time' ? 250 : 52); i++) await c.query({ name: 'p', text: 'SELECT stock_post_document($1::jsonb) AS reply', values: [JSON.stringify(payload(i))] });
  } else {
    for (let r = 0; r < 2; r++) {
      await run('stock_post_document', async (i) => {
        const reply = (await c.query({ name: 'p', text: 'SELECT stock_post_document($1::jsonb) AS reply', values: [JSON.stringify(payload(i))] })).rows[0].reply;
        if (reply.status !== 'ok') throw new Error(JSON.stringify(reply));
      });
      await run('bench_post         ', (i) => c.query({ name: 'b', text: 'SELECT bench_post($1, $2, $3, $4, $5, $6, $7, $8) AS id',
        values: [i % 2 === 0 ? 'receipt' : 'writeOff', cats[i % cats.length], w[i % w.length], null, null, null, i % 2 === 0 ? '5' : '1', app.adminId] }));
    }
  }
  await c.end();
} catch (error) {
  console.error('failed:', (error as Error).message);
  process.exitCode = 1;
} finally {
  await server.stop();
}
