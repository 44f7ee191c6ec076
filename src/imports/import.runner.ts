import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine, copyRows, transactionConnection } from '../db/raw-connection.js';
import { inTransaction } from '../db/transaction.js';
import { type FieldProblem, ValidationError } from '../shared/errors.js';
import { chunksOf, type ColumnSpec, type CsvShape, decodeCsvBytes, newShape, readCsvCells, readCsvRecords, recordLines } from './csv-source.js';
import { CellsReader } from './fields.js';

/** At most this many problems are listed in one reply; the count of all of them is always given. */
export const MAX_LISTED_PROBLEMS = 1000;
/** Rows per INSERT statement: large enough to amortise a round trip, small enough for one JSON parameter. */
export const WRITE_BATCH_ROWS = 5000;

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * The fast write path: rows go by COPY into a temporary table, then one statement set merges them.
 * For large files this is several times faster than batched INSERTs.
 */
export interface StagedWrite<Row> {
  /** Columns of the temporary table, in the order `cells` returns them. */
  columns: readonly { name: string; type: string }[];
  cells(row: Row): (string | null)[];
  /** Moves the rows from `stage` into the real tables and counts what changed. */
  merge(client: pg.ClientBase, stage: string, rowCount: number): Promise<WriteCounts>;
  /**
   * The fast path: checks a record on its cells as read and returns its stage cells (the first is the
   * key unique within the file), or null with its problems pushed. Rows then stream into the stage by
   * COPY while the file is read; nothing leaves the stage unless the whole file is clean.
   */
  cellsOf?(read: CellsReader<string>, line: number, problems: FieldProblem[], headerOf: (key: string) => string): (string | null)[] | null;
  /**
   * Each stage column as SQL over the file's cells as text (`cell(key)`: trimmed as RowReader trims, '' when
   * empty), giving exactly what `cellsOf` gives for a checked row: lets PostgreSQL read the CSV itself.
   */
  fromRaw?: (cell: (key: string) => string) => Record<string, string>;
  /** Checks that need the database, run on the staged rows (`line` is each row's record ordinal). */
  checkStage?(client: pg.ClientBase, stage: string, problems: FieldProblem[], headerOf: (key: string) => string): Promise<void>;
}

/** What an import format supplies: its columns, how a row is checked, and how rows are written. */
export interface ImportFormat<K extends string, Row> {
  kind: string;
  columns: readonly ColumnSpec<K>[];
  /** Checks one record; returns the row or pushes its problems (every one, not just the first). */
  parseRow(values: Partial<Record<K, string>>, line: number, problems: FieldProblem[], headerOf: (key: K) => string): Row | null;
  /** A key that must be unique within one file (e.g. the code). */
  uniqueKey(row: Row): string;
  /** Checks that need the database (references to warehouses, categories ...), before anything is written. */
  checkAgainstDatabase?(tx: EntityManager, rows: { line: number; row: Row }[], problems: FieldProblem[], headerOf: (key: K) => string): Promise<void>;
  /** Writes one batch; used when the format has no `staged` path. */
  writeBatch?(tx: EntityManager, rows: Row[]): Promise<WriteCounts>;
  staged?: StagedWrite<Row>;
}

export type ImportPhase = 'validating' | 'writing';
export interface ImportOptions {
  dryRun: boolean;
  maxRows: number;
  /** The charset the sender declared (HTTP Content-Type, CLI --charset); see decodeCsvBytes. */
  charset?: string;
  /** How many problems a refusal lists (default MAX_LISTED_PROBLEMS); the CLI asks for all of them. */
  listProblems?: number;
  source?: string;
  userId?: string;
  onProgress?: (phase: ImportPhase, done: number, total: number) => void;
}

export interface ImportReport extends WriteCounts {
  kind: string;
  rows: number;
  dryRun: boolean;
  encoding: string;
}

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

/**
 * All or nothing: every row is validated first and every problem reported; only a clean file is
 * written, in one transaction. A dry run writes too and rolls back, so its counts are exact.
 */
