// Proves that a restore refuses a damaged or truncated backup before writing anything, undoes itself when the restored ledger fails its proof, restores a backup taken before a later migration by applying that migration, refuses a target that is not empty, and that scheduled backups keep only the newest BACKUP_KEEP files.
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BackupRefused, BackupService, RestoreProofFailed, restoreBackup, writeBackup } from '../../src/backup/index.js';
import { migrationsList } from '../../src/db/migrations/index.js';
import { ormConfig } from '../../src/db/orm.js';
import { newCategory, receipt, seedWarehouses } from '../http/stock.fixtures.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let dir: string;
let good: string;

async function sql<T extends pg.QueryResultRow = any>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

let emptyCount = 0;
/** A new database with nothing in it (template0, not the migrated template). */
async function emptyDatabase(): Promise<string> {
  const server = inject('pgServerUrl');
  const name = `restore_${process.pid}_${++emptyCount}`;
  await sql(server, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

const objectsIn = async (url: string) => (await sql(url, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
  UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`)).length;

/** Nothing at the target, and no temporary sibling folder either. */
async function nothingLeftAt(target: string): Promise<void> {
  expect(existsSync(target)).toBe(false);
  expect((await readdir(dir)).filter((name) => name.includes('restoring'))).toEqual([]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(inject('runTempDir'), 'refusals-'));
  await chmod(inject('runTempDir'), 0o755);
  await chmod(dir, 0o755);
  app = await startTestApp();
  await seedWarehouses(app);
  const tent = await newCategory(app, 'tent');
  for (let i = 0; i < 5; i++) expect((await receipt(app, 'WH-A', [{ category: tent, quantity: String(10 + i) }])).status).toBe(201);
  good = join(dir, 'good.backup');
  await writeBackup(app.config.databaseUrl!, good);
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('restore refuses what it cannot prove', () => {
  it('one changed byte anywhere (body, manifest, closing record) or a cut-short file is refused before anything is written', async () => {
    const size = (await stat(good)).size;
    const target = join(dir, 'never');
    const database = await emptyDatabase();
    for (const [label, at] of [['body', 200], ['manifest', size - 400], ['closing record', size - 20]] as const) {
      const damaged = join(dir, `damaged-${label.replace(' ', '-')}.backup`);
      await copyFile(good, damaged);
      const handle = await open(damaged, 'r+');
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, at);
      await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, at);
      await handle.close();
      await expect(restoreBackup(damaged, { dataDir: target }), label).rejects.toThrow(BackupRefused);
      await expect(restoreBackup(damaged, { databaseUrl: database }), label).rejects.toThrow(/not restorable/);
    }
    await expect(restoreBackup(join(dir, 'damaged-body.backup'), { dataDir: target })).rejects.toThrow(/damaged: its content has SHA-256 [0-9a-f]{64}, but the backup recorded/);
    const cut = join(dir, 'cut.backup');
    await copyFile(good, cut);
    await truncate(cut, Math.floor(size / 2));
    await expect(restoreBackup(cut, { dataDir: target })).rejects.toThrow(/truncated/);
    await nothingLeftAt(target);
    expect(await objectsIn(database)).toBe(0);
  });

  it('a ledger row changed behind the service before the backup fails the proof, and the restore leaves nothing', async () => {
    const source = await startTestApp();
    const url = source.config.databaseUrl!;
    try {
      await seedWarehouses(source);
      const tent = await newCategory(source, 'tent');
      expect((await receipt(source, 'WH-A', [{ category: tent, quantity: '7' }])).status).toBe(201);
      // As the superuser, with triggers off: exactly what the hash chain exists to expose.
      await sql(url, `SET session_replication_role = replica; UPDATE stock_movements SET quantity = quantity + 1 WHERE category = '${tent}'`);
    } finally {
      await source.close();
    }
    const tampered = join(dir, 'tampered.backup');
    await writeBackup(url, tampered);
    const target = join(dir, 'tampered-restore');
    await expect(restoreBackup(tampered, { dataDir: target }, { fastCluster: true })).rejects.toThrow(RestoreProofFailed);
    await nothingLeftAt(target);
    const database = await emptyDatabase();
    await expect(restoreBackup(tampered, { databaseUrl: database })).rejects.toThrow(/does not prove itself: the ledger (check|verify)/);
    expect(await objectsIn(database)).toBe(0);
  }, 120_000);

  it('a target that is not empty is refused', async () => {
    await expect(restoreBackup(good, { databaseUrl: app.config.databaseUrl! })).rejects.toThrow(/is not empty/);
    await expect(restoreBackup(good, { dataDir: dir })).rejects.toThrow(/is not empty/);
  });

  it('restores into an empty external database and proves it', async () => {
    const database = await emptyDatabase();
    const report = await restoreBackup(good, { databaseUrl: database });
    expect(report.proof).toMatchObject({ rowCounts: 'match', verify: { ok: true, movements: 5 } });
    expect(report.target).not.toContain(new URL(database).password || '\u0000');
    expect(await sql(database, 'SELECT count(*)::int AS n FROM stock_movements')).toEqual([{ n: 5 }]);
  });
});

describe('a backup from before a later migration', () => {
  it('is loaded at its own schema version, then the later migrations run', async () => {
    const older = await emptyDatabase();
    // The backup is taken just before the migration that removes keys without a reply; every later one runs on restore.
    const cut = migrationsList.findIndex((m) => m.name === 'Migration20261201000005IdempotencyWithEffect');
    expect(cut).toBeGreaterThan(0);
    const atBackup = migrationsList[cut - 1]!.name;
    const orm = await MikroORM.init(ormConfig({ url: older, poolMax: 2 }));
    await orm.getMigrator().up({ to: atBackup });
    await orm.close(true);
    // A key left without its reply by the older protocol: the later migration removes such rows.
    await sql(older, `INSERT INTO users (name, role) VALUES ('admin', 'admin');
      INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status_code, response_body) VALUES
        (1, 'answered', 'POST', '/receipts', 'h', 201, '{}'), (1, 'abandoned', 'POST', '/receipts', 'h', NULL, NULL)`);
    const file = join(dir, 'older.backup');
    const manifest = await writeBackup(older, file);
    expect(manifest.migrations).toEqual(migrationsList.slice(0, cut).map((m) => m.name));
    const database = await emptyDatabase();
    const report = await restoreBackup(file, { databaseUrl: database });
    expect(report.laterMigrations).toEqual(migrationsList.slice(cut).map((m) => m.name));
    expect((await sql(database, 'SELECT name FROM mikro_orm_migrations ORDER BY id')).map((r) => r.name)).toEqual(migrationsList.map((m) => m.name));
    expect((await sql(database, 'SELECT key FROM idempotency_keys')).map((r) => r.key)).toEqual(['answered']);
  });
});

describe('scheduled backups', () => {
  it('run every BACKUP_EVERY, keep the newest BACKUP_KEEP, and report the last good one', async () => {
    const backupDir = join(dir, 'scheduled');
    const service = new BackupService(() => app.config.databaseUrl!, { dir: backupDir, everyMs: 1000, keep: 2 });
    expect((await service.status()).lastGood).toBeNull();
    service.startSchedule(pino({ level: 'silent' }));
    const made = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (made.size < 3 && Date.now() < deadline) {
      const last = (await service.status()).lastGood;
      if (last) made.add(last.file);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    service.stopSchedule();
    while ((await service.status()).running) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(made.size).toBeGreaterThanOrEqual(3);
    const files = (await readdir(backupDir)).sort();
    expect(files).toHaveLength(2);
    const status = await service.status();
    expect(files).toContain(status.lastGood!.file);
    expect(status.lastGood!.ageSeconds).toBeLessThan(30);
    expect(status.lastFailure).toBeNull();
    // A restarted service finds the newest backup on disk for /health.
    const restarted = new BackupService(() => app.config.databaseUrl!, { dir: backupDir, everyMs: 1000, keep: 2 });
    expect((await restarted.status()).lastGood!.file).toBe(files[files.length - 1]);
  }, 90_000);
});
