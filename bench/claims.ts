// Benchmark: claims end to end over HTTP (register, survey, assess, approve; the state machine requires the
// survey before an assessment, so 4 requests per claim) against a bare koa + pg implementation of the same
// four steps: the same schema (migrated the same way, so the same rows, constraints and indexes), the same
// statements' work — the live-duplicate check, history rows, documents, the assessment engine, invoices
// taken once, four eyes, and the final approval through the same locking function
// (claims_approve_within_limits: claim row, event counter, policy-year counter) — with no framework around
// it: no router, no validation library, no ORM pool, tokens looked up in a Map, minimal replies.
// Both run with the same concurrency, in alternating rounds of the same run on the same server.
// Round trips are counted on every pg client (pg.Client.prototype.query), so they include token lookups.
// Usage: npx tsx bench/claims.ts [--claims 3000] [--concurrency 16] [--rounds 4] [--cache-tokens]
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import pg from 'pg';
import pino from 'pino';
import { assess, loadPolicies, normalizeInvoiceNumber, policyYearOf, requiredDocuments, residentIdCheckCharacter, type ClaimedItem } from '../src/claims/index.js';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { createApp } from '../src/http/app.js';
import { allRoutes } from '../src/http/routes/index.js';
import { buildServices } from '../src/services.js';
import { formatMoney, sum } from '../src/shared/amounts.js';
import { addDays, todayInCity } from '../src/shared/dates.js';
import { Decimal } from '../src/shared/decimal.js';
import type { Actor } from '../src/shared/actor.js';
import { flag, fmt, startBenchPostgres, timed } from './support.js';

const REQUESTS_PER_CLAIM = 4;
const POOL_MAX = 20;
const PRODUCT = 'PUBLIC_LIABILITY';

/** Every query any pg client sends is one round trip (node-postgres waits for each reply before the next). */
let roundTrips = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  roundTrips++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

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

const incidentOn = addDays(todayInCity(), -3);

