// Benchmark: the supply ledger over HTTP. Two workloads of single-line movements (receipts, write-offs,
// transfer shipments): spread over 11 warehouses and 240 categories, and all on one category. Each
// runs three ways with 16 concurrent clients, on identically prepared databases:
// - bare pg: the same durable work in one round trip, a lean plpgsql function (bench_post: period
//   gate, chain head lock, conditional decrement, position, document, movement with running balances
//   and a SHA-256 over its content chained on the head; see ledger.workload.ts), called in autocommit;
// - bare koa + that one round trip (a koa app in its own process, JSON in and out, no auth, no validation);
// - the real service in its own process.
// Prints each rate and the CPU each side spent per movement; the last line gives the service, the
// baselines and the ratios for both workloads. With --ledger-movements N it then fills one category
// with N movements and times the first and last page of its 台帐 and the audits.
// PostgreSQL runs with production settings (fsync on); request logging is off. EMBEDDED_PG_PORT picks its port.
// --without-group-commit also runs the service with POSTING_GROUP_COMMIT=0 (each posting its own transaction), in the same run.
// Usage: npx tsx bench/ledger.ts [--movements 20000] [--one-category 10000] [--clients 16] [--ledger-movements N] [--without-group-commit]
// BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of the service process there.
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import bodyParser from '@koa/bodyparser';
import Koa from 'koa';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { createApp } from '../src/http/app.js';
import { allRoutes } from '../src/http/routes/index.js';
import { buildServices } from '../src/services.js';
import { flag, fmt, startBenchPostgres, withClient } from './support.js';
import {
  BASELINE_FUNCTION_SQL, type Op, type Universe, backendPids, baselineOp, baselineValues, cpuSecondsOf, oneCategoryWorkload, requestOf, runConcurrently, workload,
} from './ledger.workload.js';

// POSTING_GROUP_COMMIT from the environment (0: off) is passed on to the service; the rest are defaults.
const config = loadConfig(process.env.POSTING_GROUP_COMMIT ? { POSTING_GROUP_COMMIT: process.env.POSTING_GROUP_COMMIT } : {});

/** The service alone in this process (the child): HTTP on an ephemeral port, the port on stdout. */
async function serve(url: string): Promise<void> {
  const orm = await openOrm({ url, poolMax: config.dbPoolMax });
  const services = buildServices(orm, config);
  const app = createApp({ routes: allRoutes(services, config), log: pino({ level: 'silent' }), authenticate: (t) => services.users.authenticate(t), idempotency: services.idempotency, limits: config.limits });
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
  process.once('SIGTERM', () => server.close(() => orm.close(true).then(() => process.exit(0))));
}

const KINDS: Record<string, Op['kind']> = { '/receipts': 'receipt', '/write-offs': 'writeOff', '/transfers': 'transfer' };

