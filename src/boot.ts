import './shared/decimal.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { openOrm } from './db/orm.js';
import { applyGrants, embeddedLogins, ensureOwnedDatabase, ensureRoles, refuseSuperuser, roleFacts, roleOf, urlAs } from './db/roles.js';
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
  let ownerUrl = config.databaseOwnerUrl ?? url;
  let database = 'external PostgreSQL (DATABASE_URL)';
  if (!url) {
    const pgLog = log.child({ component: 'postgres' });
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (line) => pgLog.debug(line) });
    stopEmbedded = embedded.stop;
    try {
      const roles = await prepareEmbeddedRoles(embedded.url, config.dataDir);
      url = roles.serviceUrl;
      ownerUrl = roles.ownerUrl;
    } catch (error) {
      await stopEmbedded();
      throw error;
    }
    database = `embedded PostgreSQL in ${config.dataDir} (port ${new URL(url).port})`;
  }
  try {
    const orm = await openServiceOrm({ url, ownerUrl: ownerUrl!, poolMax: config.dbPoolMax, allowSuperuser: config.allowSuperuser, log });
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

/** The embedded cluster's two roles and the application database, owned by the owner: their URLs. */
export async function prepareEmbeddedRoles(superUrl: string, dataDir: string): Promise<{ ownerUrl: string; serviceUrl: string }> {
  const { owner, service } = await embeddedLogins(dataDir);
  await ensureRoles(superUrl, owner, service);
  await ensureOwnedDatabase(superUrl, APP_DATABASE, owner.name);
  return { ownerUrl: urlAs(superUrl, owner, APP_DATABASE), serviceUrl: urlAs(superUrl, service, APP_DATABASE) };
}

export interface ServiceOrmOptions {
  /** The service's connection. */
  url: string;
  /** The owner's connection: migrations and grants. The same as `url` when only DATABASE_URL is given. */
  ownerUrl: string;
  poolMax: number;
  allowSuperuser: boolean;
  log?: Logger;
}

/**
 * Migrations as the owner, then the grants (when the service is another role), then the service's own
 * pool, which must not be a superuser unless allowed.
 */
export async function openServiceOrm(options: ServiceOrmOptions): Promise<MikroORM> {
  const separate = options.ownerUrl !== options.url;
  if (separate) {
    const owner = await openOrm({ url: options.ownerUrl, poolMax: 1 });
    await owner.close(true);
    await applyGrants(options.ownerUrl, roleOf(options.url));
  }
  const orm = await openOrm({ url: options.url, poolMax: options.poolMax, migrate: !separate });
  try {
    const facts = await roleFacts((sql) => orm.em.getConnection().execute(sql));
    refuseSuperuser(facts, options.allowSuperuser);
    if (facts.ownsLedger && !facts.superuser) {
      options.log?.warn({ role: facts.role }, 'the service connects as the owner of the ledger tables, which could disable their triggers: set DATABASE_OWNER_URL and run the service as an ordinary role (scripts/grants.sql)');
    }
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}
