import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction } from '../db/transaction.js';
import { type FieldProblem, ValidationError } from '../shared/errors.js';
import { type ColumnSpec, decodeCsvBytes, readCsvRecords } from './csv-source.js';

/** At most this many problems are listed in one reply; the count of all of them is always given. */
export const MAX_LISTED_PROBLEMS = 1000;
/** Rows per INSERT statement: large enough to amortise a round trip, small enough for one JSON parameter. */
export const WRITE_BATCH_ROWS = 5000;

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** What an import format supplies: its columns, how a row is checked, and how a batch is written. */
export interface ImportFormat<K extends string, Row> {
  kind: string;
  columns: readonly ColumnSpec<K>[];
  /** Checks one record; returns the row or pushes its problems (every one, not just the first). */
  parseRow(values: Partial<Record<K, string>>, line: number, problems: FieldProblem[], headerOf: (key: K) => string): Row | null;
  /** A key that must be unique within one file (e.g. the code). */
  uniqueKey(row: Row): string;
  /** Checks that need the database (references to warehouses, categories ...), before anything is written. */
  checkAgainstDatabase?(tx: EntityManager, rows: { line: number; row: Row }[], problems: FieldProblem[]): Promise<void>;
  writeBatch(tx: EntityManager, rows: Row[]): Promise<WriteCounts>;
}

export type ImportPhase = 'validating' | 'writing';
export interface ImportOptions {
  dryRun: boolean;
  maxRows: number;
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
  const { text, encoding } = decodeCsvBytes(bytes);
  const { rows, problems } = await validateAll(format, text, options);
  try {
    return await inTransaction(em, async (tx) => {
      await format.checkAgainstDatabase?.(tx, rows, problems);
      throwIfProblems(format.kind, problems);
      const counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 };
      for (let start = 0; start < rows.length; start += WRITE_BATCH_ROWS) {
        const batch = rows.slice(start, start + WRITE_BATCH_ROWS).map((entry) => entry.row);
        const written = await format.writeBatch(tx, batch);
        counts.inserted += written.inserted;
        counts.updated += written.updated;
        counts.unchanged += written.unchanged;
        options.onProgress?.('writing', Math.min(start + WRITE_BATCH_ROWS, rows.length), rows.length);
      }
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

async function validateAll<K extends string, Row>(format: ImportFormat<K, Row>, text: string, options: ImportOptions) {
  const problems: FieldProblem[] = [];
  const rows: { line: number; row: Row }[] = [];
  const firstLineOf = new Map<string, number>();
  const estimatedTotal = Math.max(1, text.length / 80);
  for await (const record of readCsvRecords(text, format.columns, options.maxRows)) {
    const row = format.parseRow(record.values, record.line, problems, record.headerOf);
    if (row !== null) {
      const key = format.uniqueKey(row);
      const first = firstLineOf.get(key);
      if (first !== undefined) problems.push({ line: record.line, field: record.headerOf(format.columns[0]!.key), value: key, reason: `duplicate of line ${first}` });
      else firstLineOf.set(key, record.line);
      rows.push({ line: record.line, row });
    }
    if (options.onProgress && rows.length % 10_000 === 0) options.onProgress('validating', rows.length, Math.round(estimatedTotal));
  }
  options.onProgress?.('validating', rows.length, rows.length);
  return { rows, problems };
}

function throwIfProblems(kind: string, problems: FieldProblem[]): void {
  if (problems.length === 0) return;
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const badLines = new Set(problems.map((p) => p.line)).size;
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length > listed.length ? ` (the first ${listed.length} are listed)` : '';
  throw new ValidationError(`${kind} import refused: ${problems.length} problems on ${badLines} rows${more}; nothing was written`, listed, 'IMPORT_REJECTED');
}
