// Benchmark: dated reads over a long history with month-end close (月结). For each size, a fresh
// database gets the sample warehouses and 2,089 categories, then N movements over 24 months written
// with SQL directly (one busy category takes 5% of them; a tenth of the documents are dated up to ten
// days late), and every past month is closed through the service. Then it times, through the real
// service over HTTP: GET /balances?asOf= for a day in the latest month, the first and the last page of
// the busy category's 台帐 in one warehouse, and a late entry into the busy category; and the as-of
// query as bare SQL on the same data. The generated movements carry placeholder hashes: the bench
// data is UNVERIFIED (/ledger/verify would fail on it); the bench measures reads and one posting.
// Usage: npm run bench:periods -- [--sizes 250000,1000000] [--repeat 15]
// EMBEDDED_PG_PORT picks the PostgreSQL port (else a free one is chosen).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { createApp } from '../src/http/app.js';
import { allRoutes } from '../src/http/routes/index.js';
import { buildServices } from '../src/services.js';
import { addDays, todayInCity } from '../src/shared/dates.js';
import { firstDayOf, nextPeriod, periodOf } from '../src/stock/index.js';
import { flag, fmt, startBenchPostgres, withClient } from './support.js';

const config = loadConfig({});
const MONTHS = 24;
const LINES_PER_DOCUMENT = 10;

function monthsBack(period: string, count: number): string {
  let p = period;
  for (let i = 0; i < count; i++) p = addDays(firstDayOf(p), -1).slice(0, 7);
  return p;
}

/** N movements over the 24 months ending this month (a tenth of them in one busy category and warehouse), with the projections a posting reads kept consistent. */
async function generate(url: string, movements: number, busy: string): Promise<void> {
  const today = todayInCity();
  const start = firstDayOf(monthsBack(periodOf(today), MONTHS - 1));
  const days = Math.round((Date.parse(today) - Date.parse(start)) / 86_400_000);
  await withClient(url, async (client) => {
    await client.query(`CREATE TEMP TABLE gen AS
      WITH cats AS (SELECT array_agg(code ORDER BY code) AS a FROM categories), whs AS (SELECT array_agg(code ORDER BY code) AS a FROM warehouses WHERE active),
      docs AS (SELECT d, greatest($4::date, $4::date + (d::float8 * $3 / ($1 / ${LINES_PER_DOCUMENT}))::int - CASE WHEN random() < 0.1 THEN floor(random() * 10)::int ELSE 0 END) AS occurred_at
               FROM generate_series(0, $1 / ${LINES_PER_DOCUMENT} - 1) d)
      SELECT i, (i - 1) / ${LINES_PER_DOCUMENT} AS d, ((i - 1) % ${LINES_PER_DOCUMENT}) + 1 AS line, least(docs.occurred_at, $5::date) AS occurred_at,
             CASE WHEN random() < 0.10 THEN $2 ELSE cats.a[1 + floor(random() * array_length(cats.a, 1))::int] END AS category,
             whs.a[1 + floor(random() * array_length(whs.a, 1))::int] AS warehouse,
             random() < 0.8 AS incoming, (1 + floor(random() * 100))::numeric AS quantity
      FROM generate_series(1, $1::int) i JOIN docs ON docs.d = (i - 1) / ${LINES_PER_DOCUMENT}, cats, whs`, [movements, busy, days, start, today]);
    // The busy category lives in one warehouse: at 1,000,000 movements its 台帐 there has 100,000 rows.
    await client.query(`UPDATE gen SET warehouse = (SELECT min(code) FROM warehouses WHERE active) WHERE category = $1`, [busy]);
    await client.query(`SELECT setval('stock_documents_id_seq', $1::bigint)`, [movements / LINES_PER_DOCUMENT + 10]);
    await client.query(`INSERT INTO stock_documents (id, type, warehouse, reason, occurred_at, created_at)
      SELECT d + 1, 'STOCKTAKE', min(warehouse), 'bench (unverified)', min(occurred_at), now() FROM gen GROUP BY d`);
    // Record order = generation order; positions and sequences numbered as the service would.
    await client.query(`INSERT INTO stock_movements (id, document_id, line, category, sequence, quantity, from_node, to_node, warehouse, occurred_at, recorded_at, prev_hash, hash,
        warehouse_position, category_position)
      SELECT gen_random_uuid(), d + 1, line, category, row_number() OVER (PARTITION BY category ORDER BY i),
             CASE WHEN incoming THEN quantity ELSE ceil(quantity / 10) END,
             CASE WHEN incoming THEN 'SUPPLIER:bench' ELSE 'WH:' || warehouse END, CASE WHEN incoming THEN 'WH:' || warehouse ELSE 'LOSS:DAMAGE' END,
             warehouse, occurred_at, now(), repeat('0', 64), md5(i::text) || md5(i::text),
             row_number() OVER (PARTITION BY category, warehouse ORDER BY i), row_number() OVER (PARTITION BY category ORDER BY i)
      FROM gen`);
    const signed = `CASE WHEN to_node = 'WH:' || warehouse THEN quantity ELSE -quantity END`;
    await client.query(`INSERT INTO stock_balances (category, warehouse, lot, on_hand) SELECT category, warehouse, '', greatest(sum(${signed}), 0) FROM stock_movements GROUP BY 1, 2`);
    await client.query(`INSERT INTO stock_positions (category, warehouse, on_hand, movements) SELECT category, warehouse, greatest(sum(${signed}), 0), count(*) FROM stock_movements GROUP BY 1, 2`);
    await client.query(`INSERT INTO stock_chains (category, last_sequence, last_hash, on_hand, positions, last_occurred_on)
      SELECT category, max(sequence), repeat('0', 64), greatest(sum(${signed}), 0), count(*), max(occurred_at) FROM stock_movements GROUP BY 1`);
    await client.query('VACUUM ANALYZE');
  });
}

