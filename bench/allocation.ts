// Benchmark: allocations. Loads the sample catalog (2,089 categories) over the 12 sample warehouses and
// over 200 synthetic ones, stocks 200 categories in every warehouse, then times a 200-line order planned
// and reserved through the service (p50, p95; each order cancelled again untimed, so every run plans
// against the same stock), the same reservation as bare SQL (lock the chain heads, one conditional
// UPDATE), and 50 concurrent all-or-nothing orders competing for the same stock (orders per second).
// PostgreSQL runs with production settings (fsync on). The last line: service p95, bare SQL, ratio.
// Usage: npm run bench:allocation [-- --runs 50]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { Decimal } from '../src/shared/decimal.js';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { buildServices, type Services } from '../src/services.js';
import type { Actor } from '../src/shared/actor.js';
import { flag, fmt, startBenchPostgres, withClient } from './support.js';

const config = loadConfig({});
const RUNS = flag('runs', 50);
const LINES = 200;
const DESTINATION = { name: '基准测试安置点', district: '市南区', lat: '36.070000', lon: '120.380000' };

function syntheticWarehouses(count: number): string {
  const rows = ['编码,名称,级别,所在区,地址,纬度,经度,启用'];
  for (let i = 0; i < count; i++) {
    // A grid over the city's extent, so distances differ and the nearest-first order matters.
    const lat = (35.6 + (i % 20) * 0.07).toFixed(6);
    const lon = (119.6 + Math.floor(i / 20) * 0.1).toFixed(6);
    rows.push(`BW-${String(i + 1).padStart(3, '0')},基准库${i + 1},${i % 10 === 0 ? 'CITY' : 'DISTRICT'},区${i % 12},某路${i}号,${lat},${lon},是`);
  }
  return rows.join('\n');
}

async function prepare(url: string, warehousesCsv: Buffer, perWarehouse: number): Promise<{ services: Services; categories: string[]; close(): Promise<void> }> {
  const orm = await openOrm({ url, poolMax: config.dbPoolMax });
  const services = buildServices(orm, config);
  const options = { dryRun: false, maxRows: 1_000_000 };
  await services.catalog.importWarehouses(null, warehousesCsv, options);
  await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
  const em = orm.em.fork();
  const warehouses = (await em.execute<{ code: string }[]>('SELECT code FROM warehouses WHERE active ORDER BY code')).map((r) => r.code);
  const categories = (await em.execute<{ code: string }[]>('SELECT code FROM categories WHERE NOT lot_tracked AND scale = 0 ORDER BY code LIMIT ?', [LINES])).map((r) => r.code);
  const csv = ['仓库编码,物资编码,批次号,有效期至,数量,单价', ...warehouses.flatMap((w) => categories.map((c) => `${w},${c},,,${perWarehouse},10.00`))].join('\n');
  await services.stock.importOpeningStock(null, Buffer.from(csv), { ...options, source: 'bench' });
  await em.execute('INSERT INTO stock_chains (category) SELECT code FROM categories ON CONFLICT DO NOTHING');
  await services.users.bootstrapAdmin();
  return { services, categories, close: () => orm.close(true) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function adminOf(services: Services): Promise<Actor> {
  const [row] = await services.orm.em.fork().execute<{ id: string }[]>(`SELECT id::text FROM users WHERE name = 'admin'`);
  return { id: row!.id, name: 'admin', role: 'admin', warehouses: [] };
}

/** Service: plan + reserve a LINES-line order, timed; cancelled again untimed. */
async function timeOrders(services: Services, categories: string[], quantity: string): Promise<{ p50: number; p95: number; picks: { category: string; warehouse: string; quantity: string }[] }> {
  const admin = await adminOf(services);
  const lines = categories.map((category) => ({ category, quantity: new Decimal(quantity) }));
  const body = { destination: DESTINATION, lines, priority: 3, allOrNothing: true };
  const times: number[] = [];
  let picks: { category: string; warehouse: string; quantity: string }[] = [];
  for (let run = -3; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const order = await services.allocations.orders.create(admin, body);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run >= 0) times.push(ms);
    picks = order.lines.flatMap((l) => l.picks.map((p) => ({ category: l.category, warehouse: p.warehouse, quantity: p.quantity })));
    await services.allocations.orders.cancel(admin, order.id, 'bench');
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), picks };
}