/** The four requests of one claim, the same for both sides. */
async function lifecycle(base: string, assessor: string, approver: string, event: string, documents: string[], index: number): Promise<void> {
  const claim = await call(base, assessor, '/claims', {
    product: PRODUCT, event, incidentOn, description: '台风致伤', benefits: ['MEDICAL'],
    claimant: { name: `居民${index}`, idNumber: residentId(index), phone: '13800000000', hasMedicalInsurance: index % 3 !== 0, bank: { accountName: `居民${index}`, accountNumber: `62220202${String(index).padStart(8, '0')}`, bankName: '青岛银行' } },
  }, 201);
  await call(base, assessor, `/claims/${claim.id}/survey`, { surveyedOn: incidentOn, findings: '属实', documentsReceived: documents }, 200);
  await call(base, assessor, `/claims/${claim.id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: `BENCH-${index}`, amount: '1250.00', excluded: '50.00' }] }] }, 200);
  const approved = await call(base, approver, `/claims/${claim.id}/approve`, {}, 200);
  if (approved.status !== 'APPROVED') throw new Error(`claim ${claim.id} is ${approved.status}`);
}

/** A system under test: a server, and one job per claim (its 4 requests). */
interface Target {
  job(index: number): Promise<void>;
  check(): Promise<string>;
  close(): Promise<void>;
}

async function approvedSummary(pool: { query(sql: string): Promise<{ rows: any[] }> }): Promise<string> {
  const { rows: [row] } = await pool.query(`SELECT count(*) AS n, sum(approved_total)::text AS total FROM claims WHERE status = 'APPROVED'`);
  return `${row.n} claims APPROVED, ${row.total} yuan`;
}

// ---- The baseline: bare koa + pg, the same four steps. ----

const B_REGISTER = `WITH ev AS (SELECT id FROM claim_events WHERE id = $1::bigint AND type = ANY($2::text[]) AND occurred_on <= $3::date),
  c AS (INSERT INTO claims (product, product_version, policy_year, event_id, status, claimant_name, id_number, phone, has_medical_insurance,
          bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description, benefits, advance_max, created_by)
        SELECT $4, $5, $6, ev.id, 'REPORTED', $7, $8, $9, $10, $11, $12, $13, $3::date, $14::date, $15, $16::text[], 0, $17::bigint FROM ev
         WHERE NOT EXISTS (SELECT FROM claims WHERE id_number = $8 AND event_id = $1::bigint AND product = $4 AND status NOT IN ('REJECTED', 'WITHDRAWN'))
        RETURNING id, number),
  h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, after) SELECT id, $17::bigint, $18, 'register', '{"documents":[]}', $19::jsonb FROM c)
  SELECT id::text, number FROM c`;

const B_SURVEY = `WITH c AS (UPDATE claims SET status = 'SURVEYED',
        documents_complete_on = CASE WHEN documents_complete_on IS NULL AND $2::text[] <@ (ARRAY(SELECT name FROM claim_documents WHERE claim_id = $1::bigint) || $3::text[]) THEN $4::date ELSE documents_complete_on END,
        decision_due_on = CASE WHEN documents_complete_on IS NULL AND $2::text[] <@ (ARRAY(SELECT name FROM claim_documents WHERE claim_id = $1::bigint) || $3::text[]) THEN $4::date + $5::int ELSE decision_due_on END,
        updated_at = now()
       WHERE id = $1::bigint AND status IN ('REPORTED', 'SURVEYED') RETURNING id, status, decision_due_on),
  s AS (INSERT INTO claim_surveys (claim_id, surveyor, surveyed_on, findings, recorded_by) SELECT id, $6, $4::date, $7, $8::bigint FROM c),
  d AS (INSERT INTO claim_documents (claim_id, name, received_on, recorded_by) SELECT c.id, n, $4::date, $8::bigint FROM c, unnest($3::text[]) AS n ON CONFLICT DO NOTHING),
  h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
        SELECT id, $8::bigint, $6, 'survey', $9::jsonb, '{"status":"REPORTED"}', jsonb_build_object('status', status, 'decisionDueOn', decision_due_on) FROM c)
  SELECT id::text, status FROM c`;

const B_ASSESS_READ = `SELECT c.status, c.has_medical_insurance, c.product_version,
   (SELECT COALESCE(json_agg(p), '[]') FROM (
      SELECT i.type, sum(i.approved)::text AS paid, min(i.grade) AS worst_grade, sum(i.deductible_applied)::text AS deductible
        FROM claim_assessment_items i JOIN claim_assessments a ON a.id = i.assessment_id AND a.state = 'APPROVED' JOIN claims pc ON pc.id = a.claim_id
       WHERE pc.id_number = c.id_number AND pc.event_id = c.event_id AND pc.product = c.product GROUP BY i.type) p) AS prior,
   (SELECT COALESCE(json_agg(json_build_object('invoice', r.invoice_number, 'number', rc.number)), '[]')
      FROM reimbursed_invoices r JOIN claims rc ON rc.id = r.claim_id WHERE r.invoice_number = ANY($2::text[])) AS taken,
   nextval('claim_assessments_id_seq')::text AS assessment_id
  FROM claims c WHERE c.id = $1::bigint`;

const B_ASSESS_WRITE = `WITH c AS (UPDATE claims SET status = 'ASSESSED', pending_assessment_id = $2::bigint, pending_total = $3, updated_at = now()
       WHERE id = $1::bigint AND status = 'SURVEYED' RETURNING id, product_version),
  a AS (INSERT INTO claim_assessments (id, claim_id, product_version, state, claimed, total, assessed_by)
        SELECT $2::bigint, id, product_version, 'PENDING', $4::jsonb, $3, $5::bigint FROM c RETURNING id),
  i AS (INSERT INTO claim_assessment_items (assessment_id, position, type, grade, payable, deductible_applied, explanation)
        SELECT a.id, x.position, x.type, x.grade, x.payable, x.deductible, x.explanation
          FROM a, jsonb_to_recordset($6::jsonb) AS x(position int, type text, grade int, payable numeric, deductible numeric, explanation text)),
  r AS (INSERT INTO reimbursed_invoices (invoice_number, claim_id, assessment_id, amount, excluded)
        SELECT x.number, $1::bigint, a.id, x.amount, x.excluded FROM a, jsonb_to_recordset($7::jsonb) AS x(number text, amount numeric, excluded numeric)),
  h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
        SELECT id, $5::bigint, $8, 'assess', $9::jsonb, '{"status":"SURVEYED"}', jsonb_build_object('status', 'ASSESSED', 'pendingTotal', $3::text) FROM c)
  SELECT id::text FROM c`;

const B_APPROVE_READ = `SELECT c.xmin::text AS version, c.status, c.pending_total::text AS pending_total, c.approved_total::text AS approved_total,
   c.advance_paid::text AS advance_paid, c.paid_total::text AS paid_total,
   (SELECT array_agg(DISTINCT a.assessed_by::text) FROM claim_assessments a WHERE a.claim_id = c.id) AS assessors,
   (SELECT json_agg(i.payable::text) FROM claim_assessment_items i WHERE i.assessment_id = c.pending_assessment_id) AS payables
  FROM claims c WHERE c.id = $1::bigint`;

async function bareTarget(url: string): Promise<Target> {
  (await openOrm({ url, poolMax: 1 })).close(true); // the same schema as the service's database
  const policies = loadPolicies(loadConfig({}).paths.policies);
  const terms = policies.versionFor(PRODUCT, incidentOn);
  const documents = requiredDocuments(terms, ['MEDICAL']);
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX });
  // An idle connection is terminated when the bench stops PostgreSQL; that is not a failure of the run.
  pool.on('error', () => undefined);
  const prepared = (name: string, text: string, values: unknown[]) => pool.query({ name, text, values });
  const { rows: [assessorRow] } = await pool.query(`INSERT INTO users (name, role) VALUES ('bare-assessor', 'assessor') RETURNING id::text`);
  const { rows: [approverRow] } = await pool.query(`INSERT INTO users (name, role) VALUES ('bare-approver', 'approver') RETURNING id::text`);
  const { rows: [eventRow] } = await pool.query(`INSERT INTO claim_events (type, name, occurred_on, district, created_by) VALUES ('TYPHOON', '台风 (bench)', $1, '市南区', $2) RETURNING id::text`, [incidentOn, assessorRow.id]);
  const hash = (token: string) => createHash('sha256').update(token).digest('hex');
  const tokens = new Map([[hash('assessor-token'), { id: assessorRow.id as string, name: 'bare-assessor' }], [hash('approver-token'), { id: approverRow.id as string, name: 'bare-approver' }]]);
  const zero = '0.00';
  const snapshot = (status: string, extra: Record<string, unknown> = {}) => ({ status, productVersion: terms.version, pendingTotal: null, approvedTotal: zero, advancePaid: zero, paidTotal: zero, recoveryOwed: zero, benefits: ['MEDICAL'], decisionDueOn: null, paymentDueOn: null, holdReasons: [], firstApprovedBy: null, ...extra });

  const app = new Koa();
  app.use(async (ctx) => {
    const actor = tokens.get(hash((ctx.get('authorization') ?? '').slice(7)));
    if (!actor) return ctx.throw(401);
    // Read with plain listeners, as the service reads a body.
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      ctx.req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
    });
    const body = JSON.parse(raw.toString('utf8'));
    const [, , id, action] = ctx.path.split('/');
    if (id === undefined) {
      const c = body.claimant;
      const { rows: [row] } = await prepared('b_register', B_REGISTER, [
        body.event, terms.coveredEventTypes, body.incidentOn, PRODUCT, terms.version, policyYearOf(body.incidentOn), c.name, c.idNumber, c.phone,
        c.hasMedicalInsurance, c.bank.accountName, c.bank.accountNumber, c.bank.bankName, todayInCity(), body.description, body.benefits, actor.id, actor.name,
        JSON.stringify(snapshot('REPORTED')),
      ]);
      if (!row) ctx.throw(409);
      ctx.status = 201;
      ctx.body = { id: row.id, number: row.number, status: 'REPORTED' };
    } else if (action === 'survey') {
      const { rows: [row] } = await prepared('b_survey', B_SURVEY, [id, documents, body.documentsReceived, body.surveyedOn, terms.statutoryClocks.decisionDays, actor.name, body.findings, actor.id, JSON.stringify(body)]);
      if (!row) ctx.throw(409);
      ctx.body = row;
    } else if (action === 'assessment') {
      const items = body.items.map((item: any) => ({ ...item, invoices: item.invoices.map((v: any) => ({ ...v, amount: new Decimal(v.amount), excluded: new Decimal(v.excluded) })) })) as ClaimedItem[];
      const numbers = body.items.flatMap((item: any) => item.invoices.map((v: any) => normalizeInvoiceNumber(v.number)));
      const { rows: [claim] } = await prepared('b_assess_read', B_ASSESS_READ, [id, numbers]);
      if (!claim || claim.status !== 'SURVEYED') ctx.throw(409);
      const byType = new Map<string, any>(claim.prior.map((p: any) => [p.type, p]));
      const paid = (type: string) => new Decimal(byType.get(type)?.paid ?? 0);
      const result = assess({
        terms, hasMedicalInsurance: claim.has_medical_insurance, items,
        prior: {
          deathDisabilityPaid: paid('DEATH').plus(paid('DISABILITY')), worstDisabilityGradePaid: byType.get('DISABILITY')?.worst_grade ?? null, medicalPaid: paid('MEDICAL'),
          medicalDeductibleUsed: new Decimal(byType.get('MEDICAL')?.deductible ?? 0), funeralPaid: paid('FUNERAL'), resettlementPaid: paid('RESETTLEMENT'),
          livingAidPaid: paid('LIVING_AID'), reimbursedInvoices: new Map(claim.taken.map((t: any) => [t.invoice, t.number])),
        },
      });
      const lines = result.items.map((item, position) => ({ position, type: item.type, grade: item.grade ?? null, payable: formatMoney(item.payable), deductible: formatMoney(item.deductibleApplied ?? new Decimal(0)), explanation: item.explanation }));
      const invoices = result.items.flatMap((item) => (item.invoices ?? []).filter((v) => v.counted)).map((v) => ({ number: v.number, amount: formatMoney(v.amount), excluded: formatMoney(v.excluded) }));
      const total = formatMoney(result.total);
      const { rows: [row] } = await prepared('b_assess_write', B_ASSESS_WRITE, [id, claim.assessment_id, total, JSON.stringify(body.items), actor.id, JSON.stringify(lines), JSON.stringify(invoices), actor.name, JSON.stringify({ assessmentId: claim.assessment_id, total })]);
      if (!row) ctx.throw(409);
      ctx.body = { claimId: id, status: 'ASSESSED', total };
    } else {
      const { rows: [claim] } = await prepared('b_approve_read', B_APPROVE_READ, [id]);
      if (!claim || claim.status !== 'ASSESSED' || claim.assessors.includes(actor.id)) ctx.throw(409);
      const amount = sum(claim.payables.map((p: string) => new Decimal(p)));
      if (amount.gt(terms.twoApprovalsAbove)) ctx.throw(409, 'the bench assesses below the two-approval threshold');
      const today = todayInCity();
      const approvedTotal = new Decimal(claim.approved_total).plus(amount);
      const paymentDueOn = addDays(today, terms.statutoryClocks.paymentDays);
      const recoveryOwed = Decimal.max(0, new Decimal(claim.advance_paid).plus(claim.paid_total).minus(approvedTotal));
      const { rows: [outcome] } = await prepared('b_approve', 'SELECT o_outcome FROM claims_approve_within_limits($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)', [
        id, claim.version, 'ONLY', actor.id, actor.name, 'approve', claim.pending_total, formatMoney(amount), terms.perEventLimit && formatMoney(terms.perEventLimit),
        formatMoney(terms.annualAggregate), 'APPROVED', today, paymentDueOn, formatMoney(recoveryOwed), JSON.stringify({ amount: formatMoney(amount) }),
        JSON.stringify(snapshot('ASSESSED', { pendingTotal: claim.pending_total })), JSON.stringify(snapshot('APPROVED', { approvedTotal: formatMoney(approvedTotal), approvedOn: today, paymentDueOn })),
      ]);
      if (outcome.o_outcome !== 'GRANTED') ctx.throw(409, outcome.o_outcome);
      ctx.body = { id, status: 'APPROVED', approved: formatMoney(approvedTotal) };
    }
  });
  const { server, base } = await listen(app);
  return {
    job: (index) => lifecycle(base, 'assessor-token', 'approver-token', eventRow.id, documents, index),
    check: () => approvedSummary(pool),
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

/** The real service: routes, auth, validation, the claims engine, one event for every claim (its counters are hot). */
async function claimsTarget(url: string): Promise<Target> {
  const config = { ...loadConfig({}), databaseUrl: url, dbPoolMax: POOL_MAX };
  const orm = await openOrm({ url, poolMax: POOL_MAX });
  const services = buildServices(orm, config);
  // --cache-tokens: token lookups answered from a Map, to see the service without them (a token cache's effect).
  const cached = new Map<string, Promise<Actor | null>>();
  const authenticate = process.argv.includes('--cache-tokens')
    ? (t: string) => cached.get(t) ?? (cached.set(t, services.users.authenticate(t)), cached.get(t)!)
    : (t: string) => services.users.authenticate(t);
  const app = createApp({ routes: allRoutes(services, config), log: pino({ level: 'silent' }), authenticate, idempotency: services.idempotency, limits: config.limits });
  const { server, base } = await listen(app);
  const admin = (await services.users.bootstrapAdmin())!;
  const assessor = (await call(base, admin, '/users', { name: 'bench-assessor', role: 'assessor' }, 201)).token;
  const approver = (await call(base, admin, '/users', { name: 'bench-approver', role: 'approver' }, 201)).token;
  const event = (await call(base, assessor, '/events', { type: 'TYPHOON', name: '台风 (bench)', occurredOn: incidentOn, district: '市南区' }, 201)).id;
  const documents = requiredDocuments(services.policies.versionFor(PRODUCT, incidentOn), ['MEDICAL']);
  return {
    job: (index) => lifecycle(base, assessor, approver, event, documents, index),
    check: () => orm.em.getConnection().execute(`SELECT count(*) AS n, sum(approved_total)::text AS total FROM claims WHERE status = 'APPROVED'`).then(([row]) => `${row.n} claims APPROVED, ${row.total} yuan`),
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
  const claims = flag('claims', 3_000);
  const concurrency = flag('concurrency', 16);
  const rounds = flag('rounds', 4);
  const bench = await startBenchPostgres();
  const bare = await bareTarget(await bench.database('bench_bare'));
  const ours = await claimsTarget(await bench.database('bench_claims'));
  try {
    console.log(`claims over HTTP vs bare koa + pg doing the same four steps (embedded PostgreSQL, fsync on; ${fmt(claims)} claims each side, concurrency ${concurrency}, pool ${POOL_MAX}, ${rounds} alternating rounds${process.argv.includes('--cache-tokens') ? ', service tokens cached in the bench' : ''})`);
    const warmup = Math.min(100, claims);
    await drive(warmup, concurrency, (i) => bare.job(claims + i));
    await drive(warmup, concurrency, (i) => ours.job(claims + i)); // other people than the measured claims
    const total = { bare: 0, ours: 0 };
    const trips = { bare: 0, ours: 0 };
    for (let round = 0; round < rounds; round++) {
      const from = Math.floor((claims * round) / rounds);
      const count = Math.floor((claims * (round + 1)) / rounds) - from;
      let before = roundTrips;
      const b = (await timed(() => drive(count, concurrency, (i) => bare.job(from + i)))).seconds;
      trips.bare += roundTrips - before;
      before = roundTrips;
      const o = (await timed(() => drive(count, concurrency, (i) => ours.job(from + i)))).seconds;
      trips.ours += roundTrips - before;
      total.bare += b;
      total.ours += o;
      console.log(`  round ${round + 1}: baseline ${fmt(count / b, 1)} claims/s, service ${fmt(count / o, 1)} claims/s (ratio ${fmt(b / o, 3)})`);
    }
    console.log(`  check: service ${await ours.check()}; baseline ${await bare.check()} (${fmt(warmup)} of each warm-up)`);
    console.log(`  round trips per claim: service ${fmt(trips.ours / claims, 2)}, baseline ${fmt(trips.bare / claims, 2)}`);
    const service = claims / total.ours;
    const baseline = claims / total.bare;
    console.log(`service ${fmt(service, 1)} claims/s, baseline ${fmt(baseline, 1)} claims/s, ratio ${fmt(service / baseline, 3)}, round trips per claim ${fmt(trips.ours / claims, 2)}`);
  } finally {
    await ours.close();
    await bare.close();
    await bench.stop();
  }
}

await main();
