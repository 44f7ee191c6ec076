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
  let pending: Promise<pg.QueryResult<R & pg.QueryResultRow>> | null = null;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${query.sql}`, query.params);
    const fetch = () => client.query<R & pg.QueryResultRow>(`FETCH ${FETCH_ROWS} FROM report_rows`);
    // The next batch is asked for before this one is handed over: PostgreSQL reads and sends it while the
    // workbook is written (one batch ahead, so memory stays at two batches).
    pending = fetch();
    for (;;) {
      const rows: (R & pg.QueryResultRow)[] = (await pending).rows;
      pending = rows.length === FETCH_ROWS ? fetch() : null;
      if (rows.length > 0) yield rows.map((row) => query.toRow(row));
      if (!pending) break;
    }
    await client.query('COMMIT');
  } finally {
    // A reader that stopped early (the download was cancelled) leaves a fetch in flight: let it settle first.
    await pending?.catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
