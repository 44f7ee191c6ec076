/**
 * Least privilege in the database. Migrations run as an owner role; the service runs as a separate
 * role with the grants of scripts/grants.sql (read everything, add everything, change and delete only
 * projections and working tables, never a ledger row). The embedded start creates both roles; for an
 * external database the README hands the same SQL file to the administrator.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withClient } from './raw-connection.js';
import { PROJECT_ROOT } from '../config.js';

export const OWNER_ROLE = 'relief_owner';
export const SERVICE_ROLE = 'relief_app';

export interface RoleLogin {
  name: string;
  password: string;
}

/** The grants step: the one SQL file the README gives for DATABASE_URL, run here as the owner after the migrations. */
export const GRANTS_FILE = join(PROJECT_ROOT, 'scripts', 'grants.sql');

let grantsSql: string | undefined;

export async function applyGrants(ownerUrl: string, serviceRole: string): Promise<void> {
  grantsSql ??= readFileSync(GRANTS_FILE, 'utf8');
  await withClient(ownerUrl, async (client) => {
    await client.query(`SELECT set_config('relief.service_role', $1, false)`, [serviceRole]);
    await client.query(grantsSql!);
  });
}

/** A URL with another role's login in it. */
export function urlAs(url: string, login: RoleLogin, database?: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(login.name);
  u.password = encodeURIComponent(login.password);
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

/** The role name in a connection URL. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Creates (or re-passwords) the owner and service roles on a server, as its superuser. The service role
 * is an ordinary login role: no superuser, no CREATEDB/CREATEROLE, no replication, no RLS bypass, and
 * not a member of the owner.
 */
export async function ensureRoles(superUrl: string, owner: RoleLogin, service: RoleLogin): Promise<void> {
  await withClient(superUrl, async (client) => {
    for (const role of [owner, service]) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      const verb = found.rowCount ? 'ALTER' : 'CREATE';
      const password = (await client.query<{ q: string }>('SELECT quote_literal($1) AS q', [role.password])).rows[0]!.q;
      await client.query(`${verb} ROLE ${ident(role.name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${password}`);
    }
    await client.query(`REVOKE ${ident(owner.name)} FROM ${ident(service.name)}`).catch(() => undefined);
  });
}

/**
 * The application database, owned by the owner role. A database made before the roles existed (or
 * restored by the superuser) has its tables, sequences, views and functions handed to the owner, so the
 * owner can migrate and grant and nothing stays the superuser's.
 */
export async function ensureOwnedDatabase(superUrl: string, database: string, owner: string): Promise<void> {
  await withClient(superUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(owner)} ENCODING 'UTF8' TEMPLATE template0`);
    else await client.query(`ALTER DATABASE ${ident(database)} OWNER TO ${ident(owner)}`);
  });
  const u = new URL(superUrl);
  u.pathname = `/${database}`;
  await withClient(u.toString(), async (client) => {
    await client.query(`SELECT set_config('relief.owner_role', $1, false)`, [owner]);
    await client.query(HAND_OVER_SQL);
  });
}

const HAND_OVER_SQL = `
DO $handover$
DECLARE
  owner text := current_setting('relief.owner_role');
  o record;
BEGIN
  FOR o IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = owner)
      -- a sequence that belongs to a column moves with its table
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER %s %I OWNER TO %I', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, o.relname, owner);
  END LOOP;
  FOR o IN
    SELECT p.oid::regprocedure AS signature, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = owner)
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I', CASE o.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, o.signature, owner);
  END LOOP;
END
$handover$`;

/** Role passwords of the embedded cluster, kept beside the superuser's in DATA_DIR (mode 600). */
export async function embeddedLogins(dataDir: string): Promise<{ owner: RoleLogin; service: RoleLogin }> {
  return {
    owner: { name: OWNER_ROLE, password: await readOrCreateSecret(join(dataDir, '.pg-owner-password')) },
    service: { name: SERVICE_ROLE, password: await readOrCreateSecret(join(dataDir, '.pg-service-password')) },
  };
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(18).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface RoleFacts {
  role: string;
  superuser: boolean;
  /** The role owns the ledger's tables: it could ALTER them or disable their triggers. */
  ownsLedger: boolean;
}

export async function roleFacts(query: (sql: string) => Promise<unknown[]>): Promise<RoleFacts> {
  const rows = (await query(`
    SELECT current_user AS role, r.rolsuper AS superuser,
           coalesce(pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass('public.stock_movements')), 'USAGE'), false) AS owns_ledger
    FROM pg_roles r WHERE r.rolname = current_user`)) as { role: string; superuser: boolean; owns_ledger: boolean }[];
  const row = rows[0]!;
  return { role: row.role, superuser: row.superuser, ownsLedger: row.owns_ledger };
}

/** A superuser can switch off every guarantee of the ledger (triggers, replication role): refused unless asked for. */
export function refuseSuperuser(facts: RoleFacts, allowSuperuser: boolean): void {
  if (facts.superuser && !allowSuperuser) {
    throw new Error(
      `the service connects as "${facts.role}", a PostgreSQL superuser, which can disable the ledger's triggers and rewrite its rows. ` +
        `Connect DATABASE_URL as an ordinary role with the grants of scripts/grants.sql (and give the owner's URL as DATABASE_OWNER_URL for migrations), ` +
        `or set ALLOW_SUPERUSER=1 to run as the superuser anyway.`,
    );
  }
}


function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
