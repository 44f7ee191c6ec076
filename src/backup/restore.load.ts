/**
 * Loads a verified backup into an empty database and proves the result. The steps, in order:
 * schema at the backup's version (its migrations, no later ones) → in one transaction: the foreign keys
 * set aside, every table loaded with COPY FROM STDIN, the foreign keys added back (which checks every
 * row against them, as pg_restore does; claims and their assessments reference each other, so no load
 * order could satisfy them row by row) → sequences → row counts against the manifest →
 * later migrations → the proof: the ledger check and verify the service runs, and the chain heads
 * equal the manifest's. Row counts are compared before the later migrations, which may change rows.
 * No trigger is disabled: the ledger's append-only triggers refuse UPDATE and DELETE, never INSERT, and
 * needing no superuser lets a restore run as a database's plain owner.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ormConfig } from '../db/orm.js';
import { migrationsList } from '../db/migrations/index.js';
import { StockService } from '../stock/index.js';
import { type BackupLayout, type BackupManifest, readFrames } from './backup.format.js';
import { quoteIdent } from './backup.schema.js';
import { chainHeadsDigest } from './backup.writer.js';

export interface RestoreProgress {
  phase: 'checking' | 'loading' | 'proving';
  done: number;
  total: number;
}

export interface RestoreReport {
  file: string;
  snapshotAt: string;
  tables: number;
  rows: number;
  migrationsAtBackup: number;
  /** Migrations newer than the backup, applied after the load. */
  laterMigrations: string[];
  proof: { rowCounts: 'match'; check: { ok: true }; verify: { ok: true; chains: number; movements: number }; chainHeads: number };
}

export class RestoreProofFailed extends Error {
  constructor(what: string) {
    super(`the restored database does not prove itself: ${what}. The restore was undone.`);
    this.name = 'RestoreProofFailed';
  }
}

/** The backup's migrations must be the first ones this service knows, in order; else it is from a newer service. */
export function migrationsToApply(manifest: BackupManifest): { atBackup: string; later: string[] } {
  const known = migrationsList.map((m) => m.name);
  const ours = manifest.migrations;
  const mismatch = ours.findIndex((name, i) => known[i] !== name);
  if (ours.length === 0) throw new Error('the backup lists no applied migrations; it cannot be placed at a schema version');
  if (mismatch !== -1 || ours.length > known.length) {
    throw new Error(`the backup was taken at schema version ${ours[ours.length - 1]}, which this service does not have (it knows up to ${known[known.length - 1]}): restore it with a newer service`);
  }
  return { atBackup: ours[ours.length - 1]!, later: known.slice(ours.length) };
}

export interface LoadOptions {
  onProgress?: (p: RestoreProgress) => void;
  /**
   * Benchmark only (no CLI flag, no HTTP): skip the ledger check, verify and chain-head comparison, for
   * generated rows whose hashes are not real chains. Row counts and foreign keys are still proved.
   */
  skipLedgerProof?: boolean;
}

export async function loadAndProve(file: string, layout: BackupLayout, databaseUrl: string, { onProgress, skipLedgerProof }: LoadOptions = {}): Promise<RestoreReport> {
  const manifest = layout.manifest;
  const { atBackup, later } = migrationsToApply(manifest);
  const orm = await MikroORM.init(ormConfig({ url: databaseUrl, poolMax: 2 }));
  try {
    await orm.getMigrator().up({ to: atBackup });
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'relief-restore' });
    await client.connect();
    try {
      await client.query('SET statement_timeout = 0');
      // Deferred constraint triggers (an idempotency key must have its reply) fire per COPY instead of at
      // COMMIT: a table with pending trigger events cannot have its foreign keys added back.
      await client.query('BEGIN; SET CONSTRAINTS ALL IMMEDIATE');
      await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      const foreignKeys = await dropForeignKeys(client);
      const indexes = await dropPlainIndexes(client);
      await loadTables(client, file, layout, onProgress);
      // One sort per index after the load is several times cheaper than keeping it up row by row.
      for (const index of indexes) await client.query(index);
      await addForeignKeys(client, foreignKeys);
      await restoreSequences(client, manifest);
      await compareRowCounts(client, manifest);
      await client.query('COMMIT');
    } finally {
      await client.end().catch(() => undefined);
    }
    await orm.getMigrator().up();
    onProgress?.({ phase: 'proving', done: 0, total: 3 });
    const proof = skipLedgerProof ? countsOnly(manifest, later) : await prove(orm, manifest, later);
    return { ...proof, file, snapshotAt: manifest.snapshotAt };
  } finally {
    await orm.close(true);
  }
}

