// Starts one embedded PostgreSQL for the whole run and prepares a migrated template database;
// every test file then clones the template (fast) so files never see each other's data.
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import '../../src/shared/decimal.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { ensureDatabase, openOrm } from '../../src/db/orm.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'relief_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-test-'));
  await chmod(dataDir, 0o755);
  const port = 56000 + Math.floor(Math.random() * 2000);
  const pg = await startEmbeddedPostgres({ dataDir, port, fast: true });
  const templateUrl = await ensureDatabase(pg.url, TEMPLATE_DATABASE);
  const orm = await openOrm({ url: templateUrl, poolMax: 2 });
  await orm.close(true);
  project.provide('pgServerUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