/** Bare SQL: the same picks reserved in one transaction that locks the same chain heads; released again untimed. */
async function timeBareSql(url: string, categories: string[], picks: { category: string; warehouse: string; quantity: string }[]): Promise<{ p50: number; p95: number }> {
  return withClient(url, async (client: pg.Client) => {
    const times: number[] = [];
    const args = [picks.map((p) => p.category), picks.map((p) => p.warehouse), picks.map((p) => p.quantity)];
    for (let run = -3; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      await client.query('BEGIN');
      await client.query('SELECT category FROM stock_chains WHERE category = ANY ($1::text[]) ORDER BY category FOR UPDATE', [[...categories].sort()]);
      const { rowCount } = await client.query(
        `UPDATE stock_balances b SET reserved = b.reserved + x.q FROM unnest($1::text[], $2::text[], $3::numeric[]) AS x(c, w, q)
         WHERE b.category = x.c AND b.warehouse = x.w AND b.lot = '' AND b.on_hand - b.reserved >= x.q`, args);
      if (rowCount !== picks.length) throw new Error(`bare SQL reserved ${rowCount} of ${picks.length} rows`);
      await client.query('COMMIT');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (run >= 0) times.push(ms);
      await client.query(`UPDATE stock_balances b SET reserved = b.reserved - x.q FROM unnest($1::text[], $2::text[], $3::numeric[]) AS x(c, w, q) WHERE b.category = x.c AND b.warehouse = x.w AND b.lot = ''`, args);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  });
}

/** 50 all-or-nothing orders at once, each for 20 of the same categories: orders per second, and how many the stock covered. */
async function contention(services: Services, categories: string[], quantity: string): Promise<{ perSecond: number; reserved: number; refused: number }> {
  const admin = await adminOf(services);
  const lines = categories.slice(0, 20).map((category) => ({ category, quantity: new Decimal(quantity) }));
  const started = process.hrtime.bigint();
  const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => services.allocations.orders.create(admin, { destination: DESTINATION, lines, priority: 3, allOrNothing: true })));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
  const unexpected = failed.filter((o) => (o.reason as { code?: string }).code !== 'INSUFFICIENT_STOCK');
  if (unexpected.length) throw unexpected[0]!.reason;
  return { perSecond: 50 / seconds, reserved: 50 - failed.length, refused: failed.length };
}

async function main(): Promise<void> {
  const pgServer = await startBenchPostgres();
  const lines: string[] = [];
  try {
    let last = { service: 0, bare: 0 };
    for (const [label, csv, perWarehouse, quantity, contended] of [
      ['12 sample warehouses', await readFile(join(config.paths.imports, 'warehouses.csv')), 1000, '120', '600'],
      ['200 synthetic warehouses', Buffer.from(syntheticWarehouses(200)), 50, '120', '300'],
    ] as const) {
      const url = await pgServer.database(`alloc_${label.split(' ')[0]}`);
      const db = await prepare(url, csv, perWarehouse);
      try {
        const service = await timeOrders(db.services, db.categories, quantity);
        const bare = await timeBareSql(url, db.categories, service.picks);
        const warehousesUsed = new Set(service.picks.map((p) => p.warehouse)).size;
        const race = await contention(db.services, db.categories, contended);
        lines.push(`${label}: ${LINES}-line order (${service.picks.length} picks over ${warehousesUsed} warehouses) planned and reserved: p50 ${fmt(service.p50, 1)} ms, p95 ${fmt(service.p95, 1)} ms; bare SQL p50 ${fmt(bare.p50, 1)} ms, p95 ${fmt(bare.p95, 1)} ms`);
        lines.push(`${label}: 50 concurrent all-or-nothing 20-line orders on the same stock: ${fmt(race.perSecond, 1)} orders/s (${race.reserved} reserved, ${race.refused} refused for stock)`);
        process.stdout.write(`${lines.slice(-2).join('\n')}\n`);
        last = { service: service.p95, bare: bare.p95 };
      } finally {
        await db.close();
      }
    }
    process.stdout.write(`allocation (200 lines, 200 warehouses): service p95 ${fmt(last.service, 1)} ms, bare SQL p95 ${fmt(last.bare, 1)} ms, ratio ${fmt(last.service / last.bare, 1)}x\n`);
  } finally {
    await pgServer.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
