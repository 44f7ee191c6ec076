/**
 * The long reliability suite behind `npm run reliability`: the service started the README way as a child
 * process, then the invariant run, the crash runs, the fuzzing and the permission matrix, bounded by
 * RELIABILITY_SECONDS (default 120) and RELIABILITY_CRASHES (default 3); RELIABILITY_SEED replays a run.
 * Ends with ONE summary line; the exit status is non-zero when anything failed.
 */
import { crashRun } from './crash.js';
import { formatViolations, fuzzRoutes, oversizedBodies } from './fuzz.js';
import { checkInvariants } from './invariants.js';
import { runLoad } from './load.js';
import { STOCK_OPERATIONS } from './operations.js';
import { checkPermissions, matrixFixture } from './permissions.js';
import { startChildService } from './service.js';
import { buildWorld } from './world.js';

export interface Summary {
  operations: number;
  faults: number;
  inputs: number;
  invariants: number;
  failures: string[];
  seconds: number;
  seed: number;
}

export function summaryLine(s: Summary): string {
  return `reliability: ${s.operations} operations, ${s.faults} faults injected, ${s.inputs} inputs tried, ${s.invariants} invariants checked, ${s.failures.length} failures (seed ${s.seed}, ${s.seconds} s)`;
}

export async function runSuite(env: NodeJS.ProcessEnv = process.env, say: (line: string) => void = () => undefined): Promise<Summary> {
  const budget = Number(env.RELIABILITY_SECONDS ?? 120);
  const crashes = Number(env.RELIABILITY_CRASHES ?? 3);
  const seed = Number(env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
  const started = Date.now();
  const summary: Summary = { operations: 0, faults: 0, inputs: 0, invariants: 0, failures: [], seconds: 0, seed };
  const fail = (part: string, lines: string[]) => summary.failures.push(...lines.map((l) => `[${part}] ${l}`));

  // 1. Invariant run: about 40 % of the budget of concurrent load, then the invariants.
  say(`invariant run: ${Math.round(budget * 0.4)} s of load`);
  const service = await startChildService();
  try {
    const world = await buildWorld(service, { prefix: 'INV' });
    const load = await runLoad(service, world, STOCK_OPERATIONS, { seconds: budget * 0.4, concurrency: 8, seed, idempotencyKeys: false });
    summary.operations += load.requests;
    fail('invariants', load.failures);
    const inv = await checkInvariants(service);
    summary.invariants += inv.checked;
    fail('invariants', inv.failures);
    say(`  ${load.requests} requests, ${inv.checked} invariants, ${load.failures.length + inv.failures.length} failures`);

    // 2. Permission matrix and fuzzing on the same service (after the load: a database with history).
    say('permission matrix');
    const fx = await matrixFixture(service, 'PM');
    const openapi = (await service.request('GET', '/openapi.json')).body;
    const matrix = await checkPermissions(service, fx, openapi);
    summary.inputs += matrix.checked;
    fail('permissions', matrix.failures);
    say(`  ${matrix.checked} route × role checks, ${matrix.failures.length} failures`);

    say(`fuzzing: about ${Math.round(budget * 0.3)} s`);
    const fuzzStarted = Date.now();
    let round = 0;
    while (round === 0 || Date.now() - fuzzStarted < budget * 300) {
      const fuzz = await fuzzRoutes(service, openapi, { runsPerRoute: 10, seed: seed + round++ * 1000, tokens: fx.tokens });
      summary.inputs += fuzz.inputs;
      fail('fuzz', formatViolations(fuzz.violations));
    }
    const big = await oversizedBodies(service, openapi, fx.tokens, 3 * 1024 * 1024);
    summary.inputs += big.inputs;
    fail('fuzz', formatViolations(big.violations));
    const after = await checkInvariants(service);
    summary.invariants += after.checked;
    fail('fuzz', after.failures);
    say(`  ${round} rounds, ${summary.inputs} inputs so far`);
  } finally {
    await service.close();
  }

  // 3. Crash runs: kill -9 in the middle of the load, restart, checks.
  say(`crash run: ${crashes} × kill -9`);
  const crash = await crashRun({ crashes, loadMs: Math.max(2000, (budget * 300) / Math.max(1, crashes)), concurrency: 6, seed });
  summary.operations += crash.requests + crash.retried;
  summary.faults += crash.faults;
  summary.invariants += crash.invariantsChecked;
  fail('crash', crash.failures);
  say(`  ${crash.requests} requests, ${crash.unknownAtCrash} unknown at the crash, ${crash.stuckKeys} keys stuck in progress after restart`);

  summary.seconds = Math.round((Date.now() - started) / 1000);
  return summary;
}