async function loadTables(client: pg.ClientBase, file: string, layout: BackupLayout, onProgress?: (p: RestoreProgress) => void): Promise<void> {
  const expected = new Map(layout.manifest.tables.map((t) => [t.name, t]));
  const source = createReadStream(file, { start: layout.bodyStart, end: layout.bodyEnd - 1, highWaterMark: 1 << 20 });
  let compressedRead = 0;
  source.on('data', (chunk) => {
    compressedRead += chunk.length;
    onProgress?.({ phase: 'loading', done: compressedRead, total: layout.bodyEnd - layout.bodyStart });
  });
  const body = source.pipe(createGunzip());
  source.once('error', (error) => body.destroy(error));
  let current: { name: string; copy: ReturnType<typeof copyFrom>; hash: ReturnType<typeof createHash>; finished: Promise<unknown> } | null = null;
  const seen: string[] = [];
  for await (const { type, payload } of readFrames(body)) {
    if (type === 'T') {
      const { name, columns } = JSON.parse(payload.toString('utf8')) as { name: string; columns: string[] };
      const entry = expected.get(name);
      if (!entry || current) throw new Error(`backup body: unexpected table ${name}`);
      const copy = client.query(copyFrom(`COPY ${quoteIdent(name)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`));
      current = { name, copy, hash: createHash('sha256'), finished: new Promise((resolve, reject) => copy.once('finish', resolve).once('error', reject)) };
      current.finished.catch(() => undefined);
    } else if (type === 'D') {
      if (!current) throw new Error('backup body: data outside a table');
      current.hash.update(payload);
      if (!current.copy.write(payload)) await Promise.race([once(current.copy, 'drain'), current.finished]);
    } else {
      if (!current) throw new Error('backup body: table end outside a table');
      current.copy.end();
      await current.finished;
      const entry = expected.get(current.name)!;
      const sha256 = current.hash.digest('hex');
      if (sha256 !== entry.sha256) throw new Error(`table ${current.name}: its data does not match its checksum (the file changed while it was read?)`);
      if (current.copy.rowCount !== entry.rows) throw new RestoreProofFailed(`table ${current.name} loaded ${current.copy.rowCount} rows, the manifest lists ${entry.rows}`);
      seen.push(current.name);
      current = null;
    }
  }
  const missing = layout.manifest.tables.filter((t) => !seen.includes(t.name)).map((t) => t.name);
  if (current || missing.length) throw new Error(`backup body ends before tables ${[current?.name, ...missing].filter(Boolean).join(', ')}`);
}

interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

async function dropForeignKeys(client: pg.ClientBase): Promise<ForeignKey[]> {
  const keys = (await client.query<ForeignKey>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = 'public' ORDER BY 1, 2`,
  )).rows;
  for (const key of keys) await client.query(`ALTER TABLE ${quoteIdent(key.table)} DROP CONSTRAINT ${quoteIdent(key.name)}`);
  return keys;
}

/** Indexes that back no constraint (the ledger's page and date indexes): dropped, rebuilt after the load. */
async function dropPlainIndexes(client: pg.ClientBase): Promise<string[]> {
  const indexes = (await client.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
     ORDER BY 1`,
  )).rows;
  for (const index of indexes) await client.query(`DROP INDEX ${quoteIdent(index.name)}`);
  return indexes.map((i) => i.definition);
}

