/**
 * Crash run: the stock load with an Idempotency-Key on every POST against the service run as a child
 * process, `kill -9` in the middle, a restart with the same command, then the checks: every 2xx is
 * present exactly once, every key sent before the crash answers its first reply again (replayed) or
 * does the work exactly once, no key is left "in progress", and the ledger invariants hold.
 */
import { isDeepStrictEqual } from 'node:util';
import { checkInvariants } from './invariants.js';
import { runLoad, type Sent } from './load.js';
import { STOCK_OPERATIONS } from './operations.js';
import { Rng } from './random.js';
import { startChildService, type ChildService } from './service.js';
import { buildWorld } from './world.js';

export interface CrashOptions {
  /** Crash cycles: load, kill -9, restart, checks. */
  crashes: number;
  /** Longest time the load runs before the kill (the kill falls at a random moment within it). */
  loadMs: number;
  concurrency: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  ops: number;
  requests: number;
  faults: number;
  retried: number;
  invariantsChecked: number;
  failures: string[];
  /** Keys that answered 409 IDEMPOTENCY_IN_PROGRESS after the restart (also listed in failures). */
  stuckKeys: number;
  /** Requests whose outcome was unknown at the crash (connection lost). */
  unknownAtCrash: number;
}

export async function crashRun(options: CrashOptions): Promise<CrashReport> {
  const report: CrashReport = { ops: 0, requests: 0, faults: 0, retried: 0, invariantsChecked: 0, failures: [], stuckKeys: 0, unknownAtCrash: 0 };
  const service = await startChildService({ log: options.log });
  try {
    const world = await buildWorld(service, { prefix: 'CRASH' });
    const rng = new Rng(options.seed);
    for (let cycle = 1; cycle <= options.crashes; cycle++) {
      let kill!: () => void;
      const stop = new Promise<void>((resolve) => (kill = resolve));
      const killAt = Math.round(options.loadMs * (0.4 + 0.6 * rng.next()));
      const timer = setTimeout(() => {
        kill(); // the load marks lost connections as expected from here on
        void service.kill9().then(() => report.faults++);
      }, killAt);
      const load = runLoad(service, world, STOCK_OPERATIONS, { seconds: 3600, concurrency: options.concurrency, seed: options.seed + cycle, idempotencyKeys: true, stop });
      const result = await load;
      clearTimeout(timer);
      while (service.child) await new Promise((resolve) => setTimeout(resolve, 20));
      report.ops += result.ops;
      report.requests += result.requests;
      report.failures.push(...result.failures.map((f) => `cycle ${cycle} load: ${f}`));
      await service.restart();
      const after = await checkAfterRestart(service, result.journal, report);
      report.failures.push(...after.map((f) => `cycle ${cycle}: ${f}`));
      // Requests made before the crash are settled now: forget open work whose state is unknown.
      world.transfers = [];
      world.stocktakes = [];
      world.allocations = [];
    }
  } finally {
    await service.close();
  }
  return report;
}

const ALLOCATION_OPS = new Set(['allocate', 'dispatch-allocation', 'cancel-allocation', 'approve-override']);
const effective = (sent: Sent, retry: { status: number; body: any } | null) => sent.reply ?? retry ?? null;