export async function runImport<K extends string, Row>(
  em: EntityManager,
  format: ImportFormat<K, Row>,
  bytes: Buffer,
  options: ImportOptions,
): Promise<ImportReport> {
  const { text, encoding } = decodeCsvBytes(bytes, { charset: options.charset, headers: format.columns.flatMap((c) => c.headers) });
  if (format.staged?.cellsOf) return runStreamed(em, format, format.staged, text, encoding, options);
  const { rows, problems, duplicates, headerOf } = await validateAll(format, text, options);
  try {
    return await inTransaction(em, async (tx) => {
      await format.checkAgainstDatabase?.(tx, rows, problems, headerOf);
      if (problems.length) await rejectWithLines(format.kind, text, problems, duplicates, options.listProblems ?? MAX_LISTED_PROBLEMS);
      const counts = format.staged ? await writeStaged(tx, format.staged, rows.map((r) => r.row), options) : await writeBatches(tx, format, rows, options);
      const report: ImportReport = { kind: format.kind, rows: rows.length, dryRun: options.dryRun, encoding, ...counts };
      if (options.dryRun) throw new DryRunRollback(report);
      await tx.execute('INSERT INTO import_runs (kind, user_id, source, rows, inserted, updated, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        format.kind, options.userId ?? null, options.source ?? null, rows.length, counts.inserted, counts.updated, counts.unchanged,
      ]);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}

async function writeBatches<K extends string, Row>(tx: EntityManager, format: ImportFormat<K, Row>, rows: { row: Row }[], options: ImportOptions): Promise<WriteCounts> {
  const counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 };
  for (let start = 0; start < rows.length; start += WRITE_BATCH_ROWS) {
    const written = await format.writeBatch!(tx, rows.slice(start, start + WRITE_BATCH_ROWS).map((entry) => entry.row));
    counts.inserted += written.inserted;
    counts.updated += written.updated;
    counts.unchanged += written.unchanged;
    options.onProgress?.('writing', Math.min(start + WRITE_BATCH_ROWS, rows.length), rows.length);
  }
  return counts;
}

/** COPY into a temporary stage, then one merge (the path of formats without `cellsOf`). */
async function writeStaged<Row>(tx: EntityManager, staged: StagedWrite<Row>, rows: Row[], options: ImportOptions): Promise<WriteCounts> {
  const client = await transactionConnection(tx);
  const stage = 'import_stage';
  await client.query(`CREATE TEMP TABLE ${stage} (${staged.columns.map((c) => `${c.name} ${c.type}`).join(', ')}) ON COMMIT DROP`);
  const cells = rows.map((row) => staged.cells(row));
  await copyRows(client, stage, staged.columns.map((c) => c.name), cells, (done) => options.onProgress?.('writing', done, rows.length));
  return staged.merge(client, stage, rows.length);
}

const COPY_CHUNK_CHARS = 256 * 1024;
const STAGE = 'import_stage';
const RAW = 'import_raw';

/** What one pass over the file found: every problem, and the rows it staged. */
interface Pass<K extends string> {
  rows: number;
  problems: FieldProblem[];
  duplicates: Duplicate[];
  headerOf: (key: K) => string;
}

/**
 * Reads the file once, checking each record on its cells (no object per record); `stage` receives each
 * good row's stage cells with its record ordinal, and the header's keys before the first row.
 */
async function checkEveryRecord<K extends string, Row>(
  format: ImportFormat<K, Row>,
  staged: StagedWrite<Row>,
  text: string,
  options: ImportOptions,
  shape: CsvShape,
  onHeader: (keys: readonly (K | null)[], headerOf: (key: K) => string) => void,
  stage: (line: number, cells: (string | null)[]) => Promise<void> | void,
): Promise<Pass<K>> {
  const pass: Pass<K> = { rows: 0, problems: [], duplicates: [], headerOf: (key) => format.columns.find((c) => c.key === key)?.headers[0] ?? key };
  const { problems, duplicates } = pass;
  const firstLineOf = new Map<string, number>();
  const estimatedTotal = Math.max(1, countLines(text) - 1);
  let reader: CellsReader<K> | null = null;
  let keys: readonly (K | null)[] | null = null;
  for await (const batch of readCsvCells(text, format.columns, options.maxRows, shape)) {
    for (const record of batch) {
      if (record.keys !== keys) {
        keys = record.keys;
        pass.headerOf = record.headerOf;
        const positions: Partial<Record<K, number>> = {};
        keys.forEach((key, index) => key && (positions[key] = index));
        reader = new CellsReader<K>(positions, problems, pass.headerOf, shape);
        onHeader(keys, pass.headerOf);
      }
      if (record.problems) {
        problems.push(...record.problems);
        continue;
      }
      if (record.cells.length !== keys.length) shape.looseQuotes = true; // a short row: COPY … CSV would refuse it
      const cells = staged.cellsOf!(reader!.at(record.cells, record.line) as unknown as CellsReader<string>, record.line, problems, pass.headerOf as (key: string) => string);
      if (cells === null) continue;
      noteDuplicate(firstLineOf, duplicates, problems, cells[0]!, record.line, pass.headerOf(format.columns[0]!.key));
      pass.rows++;
      const staging = stage(record.line, cells);
      if (staging) await staging;
      if (options.onProgress && pass.rows % 10_000 === 0) options.onProgress('validating', pass.rows, estimatedTotal);
    }
  }
  options.onProgress?.('validating', pass.rows, pass.rows);
  return pass;
}

/** Runs `work` with a COPY … FROM STDIN open; a failure fails the COPY too, so the connection is usable again. */
async function withCopy<T>(client: pg.ClientBase, sql: string, work: (copy: Writable & { rowCount: number }) => Promise<T>): Promise<T> {
  const copy = client.query(copyFrom(sql));
  const copied = finished(copy);
  copied.catch(() => undefined);
  try {
    const result = await work(copy);
    copy.end();
    await copied;
    return result;
  } catch (error) {
    copy.destroy(error as Error);
    await copied.catch(() => undefined);
    throw error;
  }
}

/** The checked rows, re-encoded as COPY text, into the typed stage while the file is read. */
async function stageByCopyText<K extends string, Row>(client: pg.ClientBase, format: ImportFormat<K, Row>, staged: StagedWrite<Row>, text: string, options: ImportOptions): Promise<Pass<K>> {
  await client.query(`CREATE TEMP TABLE ${STAGE} (line integer, ${staged.columns.map((c) => `${c.name} ${c.type}`).join(', ')}) ON COMMIT DROP`);
  const columns = ['line', ...staged.columns.map((c) => c.name)];
  return withCopy(client, `COPY ${STAGE} (${columns.join(', ')}) FROM STDIN`, async (copy) => {
    let chunk = '';
    const pass = await checkEveryRecord(format, staged, text, options, newShape(), () => undefined, async (line, cells) => {
      chunk += `${line}\t${copyLine(cells)}`;
      if (chunk.length >= COPY_CHUNK_CHARS) {
        const flushed = copy.write(chunk);
        chunk = '';
        if (!flushed) await once(copy, 'drain');
      }
    });
    copy.write(chunk);
    return pass;
  });
}

/** What `stageRaw` already did on the database while Node was still checking the file. */
interface RawStage<K extends string> {
  pass: Pass<K>;
  /** The database's checks ran on the stage and their problems are in `pass.problems`. */
  stageChecked: boolean;
  /** The merge's counts when it ran and succeeded (kept only if the file turns out clean). */
  counts: WriteCounts | null;
}

/**
 * The file as sent, into a stage of text columns by PostgreSQL's own CSV reader (COPY … CSV), while Node
 * reads and checks every record. Taken only when both readers must agree: the lean splitter read it,
 * every column is known, no `"` inside unquoted text, no row short or skipped; the stage must then hold
 * as many rows. Otherwise null, and nothing of it remains (savepoint).
 * `import_stage` is then a view giving the typed columns (StagedWrite.fromRaw).
 *
 * Once the COPY is done, and while Node still checks, the database's checks and the merge run too, on the
 * view without trimming: their work counts only if Node then finds the file read alike, clean and with no
 * cell padded (else the merge is rolled back to its savepoint and done again after the checks). A file with
 * any problem is refused and its transaction rolled back, so nothing of a speculative merge remains.
 */
async function stageRaw<K extends string, Row>(client: pg.ClientBase, format: ImportFormat<K, Row>, staged: StagedWrite<Row>, text: string, options: ImportOptions): Promise<RawStage<K> | null> {
  await client.query('SAVEPOINT import_raw');
  const shape = newShape();
  let copying: Promise<void> | null = null;
  let failed: unknown = null;
  let early: { rows: number; problems: FieldProblem[]; merged: boolean; counts: WriteCounts | null } | null = null;
  const createView = async (padded: boolean) => {
    // Cells with spaces or tabs around them are trimmed as RowReader trims them; without any, read as they are.
    const cell = (key: string) => (padded ? `btrim(COALESCE(r."${key}", ''), E' \\t')` : `COALESCE(r."${key}", '')`);
    const fromRaw = staged.fromRaw!(cell);
    const typed = staged.columns.map((c) => `${fromRaw[c.name]}::${c.type} AS ${c.name}`).join(', ');
    await client.query(`CREATE OR REPLACE TEMP VIEW ${STAGE} AS SELECT r.line, ${typed} FROM ${RAW} r`);
  };
  const checking = checkEveryRecord(format, staged, text, options, shape, (keys, headerOf) => {
    if (!shape.lean || keys.includes(null)) return;
    const start = async () => {
      await client.query(`CREATE TEMP TABLE ${RAW} (line integer GENERATED ALWAYS AS IDENTITY (START WITH 2), ${format.columns.map((c) => `"${c.key}" text`).join(', ')}) ON COMMIT DROP`);
      let copy: { rowCount: number } = { rowCount: -1 };
      await withCopy(client, `COPY ${RAW} (${keys.map((key) => `"${key}"`).join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`, async (stream) => {
        copy = stream;
        for (const piece of chunksOf(text, COPY_CHUNK_CHARS)) if (!stream.write(piece)) await once(stream, 'drain');
      });
      // The rows COPY stored, from its command tag (set once the COPY has finished).
      const check = { rows: copy.rowCount };
      await createView(false);
      const problems: FieldProblem[] = [];
      await staged.checkStage?.(client, STAGE, problems, headerOf as (key: string) => string);
      early = { rows: check!.rows, problems, merged: false, counts: null };
      if (problems.length > 0) return;
      await client.query('SAVEPOINT import_merge');
      early.merged = true;
      try {
        early.counts = await staged.merge(client, STAGE, check!.rows);
      } catch {
        // A bad value the checks will name (or a real failure, met again when the merge is repeated).
        await client.query('ROLLBACK TO SAVEPOINT import_merge');
        early.merged = false;
      }
    };
    copying = start().catch((error: unknown) => void (failed = error));
  }, () => undefined);
  const pass = await checking.finally(() => copying);
  const agree = copying !== null && failed === null && shape.lean && !shape.looseQuotes && shape.skippedRecords === 0;
  const done = early as { rows: number; problems: FieldProblem[]; merged: boolean; counts: WriteCounts | null } | null;
  if (agree && done && done.rows === pass.rows) {
    if (!shape.padded) {
      pass.problems.push(...done.problems);
      return { pass, stageChecked: true, counts: done.counts };
    }
    if (done.merged) await client.query('ROLLBACK TO SAVEPOINT import_merge');
    await createView(true);
    await client.query('RELEASE SAVEPOINT import_raw');
    return { pass, stageChecked: false, counts: null };
  }
  await client.query('ROLLBACK TO SAVEPOINT import_raw');
  return null;
}

/**
 * The fast path: the file is read once, each record checked on its cells, while its rows go into a
 * temporary stage (by PostgreSQL's CSV reader where it reads the file as we do, else as COPY text), so
 * Node's work and PostgreSQL's overlap. Every problem is still collected; a file with any is refused and
 * the transaction rolled back, so nothing is written. Then the database checks on the stage, one merge,
 * and the import's record.
 */
async function runStreamed<K extends string, Row>(
  em: EntityManager,
  format: ImportFormat<K, Row>,
  staged: StagedWrite<Row>,
  text: string,
  encoding: string,
  options: ImportOptions,
): Promise<ImportReport> {
  try {
    return await inTransaction(em, async (tx) => {
      const client = await transactionConnection(tx);
      const raw = staged.fromRaw ? await stageRaw(client, format, staged, text, options) : null;
      const { rows, problems, duplicates, headerOf } = raw?.pass ?? (await stageByCopyText(client, format, staged, text, options));
      options.onProgress?.('writing', rows, rows);
      if (!raw?.stageChecked) await staged.checkStage?.(client, STAGE, problems, headerOf as (key: string) => string);
      if (problems.length) await rejectWithLines(format.kind, text, problems, duplicates, options.listProblems ?? MAX_LISTED_PROBLEMS);
      const counts = raw?.counts ?? (await staged.merge(client, STAGE, rows));
      const report: ImportReport = { kind: format.kind, rows, dryRun: options.dryRun, encoding, ...counts };
      if (options.dryRun) throw new DryRunRollback(report);
      await tx.execute('INSERT INTO import_runs (kind, user_id, source, rows, inserted, updated, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        format.kind, options.userId ?? null, options.source ?? null, rows, counts.inserted, counts.updated, counts.unchanged,
      ]);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.endsWith('\n') ? lines : lines + 1;
}

interface Duplicate {
  problem: FieldProblem;
  firstLine: number;
}

/** Remembers the first line of each key; a later one is a problem (its reason is written once lines are known). */
function noteDuplicate(firstLineOf: Map<string, number>, duplicates: Duplicate[], problems: FieldProblem[], key: string, line: number, field: string): void {
  const first = firstLineOf.get(key);
  if (first === undefined) {
    firstLineOf.set(key, line);
    return;
  }
  const problem: FieldProblem = { line, field, value: key, reason: '' };
  problems.push(problem);
  duplicates.push({ problem, firstLine: first });
}

async function validateAll<K extends string, Row>(format: ImportFormat<K, Row>, text: string, options: ImportOptions) {
  const problems: FieldProblem[] = [];
  const duplicates: Duplicate[] = [];
  const rows: { line: number; row: Row }[] = [];
  const firstLineOf = new Map<string, number>();
  let headerOf: (key: K) => string = (key) => format.columns.find((c) => c.key === key)?.headers[0] ?? key;
  const estimatedTotal = Math.max(1, countLines(text) - 1); // exact unless cells span lines
  for await (const record of readCsvRecords(text, format.columns, options.maxRows)) {
    headerOf = record.headerOf;
    if (record.problems) {
      problems.push(...record.problems);
      continue;
    }
    const row = format.parseRow(record.values, record.line, problems, record.headerOf);
    if (row !== null) {
      noteDuplicate(firstLineOf, duplicates, problems, format.uniqueKey(row), record.line, record.headerOf(format.columns[0]!.key));
      rows.push({ line: record.line, row });
    }
    if (options.onProgress && rows.length % 10_000 === 0) options.onProgress('validating', rows.length, estimatedTotal);
  }
  options.onProgress?.('validating', rows.length, rows.length);
  return { rows, problems, duplicates, headerOf };
}

/** Puts the real line numbers on the problems (see CsvRecord.line) and refuses the file. */
async function rejectWithLines(kind: string, text: string, problems: FieldProblem[], duplicates: Duplicate[], listed: number): Promise<never> {
  const { lines } = await recordLines(text);
  const real = (line: number) => lines[line - 1] ?? line;
  for (const problem of problems) if (problem.line !== undefined && problem.line > 1) problem.line = real(problem.line);
  for (const { problem, firstLine } of duplicates) problem.reason = `duplicate of line ${real(firstLine)}`;
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const badLines = new Set(problems.map((p) => p.line)).size;
  const shown = problems.slice(0, listed);
  const more = problems.length > shown.length ? ` (the first ${shown.length} are listed)` : '';
  throw new ValidationError(`${kind} import refused: ${problems.length} problems on ${badLines} rows${more}; nothing was written`, shown, 'IMPORT_REJECTED');
}
