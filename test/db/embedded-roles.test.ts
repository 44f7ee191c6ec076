// Proves the embedded start as `npm start` does it: both roles are created, the application database and every table belong to the owner, the service connects as the ordinary service role, and the server does not inherit the service's secrets (a superuser running `env` through COPY FROM PROGRAM finds no LEDGER_SIGNING_KEY or ADMIN_TOKEN), and, run as root, the signing key file in DATA_DIR is out of its reach.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DATABASE, openServiceOrm, prepareEmbeddedRoles } from '../../src/boot.js';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { OWNER_ROLE, SERVICE_ROLE } from '../../src/db/roles.js';
import { loadSigningKey } from '../../src/ledger-digest/signing.js';

const MARKER = 'never-in-the-database-0f3a';
let dataDir: string;
let server: RunningPostgres;
let urls: { ownerUrl: string; serviceUrl: string };

async function query(url: string, sql: string): Promise<any[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relief-roles-'));
  await chmod(dataDir, 0o755);
  process.env.LEDGER_SIGNING_KEY = `-----BEGIN PRIVATE KEY-----${MARKER}`;
  process.env.ADMIN_TOKEN = `${MARKER}-admin`;
  try {
    server = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
  } finally {
    delete process.env.LEDGER_SIGNING_KEY;
    delete process.env.ADMIN_TOKEN;
  }
  urls = await prepareEmbeddedRoles(server.url, dataDir);
  const orm = await openServiceOrm({ url: urls.serviceUrl, ownerUrl: urls.ownerUrl, poolMax: 1, allowSuperuser: false });
  await orm.close(true);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded start', () => {
  it('makes the owner own the database and its tables, and serves as the ordinary service role', async () => {
    const superApp = new URL(server.url);
    superApp.pathname = `/${APP_DATABASE}`;
    const [owners] = await query(superApp.toString(), `SELECT pg_get_userbyid(d.datdba) AS database,
        (SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')) AS tables
      FROM pg_database d WHERE d.datname = '${APP_DATABASE}'`);
    expect(owners).toEqual({ database: OWNER_ROLE, tables: OWNER_ROLE });
    const [me] = await query(urls.serviceUrl, `SELECT current_user AS role, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user`);
    expect(me).toEqual({ role: SERVICE_ROLE, rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });

  it('keeps the service\'s secrets out of the server\'s environment, where a superuser could read them', async () => {
    // A superuser may run programs as the server's OS user (COPY … FROM PROGRAM): they inherit its environment.
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    let environ: string;
    try {
      await client.query(`CREATE TEMP TABLE environ (line text); COPY environ FROM PROGRAM 'env' WITH (FORMAT text, DELIMITER E'\\x01')`);
      environ = (await client.query(`SELECT string_agg(line, E'\\n') AS text FROM environ`)).rows[0].text;
    } finally {
      await client.end();
    }
    expect(environ).toContain('PATH=');
    expect(environ).not.toContain(MARKER);
  });

  // As root the embedded server runs as the "postgres" user, which cannot read the key file (root's, mode 600).
  it.runIf(process.getuid?.() === 0)('leaves the signing key file in DATA_DIR out of a superuser\'s reach', async () => {
    const keyFile = join(dataDir, 'ledger-signing-key.pem');
    await loadSigningKey({ keyFile });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE stolen (line text)');
      await expect(client.query(`COPY stolen FROM PROGRAM 'cat ${keyFile}'`)).rejects.toThrow(/program "cat .*" failed/);
      await expect(client.query(`SELECT pg_read_file('${keyFile}')`)).rejects.toThrow(/Permission denied/);
    } finally {
      await client.end();
    }
  });
});