/** The bare koa baseline (the child): the request's one line → bench_post in one round trip → 201 with the document id. */
async function serveBareKoa(url: string, userId: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: config.dbPoolMax, application_name: 'bench_koa' });
  const app = new Koa();
  app.use(bodyParser());
  app.use(async (ctx) => {
    const kind = KINDS[ctx.path];
    if (ctx.method !== 'POST' || kind === undefined) return;
    const body = ctx.request.body as { warehouse?: string; from?: string; to?: string; lines: { category: string; quantity: string; lot?: string; expiresOn?: string }[] };
    const line = body.lines[0]!;
    const op: Op = { kind, warehouse: (body.warehouse ?? body.from)!, to: body.to, category: line.category, lot: line.lot, expiresOn: line.expiresOn, quantity: line.quantity };
    const { rows } = await pool.query<{ id: string }>({ name: 'bench_post', text: 'SELECT bench_post($1, $2, $3, $4, $5, $6, $7, $8) AS id', values: baselineValues(op, userId) });
    ctx.status = 201;
    ctx.body = { id: rows[0]!.id };
  });
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
  process.once('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}

/** Sample warehouses and catalog, an admin, and ample opening stock of every benchmarked pair. */
export async function prepare(url: string): Promise<{ token: string; adminId: string; universe: Universe; hot: string }> {
  const orm = await openOrm({ url, poolMax: 4 });
  try {
    const services = buildServices(orm, config);
    const options = { dryRun: false, maxRows: 1_000_000 };
    await services.catalog.importWarehouses(null, await readFile(join(config.paths.imports, 'warehouses.csv')), options);
    await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
    const token = (await services.users.bootstrapAdmin())!;
    const em = orm.em.fork();
    const warehouses = (await em.execute<{ code: string }[]>('SELECT code FROM warehouses WHERE active ORDER BY code')).map((r) => r.code);
    const plain = (await em.execute<{ code: string }[]>('SELECT code FROM categories WHERE NOT lot_tracked AND scale = 0 ORDER BY code LIMIT 221')).map((r) => r.code);
    const lotted = (await em.execute<{ code: string }[]>('SELECT code FROM categories WHERE lot_tracked AND scale = 0 ORDER BY code LIMIT 20')).map((r) => r.code);
    const [hot, ...categories] = plain;
    const csv = ['仓库编码,物资编码,批次号,有效期至,数量,单价', ...warehouses.flatMap((w) => [hot, ...categories].map((c) => `${w},${c},,,1000000,10.00`))].join('\n');
    await services.stock.importOpeningStock(null, Buffer.from(csv), { ...options, source: 'bench' });
    // Heads the service would create on first use; made here so both databases start the same.
    await em.execute('INSERT INTO stock_chains (category) SELECT code FROM categories ON CONFLICT DO NOTHING');
    const [admin] = await em.execute<{ id: string }[]>(`SELECT id::text FROM users WHERE name = 'admin'`);
    return { token, adminId: admin!.id, universe: { warehouses, categories, lotCategories: lotted }, hot: hot! };
  } finally {
    await orm.close(true);
  }
}

export async function startServer(url: string, ...args: string[]): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const mode = args.length > 0 ? args : ['--serve', url];
  const child = spawn(process.execPath, [...profile, ...process.execArgv, fileURLToPath(import.meta.url), ...mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(JSON.parse(data.toString()).port));
    child.once('exit', (code) => reject(new Error(`the service exited (${code})`)));
  });
  return { port, pid: child.pid!, stop: () => new Promise<void>((resolve) => child.once('exit', () => resolve()).kill('SIGTERM')) };
}

export function client(port: number, token: string, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  return (method: string, path: string, body?: object): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
}

const progress = (what: string, total: number) => (done: number) => process.stderr.write(`  ${what}: ${fmt(done)} / ${fmt(total)}\r`);

interface Run {
  seconds: number;
  /** CPU seconds per side: the load generator, the service (HTTP runs), and PostgreSQL's backends. */
  cpu: { client: number; service: number; database: number };
}

const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const sumCpu = (pids: number[]) => pids.reduce((total, pid) => total + cpuSecondsOf(pid), 0);

