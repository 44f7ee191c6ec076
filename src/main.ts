import './shared/decimal.js';
import type { Server } from 'node:http';
import { openSystem } from './boot.js';
import { loadConfig } from './config.js';
import { answerClientErrors, createApp } from './http/app.js';
import { allRoutes } from './http/routes/index.js';
import { consoleFiles } from './http/console.js';
import { createLogger } from './logger.js';
import { loadSampleDataIfEmpty } from './sample-data.js';

/** Composition root: config → database → services → HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const system = await openSystem(config, log);
  let server: Server | null = null;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    system.services.backups.stopSchedule();
    system.services.allocations.stopExpiry();
    system.services.ledgerDigest.stopSchedule();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await system.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    const { users } = system.services;
    if (config.adminToken) await users.ensureAdminToken(config.adminToken);
    const firstToken = config.adminToken ? null : await users.bootstrapAdmin();
    if (firstToken) {
      // Printed once, on the first start only: the database keeps just its hash.
      process.stdout.write(`\n  First start: an administrator "admin" was created.\n  Its API token (shown only now): ${firstToken}\n\n`);
    }
    await loadSampleDataIfEmpty(system.services, config, log);
    // Reservations that ran out while the service was down are released before it takes requests.
    const { allocations } = system.services;
    const expired = await allocations.orders.expireDue();
    if (expired > 0) log.info({ expired }, 'expired allocation reservations released on start');
    allocations.startExpiry(60_000, (error) => log.error({ err: error }, 'releasing expired allocation reservations failed'));
    const app = createApp({ routes: allRoutes(system.services, config), log, authenticate: (t) => users.authenticate(t), sessions: system.services.sessions, console: await consoleFiles(log), idempotency: system.services.idempotency, limits: config.limits, authThrottle: config.authThrottle, hsts: config.hsts, metrics: system.services.metrics });
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      answerClientErrors(s);
      s.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`port ${config.port} is already in use; stop the other program or set PORT`) : error),
      );
    });
    log.info({ port: config.port, database: system.database }, `listening on http://localhost:${config.port} (console at /, OpenAPI at /openapi.json)`);
    // BACKUP_DIR + BACKUP_EVERY: the service backs itself up; GET /health shows the age of the newest backup.
    system.services.backups.startSchedule(log.child({ component: 'backup' }));
    // A signed ledger digest goes to the log outside the database at least every LEDGER_DIGEST_EVERY (and at every month-end close).
    system.services.ledgerDigest.startSchedule((error) => log.error({ err: error }, 'appending the scheduled ledger digest failed'));
  } catch (error) {
    await system.close();
    throw error;
  }
}

main().catch((error: Error) => {
  process.stderr.write(`cannot start: ${error.message}\n`);
  process.exit(1);
});
