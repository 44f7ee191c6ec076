/**
 * The ledger's transactions run on a plain pg connection taken from the ORM's pool: a posting is a
 * handful of hand-written statements, and the ORM's transaction and query machinery cost more CPU
 * per request than PostgreSQL spends running them. The two hot statements are named prepared
 * statements, parsed and planned once per connection instead of once per request.
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { transactionConnection } from '../../db/raw-connection.js';
import { afterRequestCommit, forkOf, requestTransaction } from '../../db/request-transaction.js';
import { retrying } from '../../db/transaction.js';

/** What ledger code needs of a transaction. SQL uses `?` placeholders, as EntityManager.execute does. */
export interface LedgerTx {
  execute<T = Record<string, unknown>[]>(sql: string, params?: readonly unknown[]): Promise<T>;
  /** A statement prepared once per connection under `name`; SQL uses $1, $2 … placeholders. */
  prepared<T = Record<string, unknown>>(name: string, sql: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * Runs `hook` once the whole transaction has committed, never if it rolls back: for in-process caches
   * of database state (a savepoint's rows are not committed when the savepoint is released).
   */
  afterCommit(hook: () => void): void;
}

/** Enough for helpers used both inside a ledger transaction and, through ledgerTxOf, outside one. */
export type SqlRunner = Pick<LedgerTx, 'execute'>;

const numbered = new Map<string, string>();

/** `?` → `$n`; ledger SQL has no question marks in literals or operators. */
function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

function onClient(client: pg.ClientBase, afterCommit: (hook: () => void) => void): LedgerTx {
  return {
    afterCommit,
    async execute<T>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(numberPlaceholders(sql), [...params])).rows as T;
    },
    async prepared<T>(name: string, sql: string, params: readonly unknown[]) {
      return (await client.query({ name, text: sql, values: [...params] })).rows as T[];
    },
  };
}

/** The ledger view of a transaction the ORM already opened (the CSV imports run inside one). */
export function ledgerTxOf(tx: EntityManager): LedgerTx {
  let client: Promise<LedgerTx> | null = null;
  // The ORM's transaction gives no commit hook here: hooks are dropped (caches then simply stay cold),
  // except inside a request transaction, which runs them after its commit.
  const afterCommit = (hook: () => void) => void afterRequestCommit(hook);
  const onTransaction = () => (client ??= transactionConnection(tx).then((c) => onClient(c, afterCommit)));
  return {
    afterCommit,
    execute: async <T>(sql: string, params?: readonly unknown[]) => (await onTransaction()).execute<T>(sql, params),
    prepared: async <T>(name: string, sql: string, params: readonly unknown[]) => (await onTransaction()).prepared<T>(name, sql, params),
  };
}

/** Reads outside any transaction, through the ORM; scalar parameters only (the query builder expands arrays). */
export function readerOf(em: EntityManager): SqlRunner {
  return { execute: <T>(sql: string, params: readonly unknown[] = []) => forkOf(em).execute(sql, [...params]) as Promise<T> };
}

// One round trip: the ledger's prepared statements take opaque jsonb and array parameters, so a plan
// made for the values at hand is never better than the cached generic one, only slower to get.
const BEGIN = 'BEGIN; SET LOCAL plan_cache_mode = force_generic_plan';

/**
 * Runs `work` in a transaction on a pooled connection, retrying a bounded number of times on
 * serialization failures and deadlocks (as db/transaction.ts does for the ORM). `work` must be
 * safe to re-run: it does its reads inside the transaction. Inside a request transaction it runs
 * in a savepoint of that transaction instead.
 */
export async function inLedgerTransaction<T>(em: EntityManager, work: (tx: LedgerTx) => Promise<T>): Promise<T> {
  const trx = requestTransaction();
  if (trx) return inSavepoint((await trx.client.acquireConnection()) as pg.ClientBase, work);
  const knex = em.getConnection().getKnex() as Knex;
  return retrying(async () => {
    const client = (await knex.client.acquireConnection()) as pg.ClientBase;
    const hooks: (() => void)[] = [];
    try {
      await client.query(BEGIN);
      const result = await work(onClient(client, (hook) => hooks.push(hook)));
      await client.query('COMMIT');
      for (const hook of hooks) hook();
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped by the pool's check when next acquired.
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await knex.client.releaseConnection(client);
    }
  });
}

async function inSavepoint<T>(client: pg.ClientBase, work: (tx: LedgerTx) => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT ledger; SET LOCAL plan_cache_mode = force_generic_plan');
  try {
    const result = await work(onClient(client, (hook) => void afterRequestCommit(hook)));
    await client.query('RELEASE SAVEPOINT ledger');
    return result;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT ledger').catch(() => undefined);
    throw error;
  }
}
