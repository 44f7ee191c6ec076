// Benchmark: claims end to end over HTTP (register, survey, assess, approve; the state machine requires the
// survey before an assessment, so 4 requests per claim) against a bare koa + pg endpoint that inserts one row
// per request, driven with the same number of requests and the same concurrency, in the same run on the same server.
// Usage: npx tsx bench/claims.ts [--claims 10000] [--concurrency 16] [--rounds 5]
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import pg from 'pg';
import pino from 'pino';
import { requiredDocuments, residentIdCheckCharacter } from '../src/claims/index.js';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { createApp } from '../src/http/app.js';
import { allRoutes } from '../src/http/routes/index.js';
import { buildServices } from '../src/services.js';
import { addDays, todayInCity } from '../src/shared/dates.js';
import { flag, fmt, startBenchPostgres, timed } from './support.js';

const REQUESTS_PER_CLAIM = 4;
const POOL_MAX = 20;

/** Runs `count` jobs with at most `concurrency` in flight. */
async function drive(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function call(base: string, token: string, path: string, body: unknown, expected: number): Promise<any> {
  const response = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reply = await response.json();
  if (response.status !== expected) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(reply)}`);
  return reply;
}

/** A distinct valid resident ID per claim: birth dates from 1950 on, 1,000 sequence numbers per day. */
function residentId(index: number): string {
  const birth = addDays('1950-01-01', Math.floor(index / 1000)).replaceAll('-', '');
  const first17 = `370202${birth}${String(index % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

async function listen(app: Koa): Promise<{ server: Server; base: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A system under test: a server, and one job per claim (4 requests for the claims service, 4 inserts for the baseline). */
interface Target {
  job(index: number): Promise<void>;
  close(): Promise<void>;
}

/** The baseline: the least a koa + PostgreSQL service can do per request, one INSERT per POST. */
async function bareTarget(url: string): Promise<Target> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX });
  await pool.query('CREATE TABLE IF NOT EXISTS bare_rows (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const { rows } = await pool.query('INSERT INTO bare_rows (payload) VALUES ($1) RETURNING id', [Buffer.concat(chunks).toString('utf8')]);
    ctx.status = 201;
    ctx.body = { id: rows[0].id };
  });
  const { server, base } = await listen(app);
  return {
    async job(index) {
      for (let step = 0; step < REQUESTS_PER_CLAIM; step++) await call(base, 'x', '/rows', { claim: index, step, text: '一行数据' }, 201);
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

/** The real service: routes, auth, validation, the claims engine, one event for every claim (its counters are hot). */
async function claimsTarget(url: string): Promise<Target & { check(): Promise<string> }> {
  const config = { ...loadConfig({}), databaseUrl: url, dbPoolMax: POOL_MAX };
  const orm = await openOrm({ url, poolMax: POOL_MAX });
  const services = buildServices(orm, config);
  const app = createApp({ routes: allRoutes(services, config), log: pino({ level: 'silent' }), authenticate: (t) => services.users.authenticate(t), idempotency: services.idempotency, limits: config.limits });
  const { server, base } = await listen(app);
  const admin = (await services.users.bootstrapAdmin())!;
  const assessor = (await call(base, admin, '/users', { name: 'bench-assessor', role: 'assessor' }, 201)).token;
  const approver = (await call(base, admin, '/users', { name: 'bench-approver', role: 'approver' }, 201)).token;
  const incidentOn = addDays(todayInCity(), -3);
  const event = (await call(base, assessor, '/events', { type: 'TYPHOON', name: '台风 (bench)', occurredOn: incidentOn, district: '市南区' }, 201)).id;
  const documents = requiredDocuments(services.policies.versionFor('PUBLIC_LIABILITY', incidentOn), ['MEDICAL']);
  return {
    async job(index) {
      const claim = await call(base, assessor, '/claims', {
        product: 'PUBLIC_LIABILITY', event, incidentOn, description: '台风致伤', benefits: ['MEDICAL'],
        claimant: { name: `居民${index}`, idNumber: residentId(index), phone: '13800000000', hasMedicalInsurance: index % 3 !== 0, bank: { accountName: `居民${index}`, accountNumber: `62220202${String(index).padStart(8, '0')}`, bankName: '青岛银行' } },
      }, 201);
      await call(base, assessor, `/claims/${claim.id}/survey`, { surveyedOn: incidentOn, findings: '属实', documentsReceived: documents }, 200);
      await call(base, assessor, `/claims/${claim.id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: `BENCH-${index}`, amount: '1250.00', excluded: '50.00' }] }] }, 200);
      const approved = await call(base, approver, `/claims/${claim.id}/approve`, {}, 200);
      if (approved.status !== 'APPROVED') throw new Error(`claim ${claim.id} is ${approved.status}`);
    },
    async check() {
      const [row] = await orm.em.fork().execute(`SELECT count(*) AS n, sum(approved_total)::text AS total FROM claims WHERE status = 'APPROVED'`);
      return `${row.n} claims APPROVED, ${row.total} yuan approved`;
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await orm.close(true);
    },
  };
}

/**
 * The two sides run in alternating rounds, so a change in the machine's load (other processes on a shared
 * box) falls on both alike; each side's time is the sum of its rounds.
 */
async function main(): Promise<void> {
  const claims = flag('claims', 10_000);
  const concurrency = flag('concurrency', 16);
  const rounds = flag('rounds', 5);
  const requests = claims * REQUESTS_PER_CLAIM;
  const bench = await startBenchPostgres();
  const bare = await bareTarget(await bench.database('bench_bare'));
  const ours = await claimsTarget(await bench.database('bench_claims'));
  try {
    console.log(`claims over HTTP vs bare koa + pg (embedded PostgreSQL, fsync on; ${fmt(claims)} claims = ${fmt(requests)} requests each side, concurrency ${concurrency}, pool ${POOL_MAX}, ${rounds} alternating rounds)`);
    const warmup = Math.min(100, claims);
    await drive(warmup, concurrency, (i) => bare.job(claims + i));
    await drive(warmup, concurrency, (i) => ours.job(claims + i)); // other people than the measured claims
    const total = { bare: 0, ours: 0 };
    for (let round = 0; round < rounds; round++) {
      const from = Math.floor((claims * round) / rounds);
      const count = Math.floor((claims * (round + 1)) / rounds) - from;
      const b = (await timed(() => drive(count, concurrency, (i) => bare.job(from + i)))).seconds;
      const o = (await timed(() => drive(count, concurrency, (i) => ours.job(from + i)))).seconds;
      total.bare += b;
      total.ours += o;
      console.log(`  round ${round + 1}: baseline ${fmt((count * REQUESTS_PER_CLAIM) / b)} requests/s, claims ${fmt(count / o, 1)} claims/s (ratio ${fmt(b / o, 3)})`);
    }
    console.log(`  check: ${await ours.check()} (${fmt(warmup)} of them warm-up)`);
    const baselineClaimsPerSecond = claims / total.bare;
    console.log(`  baseline  ${fmt(requests / total.bare).padStart(7)} requests/s (${fmt(total.bare, 1)} s) = ${fmt(baselineClaimsPerSecond, 1)} claims/s at ${REQUESTS_PER_CLAIM} requests a claim`);
    console.log(`  claims    ${fmt(requests / total.ours).padStart(7)} requests/s (${fmt(total.ours, 1)} s) = ${fmt(claims / total.ours, 1)} claims/s end to end`);
    console.log(`  ratio     ${fmt(claims / total.ours / baselineClaimsPerSecond, 3)} of the baseline`);
  } finally {
    await ours.close();
    await bare.close();
    await bench.stop();
  }
}

await main();
