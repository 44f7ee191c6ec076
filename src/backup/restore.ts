/**
 * Restore, all or nothing. The file's checksum is verified before anything is created; then the backup
 * is loaded into a place that is not yet the target — a sibling temporary data folder for the embedded
 * cluster, renamed onto the target only after the proof passed — or, for an external database, into
 * the empty database itself, whose every new object is dropped again if any step fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { withClient } from '../db/raw-connection.js';
import { APP_DATABASE } from '../boot.js';
import { freePort, startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { ensureDatabase } from '../db/orm.js';
import { BackupRefused, verifyBackupFile } from './backup.format.js';
import { type RestoreProgress, type RestoreReport, loadAndProve, migrationsToApply } from './restore.load.js';

export type RestoreTarget = { dataDir: string } | { databaseUrl: string };

export interface RestoreOptions {
  onProgress?: (progress: RestoreProgress) => void;
  /** Test speed only: the temporary cluster without fsync (the proof still runs). */
  fastCluster?: boolean;
  /** Benchmark only: see LoadOptions.skipLedgerProof. */
  skipLedgerProof?: boolean;
}

export async function restoreBackup(file: string, target: RestoreTarget, options: RestoreOptions = {}): Promise<RestoreReport & { target: string }> {
  if (!existsSync(file)) throw new BackupRefused(file, 'there is no such file');
  await assertEmptyTarget(target);
  const layout = await verifyBackupFile(file, (done, total) => options.onProgress?.({ phase: 'checking', done, total }));
  try {
    migrationsToApply(layout.manifest);
  } catch (error) {
    throw new BackupRefused(file, (error as Error).message);
  }
  if ('dataDir' in target) {
    const dataDir = resolve(target.dataDir);
    return { ...(await intoDataDir(file, dataDir, layout, options)), target: dataDir };
  }
  return { ...(await intoDatabase(file, target.databaseUrl, layout, options)), target: redacted(target.databaseUrl) };
}

async function assertEmptyTarget(target: RestoreTarget): Promise<void> {
  if ('dataDir' in target) {
    const dir = resolve(target.dataDir);
    if (existsSync(dir) && (await readdir(dir)).length > 0) throw new Error(`${dir} is not empty: a restore goes into an empty or new folder, never over data`);
    return;
  }
  const objects = await userObjects(target.databaseUrl);
  if (objects.length) throw new Error(`the database ${redacted(target.databaseUrl)} is not empty (it has ${objects.slice(0, 5).map((o) => o.name).join(', ')}${objects.length > 5 ? ', …' : ''}): a restore goes into an empty database`);
}

async function intoDataDir(file: string, dataDir: string, layout: Awaited<ReturnType<typeof verifyBackupFile>>, options: RestoreOptions): Promise<RestoreReport> {
  // A sibling, so the final rename stays on one file system and is atomic.
  const temporary = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${randomBytes(4).toString('hex')}`);
  try {
    const cluster = await startEmbeddedPostgres({ dataDir: temporary, port: await freePort(), fast: options.fastCluster });
    let report: RestoreReport;
    try {
      const url = await ensureDatabase(cluster.url, APP_DATABASE);
      report = await loadAndProve(file, layout, url, options);
    } finally {
      await cluster.stop();
    }
    if (existsSync(dataDir)) await rmdir(dataDir); // empty, checked above; rename cannot replace it otherwise on every system
    await rename(temporary, dataDir);
    return report;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

async function intoDatabase(file: string, url: string, layout: Awaited<ReturnType<typeof verifyBackupFile>>, options: RestoreOptions): Promise<RestoreReport> {
  try {
    return await loadAndProve(file, layout, url, options);
  } catch (error) {
    await dropEverything(url).catch((cleanup: Error) => {
      throw new Error(`${(error as Error).message}\nand removing the half-restored objects failed too (${cleanup.message}); drop the database ${redacted(url)} by hand`);
    });
    throw error;
  }
}


/**
 * Tables, views, sequences, types and functions in the public schema: an empty database has none.
 * Names as text: as the type `name` (relname's) a long function signature would be cut at 63 bytes.
 */
function userObjects(url: string): Promise<{ kind: string; name: string }[]> {
  return withClient(url, async (client) => (await client.query<{ kind: string; name: string }>(
    `SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'TABLE' END AS kind, c.relname::text AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
     UNION ALL SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
     UNION ALL SELECT 'TYPE', t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0`,
  )).rows);
}

/** The database was empty before the restore, so everything in it now is the restore's: drop it all. */
async function dropEverything(url: string): Promise<void> {
  const objects = await userObjects(url);
  await withClient(url, async (client) => {
    for (const kind of ['VIEW', 'TABLE', 'SEQUENCE', 'FUNCTION', 'TYPE']) {
      for (const o of objects.filter((x) => x.kind === kind)) {
        const name = kind === 'FUNCTION' ? o.name : `"${o.name.replace(/"/g, '""')}"`;
        await client.query(`DROP ${kind} IF EXISTS ${kind === 'FUNCTION' ? name : `public.${name}`} CASCADE`);
      }
    }
  });
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
