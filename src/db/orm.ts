import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, defineConfig } from '@mikro-orm/postgresql';
import pg from 'pg';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';

// numeric columns come back as strings and are turned into Decimal by DecimalType; bigint ids stay strings.
// int8 counts (COUNT(*)) are parsed as strings too: callers convert where they need a number.

export interface OrmOptions {
  url: string;
  poolMax: number;
  /** Apply pending migrations on open (default true); false when the URL is the service role, which may not. */
  migrate?: boolean;
}

export function ormConfig(options: OrmOptions) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax },
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // The schema is owned by the hand-written migrations, never generated from entities.
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    debug: false,
    forceUtcTimezone: true,
    // dynamic import must come from this module so vitest's loader resolves it.
    dynamicImportProvider: (id: string) => import(id),
  });
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  if (options.migrate !== false) await orm.getMigrator().up();
  return orm;
}

/** Creates the application database on a server if it does not exist yet (embedded start-up). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
