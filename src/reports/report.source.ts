/**
 * A report's rows are read after the HTTP handler has returned (the body outlives the request), so they
 * come through a connection of the report's own, not the request's EntityManager: one read-only
 * REPEATABLE READ transaction (a consistent snapshot however long the download takes) and a server-side
 * cursor fetched in batches, so a million-row journal never sits in memory.
 */
import pg from 'pg';
import type { ReportRow } from './report.writer.js';

export const FETCH_ROWS = 2000;

export interface CursorQuery<R> {
  sql: string;
  params: unknown[];
  toRow(raw: R): ReportRow;
}

export async function* cursorBatches<R>(connectionString: string, query: CursorQuery<R>): AsyncGenerator<ReportRow[]> {
  const client = new pg.Client({ connectionString, application_name: 'report' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${query.sql}`, query.params);
    for (;;) {
      const { rows } = await client.query<R & pg.QueryResultRow>(`FETCH ${FETCH_ROWS} FROM report_rows`);
      if (rows.length === 0) break;
      yield rows.map((row) => query.toRow(row));
      if (rows.length < FETCH_ROWS) break;
    }
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
}