/** Adding a foreign key back validates every row against it: a row whose parent is missing fails the restore. */
async function addForeignKeys(client: pg.ClientBase, keys: ForeignKey[]): Promise<void> {
  for (const key of keys) {
    try {
      await client.query(`ALTER TABLE ${quoteIdent(key.table)} ADD CONSTRAINT ${quoteIdent(key.name)} ${key.definition}`);
    } catch (error) {
      throw new RestoreProofFailed(`rows of ${key.table} break its foreign key ${key.name} (${(error as Error).message})`);
    }
  }
}

/** The recorded value, or the largest key loaded if that is higher: a restored service never reuses an id. */
async function restoreSequences(client: pg.ClientBase, manifest: BackupManifest): Promise<void> {
  for (const seq of manifest.sequences) {
    await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [quoteIdent(seq.name), seq.lastValue, seq.isCalled]);
  }
  const owned = (await client.query<{ sequence: string; table: string; column: string }>(
    `SELECT s.relname AS sequence, t.relname AS table, a.attname AS column FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
     JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     JOIN pg_namespace n ON n.oid = s.relnamespace WHERE n.nspname = 'public' AND d.deptype IN ('a', 'i')`,
  )).rows;
  for (const o of owned) {
    await client.query(
      `SELECT setval($1::regclass, m) FROM (SELECT max(${quoteIdent(o.column)}) AS m FROM ${quoteIdent(o.table)}) t
       WHERE m IS NOT NULL AND m >= (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM ${quoteIdent(o.sequence)})`,
      [quoteIdent(o.sequence)],
    );
  }
}

async function compareRowCounts(client: pg.ClientBase, manifest: BackupManifest): Promise<void> {
  for (const table of manifest.tables) {
    const [row] = (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table.name)}`)).rows;
    if (Number(row!.n) !== table.rows) throw new RestoreProofFailed(`table ${table.name} has ${row!.n} rows, the manifest lists ${table.rows}`);
  }
}

function countsOnly(manifest: BackupManifest, later: string[]): Omit<RestoreReport, 'file' | 'snapshotAt'> {
  return {
    tables: manifest.tables.length, rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0), migrationsAtBackup: manifest.migrations.length, laterMigrations: later,
    proof: { rowCounts: 'match', check: { skipped: true }, verify: { skipped: true }, chainHeads: 0 },
  } as unknown as Omit<RestoreReport, 'file' | 'snapshotAt'>;
}

async function prove(orm: MikroORM, manifest: BackupManifest, later: string[]): Promise<Omit<RestoreReport, 'file' | 'snapshotAt'>> {
  const stock = new StockService(orm.em);
  const check = await stock.check(null);
  if (!check.ok) throw new RestoreProofFailed(`the ledger check finds ${check.discrepancies.length} discrepancies, e.g. ${JSON.stringify(check.discrepancies[0])}`);
  const verify = await stock.verify(null);
  if (!verify.ok) throw new RestoreProofFailed(`the ledger verify finds ${verify.problems.length} problems, e.g. ${verify.problems[0]?.message}`);
  const heads = await orm.em.fork().execute<{ category: string; last_sequence: string; last_hash: string }[]>('SELECT category, last_sequence::text, last_hash FROM stock_chains ORDER BY category');
  const live = heads.filter((h) => h.last_sequence !== '0');
  const expected = manifest.ledger.chainHeads;
  const differs = live.length !== expected.length || live.some((h, i) => h.category !== expected[i]!.category || h.last_sequence !== expected[i]!.lastSequence || h.last_hash !== expected[i]!.lastHash);
  if (differs || chainHeadsDigest(heads) !== manifest.ledger.chainHeadsSha256) throw new RestoreProofFailed('the chain heads differ from the manifest\'s');
  return {
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
    migrationsAtBackup: manifest.migrations.length,
    laterMigrations: later,
    proof: { rowCounts: 'match', check: { ok: true }, verify: { ok: true, chains: verify.chains, movements: verify.movements }, chainHeads: live.length },
  };
}
