/**
 * Writes a consistent backup of a running database without stopping it: one REPEATABLE READ READ ONLY
 * transaction on a connection of its own (never the pool, never a request transaction), so every table
 * is read from the same snapshot — a document and all its movements are in the file together or not at
 * all — while the service keeps writing. Each table is streamed with COPY … TO STDOUT (text format)
 * into a gzip stream; the file is written under a `.partial` name, fsynced, and renamed into place only
 * when complete, so a crash mid-backup never leaves a file that looks like a backup.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, open, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { type BackupManifest, type ChainHead, FORMAT, MAGIC, type SealedManifest, type TableManifest, footer, frame } from './backup.format.js';
import { type TablePlan, appliedMigrations, quoteIdent, sequenceValues, tablePlans } from './backup.schema.js';

export interface BackupProgress {
  table: string;
  /** Rows written so far, all tables. */
  rows: number;
  /** PostgreSQL's estimate of all rows (pg_class.reltuples): a progress bar's length, not a promise. */
  estimatedRows: number;
}

export interface BackupOptions {
  onProgress?: (progress: BackupProgress) => void;
  /** gzip level; 1 is several times faster than 6 on COPY text and only somewhat larger. */
  compressionLevel?: number;
}

const NEWLINE = 0x0a;

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) n += 1;
  return n;
}

export async function writeBackup(databaseUrl: string, outFile: string, options: BackupOptions = {}): Promise<SealedManifest> {
  const partial = `${outFile}.partial`;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'relief-backup' });
  await client.connect();
  try {
    // A long backup must not be cut off by timeouts meant for requests.
    await client.query(`SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0`);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The first statement takes the snapshot; statement_timestamp() is when it began.
    const [first] = (await client.query<{ at: Date; version: string }>('SELECT statement_timestamp() AS at, current_setting(\'server_version\') AS version')).rows;
    const plans = await tablePlans(client);
    const head = {
      migrations: await appliedMigrations(client),
      sequences: await sequenceValues(client),
      ledger: await chainHeads(client),
    };
    await writeFile(partial, MAGIC);
    const hash = createHash('sha256').update(MAGIC);
    const tables = await writeBody(client, plans, partial, hash, options);
    await client.query('COMMIT');
    const manifest: BackupManifest = {
      format: FORMAT, snapshotAt: first!.at.toISOString(), finishedAt: new Date().toISOString(), postgresVersion: first!.version,
      migrations: head.migrations, tables, sequences: head.sequences, ledger: head.ledger, compression: 'gzip',
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
    const sha256 = hash.update(manifestBytes).digest('hex');
    await appendFile(partial, Buffer.concat([manifestBytes, footer(manifestBytes.length, sha256)]));
    const handle = await open(partial, 'r+');
    const bytes = (await handle.stat()).size;
    await handle.sync();
    await handle.close();
    await rename(partial, outFile);
    return { ...manifest, sha256, bytes };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function chainHeads(client: pg.ClientBase): Promise<BackupManifest['ledger']> {
  const rows = (await client.query<{ category: string; last_sequence: string; last_hash: string }>(
    'SELECT category, last_sequence::text, last_hash FROM stock_chains ORDER BY category',
  )).rows;
  const chainHeads: ChainHead[] = rows.filter((r) => r.last_sequence !== '0').map((r) => ({ category: r.category, lastSequence: r.last_sequence, lastHash: r.last_hash }));
  return { chainHeads, chains: rows.length, chainHeadsSha256: chainHeadsDigest(rows), signedDigest: null };
}

/** The digest the restore recomputes over the restored stock_chains: every head, genesis ones included. */
export function chainHeadsDigest(rows: { category: string; last_sequence: string; last_hash: string }[]): string {
  const hash = createHash('sha256');
  for (const r of rows) hash.update(`${r.category}\t${r.last_sequence}\t${r.last_hash}\n`);
  return hash.digest('hex');
}

/** Frames of every table → gzip → the file, with back-pressure all the way from COPY to the disk. */
async function writeBody(client: pg.ClientBase, plans: TablePlan[], file: string, fileHash: ReturnType<typeof createHash>, options: BackupOptions): Promise<TableManifest[]> {
  const gzip = createGzip({ level: options.compressionLevel ?? 1, memLevel: 9 });
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fileHash.update(chunk);
      done(null, chunk);
    },
  });
  const written = pipeline(gzip, hashing, createWriteStream(file, { flags: 'a' }));
  written.catch(() => undefined); // observed below; a failure also surfaces as a write error
  const put = async (buffer: Buffer) => {
    if (!gzip.write(buffer)) await Promise.race([once(gzip, 'drain'), written]);
  };
  const estimatedRows = plans.reduce((sum, p) => sum + p.estimatedRows, 0);
  let rowsSoFar = 0;
  const tables: TableManifest[] = [];
  try {
    for (const plan of plans) {
      await put(frame('T', Buffer.from(JSON.stringify({ name: plan.name, columns: plan.columns }))));
      const stream = client.query(copyTo(`COPY ${quoteIdent(plan.name)} (${plan.columns.map(quoteIdent).join(', ')}) TO STDOUT`));
      const tableHash = createHash('sha256');
      let rows = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        tableHash.update(chunk);
        rows += countNewlines(chunk);
        await put(frame('D', chunk));
        options.onProgress?.({ table: plan.name, rows: rowsSoFar + rows, estimatedRows });
      }
      if (rows !== stream.rowCount) throw new Error(`backup of ${plan.name}: ${rows} lines but PostgreSQL sent ${stream.rowCount} rows`);
      rowsSoFar += rows;
      const entry: TableManifest = { name: plan.name, columns: plan.columns, rows, sha256: tableHash.digest('hex') };
      await put(frame('E', Buffer.from(JSON.stringify({ rows, sha256: entry.sha256 }))));
      tables.push(entry);
    }
    gzip.end();
    await written;
    return tables;
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    throw error;
  }
}
