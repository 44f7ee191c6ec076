import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The pg connection behind a MikroORM transaction, for what knex cannot do (COPY) or does slowly
 * (statements with megabyte-sized parameters). Queries on it run inside that same transaction.
 */
export async function transactionConnection(tx: EntityManager): Promise<pg.ClientBase> {
  const trx = tx.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('transactionConnection needs an open transaction');
  return (await trx.client.acquireConnection()) as pg.ClientBase;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyCell(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

/** One row in COPY text format, with its line end. */
export function copyLine(cells: readonly (string | null)[]): string {
  return `${cells.map(copyCell).join('\t')}\n`;
}

const ROWS_PER_CHUNK = 2000;

/** Streams rows into a table with COPY FROM STDIN, reporting progress per chunk. */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly (string | null)[][],
  onChunk?: (rowsDone: number) => void,
): Promise<void> {
  function* chunks(): Generator<string> {
    for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
      const end = Math.min(start + ROWS_PER_CHUNK, rows.length);
      let text = '';
      for (let i = start; i < end; i++) text += copyLine(rows[i]!);
      yield text;
      onChunk?.(end);
    }
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

/** A connection of its own to `url` for `work`, closed afterwards (role set-up, restores, benches). */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