async function median(repeat: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

interface Figures {
  size: number;
  closeMs: number;
  asOfMs: number;
  asOfSqlMs: number;
  firstPageMs: number;
  lastPageMs: number;
  lateEntryMs: number;
}

async function runSize(size: number, repeat: number, database: (name: string) => Promise<string>): Promise<Figures> {
  const url = await database(`bench_periods_${size}`);
  const orm = await openOrm({ url, poolMax: 8 });
  const services = buildServices(orm, config);
  const options = { dryRun: false, maxRows: 1_000_000 };
  await services.catalog.importWarehouses(null, await readFile(join(config.paths.imports, 'warehouses.csv')), options);
  await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
  const token = (await services.users.bootstrapAdmin())!;
  const [busyRow] = await orm.em.fork().execute<{ code: string }[]>('SELECT code FROM categories WHERE NOT lot_tracked AND scale = 0 ORDER BY code LIMIT 1');
  const busy = busyRow!.code;
  const generated = Date.now();
  await generate(url, size, busy);
  process.stdout.write(`${fmt(size)} movements generated in ${fmt((Date.now() - generated) / 1000, 1)} s\n`);

  const app = createApp({ routes: allRoutes(services, config), log: pino({ level: 'silent' }), authenticate: (t) => services.users.authenticate(t), idempotency: services.idempotency, limits: config.limits });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const today = todayInCity();
    const current = periodOf(today);
    const closeStarted = Date.now();
    for (let p = monthsBack(current, MONTHS - 1); p !== current; p = nextPeriod(p)) await call('POST', `/periods/${p}/close`);
    const closeMs = (Date.now() - closeStarted) / (MONTHS - 1);
    await withClient(url, (client) => client.query('VACUUM ANALYZE'));

    const asOf = addDays(today, -1) >= firstDayOf(current) ? addDays(today, -1) : today;
    const asOfMs = await median(repeat, () => call('GET', `/balances?asOf=${asOf}&limit=1000`));
    const warehouse = (await call('GET', `/balances?category=${busy}`)).items[0].warehouse as string;
    const first = await call('GET', `/ledger?category=${busy}&warehouse=${warehouse}&limit=50`);
    const lastOffset = Math.max(0, first.total - 50);
    const firstPageMs = await median(repeat, () => call('GET', `/ledger?category=${busy}&warehouse=${warehouse}&limit=50`));
    const lastPageMs = await median(repeat, () => call('GET', `/ledger?category=${busy}&warehouse=${warehouse}&limit=50&offset=${lastOffset}`));
    const lateDate = firstDayOf(current) <= addDays(today, -3) ? addDays(today, -3) : firstDayOf(current);
    const lateEntryMs = await median(repeat, () => call('POST', '/receipts', { warehouse, source: { kind: 'DONATION', name: '某慈善基金会' }, occurredAt: lateDate, lines: [{ category: busy, quantity: '1' }] }));

    // The bare SQL of the as-of read (both ways the service may read it), on the same data.
    const asOfSqlMs = await withClient(url, async (client) => {
      const sql = `WITH f AS (SELECT period, through FROM stock_periods WHERE through <= $1::date ORDER BY through DESC LIMIT 1),
        x AS (SELECT b.warehouse, b.category, b.lot, b.on_hand AS quantity FROM stock_period_balances b WHERE b.period = (SELECT period FROM f)
              UNION ALL
              SELECT m.warehouse, m.category, coalesce(m.lot, ''), CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END FROM stock_movements m
              WHERE m.warehouse IS NOT NULL AND m.occurred_at > coalesce((SELECT through FROM f), '-infinity'::date) AND m.occurred_at <= $1::date)
        SELECT x.warehouse, x.category, x.lot, sum(x.quantity)::text AS on_hand, c.scale, count(*) OVER ()::text AS total
        FROM x JOIN categories c ON c.code = x.category GROUP BY x.warehouse, x.category, x.lot, c.scale HAVING sum(x.quantity) <> 0
        ORDER BY x.warehouse, x.category, x.lot LIMIT 1000`;
      // The same read back from the current balances; the service takes whichever stretch is shorter,
      // so the baseline is the faster of the two.
      const backward = `WITH d AS (SELECT m.warehouse, m.category, coalesce(m.lot, '') AS lot,
              sum(CASE WHEN m.to_node = 'WH:' || m.warehouse THEN m.quantity ELSE -m.quantity END) AS delta
            FROM stock_movements m WHERE m.warehouse IS NOT NULL AND m.occurred_at > $1::date GROUP BY 1, 2, 3)
        SELECT b.warehouse, b.category, b.lot, (b.on_hand - coalesce(d.delta, 0))::text AS on_hand, c.scale, count(*) OVER ()::text AS total
        FROM stock_balances b JOIN categories c ON c.code = b.category
        LEFT JOIN d ON d.warehouse = b.warehouse AND d.category = b.category AND d.lot = b.lot
        WHERE b.on_hand - coalesce(d.delta, 0) <> 0 ORDER BY b.warehouse, b.category, b.lot LIMIT 1000`;
      const forwardMs = await median(repeat, () => client.query(sql, [asOf]));
      const backwardMs = await median(repeat, () => client.query(backward, [asOf]));
      return Math.min(forwardMs, backwardMs);
    });
    const [{ frozen }] = (await withClient(url, (client) => client.query<{ frozen: string }>('SELECT count(*)::text AS frozen FROM stock_period_balances'))).rows;
    process.stdout.write(`  closed ${MONTHS - 1} months (${fmt(closeMs)} ms each, ${frozen} frozen rows); busy category ${busy} in ${warehouse}: ${fmt(first.total)} rows\n`);
    return { size, closeMs, asOfMs, asOfSqlMs, firstPageMs, lastPageMs, lateEntryMs };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await orm.close(true);
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv.includes('--sizes') ? process.argv[process.argv.indexOf('--sizes') + 1]! : '250000,1000000').split(',').map(Number);
  const repeat = flag('repeat', 15);
  const pg = await startBenchPostgres();
  const results: Figures[] = [];
  try {
    for (const size of sizes) results.push(await runSize(size, repeat, pg.database));
  } finally {
    await pg.stop();
  }
  process.stdout.write(`\nmedian of ${repeat}, ms  | asOf balances | asOf bare SQL | 台帐 first page | 台帐 last page | late entry | close/month\n`);
  for (const r of results) {
    process.stdout.write(`${fmt(r.size).padStart(9)} movements | ${fmt(r.asOfMs, 1).padStart(13)} | ${fmt(r.asOfSqlMs, 1).padStart(13)} | ${fmt(r.firstPageMs, 1).padStart(15)} | ${fmt(r.lastPageMs, 1).padStart(14)} | ${fmt(r.lateEntryMs, 1).padStart(10)} | ${fmt(r.closeMs).padStart(11)}\n`);
  }
  const last = results.at(-1)!;
  process.stdout.write(`asOf balances at ${fmt(last.size)} movements: service ${fmt(last.asOfMs, 1)} ms, bare SQL ${fmt(last.asOfSqlMs, 1)} ms, ratio ${fmt(last.asOfMs / last.asOfSqlMs, 2)}\n`);
}

await main();