async function checkAfterRestart(service: ChildService, journal: Sent[], report: CrashReport): Promise<string[]> {
  const failures: string[] = [];
  const retries = new Map<Sent, { status: number; body: any }>();
  for (const sent of journal) {
    if (!sent.key) continue;
    if (!sent.reply) report.unknownAtCrash++;
    report.retried++;
    const retry = await service.request('POST', sent.path, {
      token: sent.actor.token, raw: sent.raw, headers: { 'content-type': 'application/json', 'idempotency-key': sent.key },
    });
    const replayed = retry.headers.get('idempotent-replayed') === 'true';
    const what = `${sent.op} POST ${sent.path} key ${sent.key}`;
    if (retry.status === 409 && retry.body?.error?.code === 'IDEMPOTENCY_IN_PROGRESS') {
      report.stuckKeys++;
      failures.push(`${what}: stuck after the restart, 409 IDEMPOTENCY_IN_PROGRESS (before the crash: ${sent.reply ? sent.reply.status : `no reply, ${sent.error}`})`);
      continue;
    }
    if (retry.status >= 500) failures.push(`${what}: retry → ${retry.status} ${JSON.stringify(retry.body).slice(0, 200)}`);
    if (sent.reply) {
      if (!replayed || retry.status !== sent.reply.status || !isDeepStrictEqual(retry.body, sent.reply.body)) {
        failures.push(`${what}: first reply ${sent.reply.status}, retry ${retry.status} replayed=${replayed} ${JSON.stringify(retry.body).slice(0, 200)}`);
      }
    } else {
      retries.set(sent, { status: retry.status, body: retry.body });
      // A second retry must now replay what the first retry answered.
      const again = await service.request('POST', sent.path, { token: sent.actor.token, raw: sent.raw, headers: { 'content-type': 'application/json', 'idempotency-key': sent.key } });
      if (again.headers.get('idempotent-replayed') !== 'true' || again.status !== retry.status || !isDeepStrictEqual(again.body, retry.body)) {
        failures.push(`${what}: retried twice after the crash, answers differ: ${retry.status} then ${again.status} replayed=${again.headers.get('idempotent-replayed')}`);
      }
    }
  }

  // Exactly once: a document carrying a request's marker exists once if the request succeeded, never if refused.
  const markers = await service.sql<{ marker: string; n: string }>(
    `SELECT marker, count(*)::text AS n FROM (SELECT reference AS marker FROM stock_documents WHERE reference IS NOT NULL UNION ALL SELECT reason FROM stock_documents WHERE reason IS NOT NULL AND type <> 'RECEIPT') m GROUP BY marker`,
  );
  const counts = new Map(markers.map((row) => [row.marker, Number(row.n)]));
  for (const sent of journal) {
    if (!sent.marker) continue;
    const reply = effective(sent, retries.get(sent) ?? null);
    if (!reply) continue; // stuck: reported above
    const expected = reply.status >= 200 && reply.status < 300 ? 1 : 0;
    const found = counts.get(sent.marker) ?? 0;
    if (found !== expected) failures.push(`${sent.op} ${sent.marker}: ${found} documents for a request answered ${reply.status} (expected ${expected})`);
  }
  // Every 2xx document reply names a document that exists.
  for (const sent of journal) {
    const reply = effective(sent, retries.get(sent) ?? null);
    if (!reply || reply.status < 200 || reply.status >= 300 || typeof reply.body?.id !== 'string' || sent.op === 'stocktake-open' || sent.op === 'stocktake-count') continue;
    if (ALLOCATION_OPS.has(sent.op)) {
      // An order's id is an allocation; its dispatch documents are stock documents.
      const [order] = await service.sql('SELECT count(*)::int AS n FROM allocations WHERE id = $1', [reply.body.id]);
      if (order.n !== 1) failures.push(`${sent.op}: replied 2xx with allocation ${reply.body.id}, which is not stored`);
      for (const document of reply.body.documents ?? []) {
        const [row] = await service.sql('SELECT count(*)::int AS n FROM stock_documents WHERE id = $1', [document.documentId]);
        if (row.n !== 1) failures.push(`${sent.op}: replied 2xx with document ${document.documentId}, which is not stored`);
      }
      continue;
    }
    const [row] = await service.sql('SELECT count(*)::int AS n FROM stock_documents WHERE id = $1', [reply.body.id]);
    if (row.n !== 1) failures.push(`${sent.op}: replied 2xx with document ${reply.body.id}, which is not stored`);
  }
  // Settling documents are at most one per transfer and per stocktake.
  const twice = await service.sql(`
    SELECT 'transfer ' || transfer_id AS what, count(*) AS n FROM stock_documents WHERE type IN ('TRANSFER_RECEIVE', 'TRANSFER_CANCEL') GROUP BY transfer_id HAVING count(*) > 1
    UNION ALL SELECT 'stocktake ' || stocktake_id, count(*) FROM stock_documents WHERE type = 'STOCKTAKE' GROUP BY stocktake_id HAVING count(*) > 1`);
  for (const row of twice) failures.push(`${row.what} settled by ${row.n} documents`);

  const invariants = await checkInvariants(service);
  report.invariantsChecked += invariants.checked;
  failures.push(...invariants.failures);
  return failures;
}
