import './shared/decimal.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { ensureDatabase, openOrm } from './db/orm.js';
import { buildServices, type Services } from './services.js';

export interface System {
  services: Services;
  orm: MikroORM;
  /** Where the data lives, for the start-up message. */
  database: string;
  close(): Promise<void>;
}

/** The application database inside the embedded cluster (a restore into a data folder creates the same). */
export const APP_DATABASE = 'relief';

/** Database (embedded unless DATABASE_URL is set) → migrations → services. Used by the service, the CLI and the tests. */
export async function openSystem(config: Config, log: Logger): Promise<System> {
  let stopEmbedded: (() => Promise<void>) | null = null;
  let url = config.databaseUrl;
  let database = 'external PostgreSQL (DATABASE_URL)';
  if (!url) {
    const pgLog = log.child({ component: 'postgres' });
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (line) => pgLog.debug(line) });
    stopEmbedded = embedded.stop;
    url = await ensureDatabase(embedded.url, APP_DATABASE);
    database = `embedded PostgreSQL in ${config.dataDir} (port ${new URL(url).port})`;
  }
  try {
    const orm = await openOrm({ url, poolMax: config.dbPoolMax });
    const services = buildServices(orm, config);
    return {
      services, orm, database,
      async close() {
        await orm.close(true);
        await stopEmbedded?.();
      },
    };
  } catch (error) {
    await stopEmbedded?.();
    throw error;
  }
}