export async function httpRun(ops: Op[], clients: number, call: ReturnType<typeof client>, servicePid: number, url: string, database = 'bench_app'): Promise<Run> {
  const [clientBefore, serviceBefore] = [cpuNow(), cpuSecondsOf(servicePid)];
  const seconds = await runConcurrently(ops, Array.from({ length: clients }, (_, i) => i), async (_, op) => {
    const { path, body } = requestOf(op);
    const reply = await call('POST', path, body);
    if (reply.status !== 201) throw new Error(`${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
  }, progress('HTTP', ops.length));
  // The service's pooled connections: opened for this run, so all their CPU is this run's.
  const databaseCpu = sumCpu(await backendPids(url, database));
  return { seconds, cpu: { client: cpuNow() - clientBefore, service: cpuSecondsOf(servicePid) - serviceBefore, database: databaseCpu } };
}

export async function baselineRun(url: string, ops: Op[], clients: number, userId: string): Promise<Run> {
  const connections = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  try {
    const pids = await Promise.all(connections.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    const [clientBefore, databaseBefore] = [cpuNow(), sumCpu(pids)];
    const seconds = await runConcurrently(ops, connections, (c, op) => baselineOp(c, op, userId), progress('bare pg', ops.length));
    return { seconds, cpu: { client: cpuNow() - clientBefore, service: 0, database: sumCpu(pids) - databaseBefore } };
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}

/** The service's group-commit counters from /metrics: transactions sent for optimistic postings, and the documents in them. */
async function postingCommits(port: number): Promise<{ transactions: number; documents: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (what: string) => Number(new RegExp(`relief_ledger_posting_commits\\{what="${what}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { transactions: value('transactions'), documents: value('documents') };
}

export function report(label: string, movements: number, run: Run): void {
  const perMovement = (seconds: number) => fmt((seconds / movements) * 1e6);
  const service = run.cpu.service > 0 ? `, service ${perMovement(run.cpu.service)}` : '';
  console.log(`  ${label}: ${fmt(movements / run.seconds)} movements/s (${fmt(run.seconds, 1)} s); CPU µs per movement: client ${perMovement(run.cpu.client)}${service}, PostgreSQL ${perMovement(run.cpu.database)}`);
}

/** N movements of one category: 500-line receipts and write-offs, each document in the next warehouse. */
async function fillCategory(call: ReturnType<typeof client>, hot: string, warehouses: string[], movements: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let posted = 0, doc = 0; posted < movements; doc++) {
    const lines = Array.from({ length: Math.min(500, movements - posted) }, (_, i) => ({ category: hot, quantity: String(1 + (i % 3)) }));
    const writeOff = doc % 4 === 3;
    // A write-off takes from the warehouse the previous receipt filled.
    const warehouse = warehouses[(writeOff ? doc - 1 : doc) % warehouses.length]!;
    const reply = writeOff
      ? await call('POST', '/write-offs', { warehouse, reason: 'OTHER', lines: lines.map((l) => ({ ...l, quantity: '1' })) })
      : await call('POST', '/receipts', { warehouse, source: { kind: 'DONATION', name: '基准测试捐赠人' }, lines });
    if (reply.status !== 201) throw new Error(`filling ${hot}: ${reply.status} ${JSON.stringify(reply.body)}`);
    posted += lines.length;
    if (doc % 20 === 0) progress(`台帐 of ${hot}`, movements)(posted);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function pageTimes(call: ReturnType<typeof client>, query: string): Promise<{ total: number; first: number; last: number }> {
  const time = async (offset: number) => {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = process.hrtime.bigint();
      const reply = await call('GET', `/ledger?${query}&limit=50&offset=${offset}`);
      if (reply.status !== 200 || reply.body.items.length === 0) throw new Error(`ledger page ${offset}: ${reply.status}`);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return samples.sort((a, b) => a - b)[3]!;
  };
  const total = (await call('GET', `/ledger?${query}&limit=1`)).body.total as number;
  return { total, first: await time(0), last: await time(Math.max(0, total - 50)) };
}

interface Figures {
  pg: number;
  koa: number;
  service: number;
}

/** One workload three ways; each HTTP side in a fresh process, so its connections and CPU are this run's. */
async function compare(label: string, ops: Op[], clients: number, urls: { app: string; base: string }, users: { token: string; baseAdminId: string }): Promise<Figures> {
  console.log(`${label}: ${fmt(ops.length)} single-line movements, ${clients} clients`);
  const bare = await baselineRun(urls.base, ops, clients, users.baseAdminId);
  report('bare pg, one round trip          ', ops.length, bare);
  const koa = await startServer(urls.base, '--bare-koa', urls.base, users.baseAdminId);
  let viaKoa: Run;
  try {
    viaKoa = await httpRun(ops, clients, client(koa.port, users.token, clients), koa.pid, urls.base, 'bench_baseline');
  } finally {
    await koa.stop();
  }
  report('bare koa + one round trip        ', ops.length, viaKoa);
  const service = await serviceRun(ops, clients, urls.app, users.token, 'HTTP service                     ');
  const rate = (run: Run) => ops.length / run.seconds;
  if (process.argv.includes('--without-group-commit')) {
    const alone = await serviceRun(ops, clients, urls.app, users.token, 'HTTP service, group commit off   ', { POSTING_GROUP_COMMIT: '0' });
    console.log(`  group commit: ${fmt(rate(service) / rate(alone), 2)}× the service without it`);
  }
  const figures = { pg: rate(bare), koa: rate(viaKoa), service: rate(service) };
  console.log(`  ratio: ${fmt(figures.service / figures.koa, 2)} of bare koa + one round trip, ${fmt(figures.service / figures.pg, 2)} of bare pg one round trip`);
  return figures;
}

/** The service in a fresh process (its environment extended by `env`), its run reported with its group commits. */
async function serviceRun(ops: Op[], clients: number, url: string, token: string, label: string, env: Record<string, string> = {}): Promise<Run> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const server = await startServer(url).finally(() => {
    for (const name of Object.keys(env)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
  });
  let run: Run;
  let commits: { transactions: number; documents: number };
  try {
    run = await httpRun(ops, clients, client(server.port, token, clients), server.pid, url);
    commits = await postingCommits(server.port);
  } finally {
    await server.stop();
  }
  report(label, ops.length, run);
  console.log(`  postings tried in one call: ${fmt(commits.documents)} in ${fmt(commits.transactions)} transactions, ${fmt(commits.documents / Math.max(1, commits.transactions), 1)} per commit`);
  return run;
}

const summary = (label: string, f: Figures) =>
  `${label}: service ${fmt(f.service)}/s, bare koa+1RT ${fmt(f.koa)}/s, bare pg 1RT ${fmt(f.pg)}/s, ratios ${fmt(f.service / f.koa, 2)} / ${fmt(f.service / f.pg, 2)}`;

async function main(): Promise<void> {
  const movements = flag('movements', 20_000);
  const oneCategory = flag('one-category', 10_000);
  const clients = flag('clients', 16);
  const ledgerMovements = flag('ledger-movements', 0);
  const pgServer = await startBenchPostgres();
  try {
    const urls = { app: await pgServer.database('bench_app'), base: await pgServer.database('bench_baseline') };
    const app = await prepare(urls.app);
    const base = await prepare(urls.base);
    await withClient(urls.base, (c) => c.query(BASELINE_FUNCTION_SQL));
    const users = { token: app.token, baseAdminId: base.adminId };
    console.log(`ledger benchmark: ${app.universe.warehouses.length} warehouses, ${app.universe.categories.length + app.universe.lotCategories.length} categories`);
    const spread = await compare('spread over categories', workload(movements, app.universe), clients, urls, users);
    const one = await compare(`all on one category (${app.hot})`, oneCategoryWorkload(oneCategory, app.universe, app.hot), clients, urls, users);
    if (ledgerMovements > 0) {
      const server = await startServer(urls.app);
      try {
        const call = client(server.port, app.token, clients);
        const fill = await fillCategory(call, app.hot, app.universe.warehouses, ledgerMovements);
        console.log(`台帐 of ${app.hot}: ${fmt(ledgerMovements)} movements posted in 500-line documents in ${fmt(fill, 1)} s`);
        const all = await pageTimes(call, `category=${app.hot}`);
        console.log(`  all warehouses (${fmt(all.total)} rows): first page ${fmt(all.first, 1)} ms, last page ${fmt(all.last, 1)} ms (median of 7, 50 rows)`);
        const single = await pageTimes(call, `category=${app.hot}&warehouse=${app.universe.warehouses[0]}`);
        console.log(`  one warehouse (${fmt(single.total)} rows): first page ${fmt(single.first, 1)} ms, last page ${fmt(single.last, 1)} ms`);
        for (const audit of ['check', 'verify'] as const) {
          const started = process.hrtime.bigint();
          const reply = await call('GET', `/ledger/${audit}`);
          console.log(`  /ledger/${audit}: ok=${reply.body.ok} in ${fmt(Number(process.hrtime.bigint() - started) / 1e6)} ms`);
        }
      } finally {
        await server.stop();
      }
    }
    console.log(`${summary('spread', spread)}; ${summary('one category', one)}`);
  } finally {
    await pgServer.stop();
  }
}

if (process.argv.includes('--serve')) {
  void serve(process.argv[process.argv.indexOf('--serve') + 1]!);
} else if (process.argv.includes('--bare-koa')) {
  const at = process.argv.indexOf('--bare-koa');
  void serveBareKoa(process.argv[at + 1]!, process.argv[at + 2]!);
} else if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
