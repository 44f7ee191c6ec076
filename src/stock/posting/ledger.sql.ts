/**
 * The ledger's transactions run on a plain pg connection taken from the ORM's pool: a posting is a
 * few hand-written statements, and the ORM's transaction and query machinery cost more CPU per
 * request than PostgreSQL spends running them. The hot statements are named prepared statements,
 * parsed and planned once per connection instead of once per request. A one-posting transaction is
 * first tried as one call in autocommit (no BEGIN, no COMMIT round trip): see LedgerTransactionOptions;
 * optimistic postings that arrive together share that call and its commit (group commit, ledger.batch.ts).
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { transactionConnection } from '../../db/raw-connection.js';
import { afterRequestCommit, forkOf, requestTransaction } from '../../db/request-transaction.js';
import { retrying } from '../../db/transaction.js';
import { DomainError, assert } from '../../shared/errors.js';
import { type Connections, PostingBatcher, type PostingFunction, postingStatement } from './ledger.batch.js';

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
  /**
   * True on the first, optimistic attempt of a one-posting transaction: nothing has been sent, the
   * lock comes from the in-process snapshot, and the posting itself runs in autocommit. Any other
   * statement ends the attempt (NeedsLock) and the work runs again under the lock.
   */
  readonly optimistic: boolean;
  /**
   * Calls a posting function (stock_post_document, stock_post_transfer_shipment) with its jsonb
   * payload and gives its reply. In an optimistic attempt, the one statement it sends, through group
   * commit (ledger.batch.ts).
   */
  post<T>(fn: PostingFunction, payload: string): Promise<T>;
}

/** The optimistic attempt needs a statement it may not send: the work runs again under the lock. */
export class NeedsLock extends Error {
  constructor() {
    super('the optimistic posting needs the ledger lock');
  }
}

/**
 * What the service validated against (category rules, warehouses, the closed-through date) changed
 * before the posting locked the ledger: the work runs again and validates against current data.
 */
export class StaleSnapshot extends Error {
  constructor() {
    super('the ledger snapshot changed before the posting');
  }
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

/** SQLSTATE of stock_post_document refusing a document for want of stock. */
export const SHORTAGE_SQLSTATE = 'LDG01';

interface Attempt {
  /** The optimistic posting got its answer from the database (committed, or refused for a shortage). */
  settled: boolean;
}

/** The ledger view of an open transaction on `client`. */
function onClient(client: pg.ClientBase, afterCommit: (hook: () => void) => void): LedgerTx {
  const prepared = async <T>(name: string, sql: string, params: readonly unknown[]) => (await client.query({ name, text: sql, values: [...params] })).rows as T[];
  return {
    afterCommit,
    optimistic: false,
    execute: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(numberPlaceholders(sql), [...params])).rows as T,
    prepared,
    post: async <T>(fn: PostingFunction, payload: string) => (await client.query<{ reply: T }>({ ...postingStatement(fn), values: [payload] })).rows[0]!.reply,
  };
}

/**
 * The ledger view of an optimistic attempt: nothing may be sent but the one posting, which goes
 * through group commit and runs in autocommit. Any other statement ends the attempt (NeedsLock).
 */
function optimisticTx(batcher: PostingBatcher, afterCommit: (hook: () => void) => void, attempt: Attempt): LedgerTx {
  const needsLock = () => Promise.reject(new NeedsLock());
  return {
    afterCommit,
    optimistic: true,
    execute: needsLock,
    prepared: needsLock,
    async post<T>(fn: PostingFunction, payload: string) {
      assert(!attempt.settled, 'an optimistic attempt posts one document');
      try {
        const reply = (await batcher.post(fn, payload)) as T;
        attempt.settled = true;
        return reply;
      } catch (error) {
        if ((error as { code?: string }).code === SHORTAGE_SQLSTATE) attempt.settled = true;
        throw error;
      }
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
    optimistic: false,
    execute: async <T>(sql: string, params?: readonly unknown[]) => (await onTransaction()).execute<T>(sql, params),
    prepared: async <T>(name: string, sql: string, params: readonly unknown[]) => (await onTransaction()).prepared<T>(name, sql, params),
    post: async <T>(fn: PostingFunction, payload: string) => (await onTransaction()).post<T>(fn, payload),
  };
}

/** Reads outside any transaction, through the ORM; scalar parameters only (the query builder expands arrays). */
export function readerOf(em: EntityManager): SqlRunner {
  return { execute: <T>(sql: string, params: readonly unknown[] = []) => forkOf(em).execute(sql, [...params]) as Promise<T> };
}

// One round trip: the ledger's prepared statements take opaque jsonb and array parameters, so a plan
// made for the values at hand is never better than the cached generic one, only slower to get.
const BEGIN = 'BEGIN; SET LOCAL plan_cache_mode = force_generic_plan';

export interface LedgerTransactionOptions {
  /**
   * The work posts at most one document and sends no statement after it. It is then first tried
   * optimistically: validated against the in-process snapshot and posted in one call in autocommit
   * (stock_post_document locks the heads and checks the snapshot under the lock). A statement the
   * work needs, a validation error or a stale snapshot sends it to the ordinary locked transaction.
   */
  readonly onePosting?: boolean;
}

const STALE_ATTEMPTS = 3;

/**
 * Runs `work` in a transaction on a pooled connection, retrying a bounded number of times on
 * serialization failures and deadlocks (as db/transaction.ts does for the ORM). `work` must be
 * safe to re-run: it does its reads inside the transaction. Inside a request transaction it runs
 * in a savepoint of that transaction instead.
 */
export async function inLedgerTransaction<T>(em: EntityManager, work: (tx: LedgerTx) => Promise<T>, options: LedgerTransactionOptions = {}): Promise<T> {
  const trx = requestTransaction();
  for (let attempt = 1; ; attempt++) {
    try {
      if (trx) return await inSavepoint((await trx.client.acquireConnection()) as pg.ClientBase, work);
      return await retrying(() => onConnection(em, work, options.onePosting === true && attempt === 1));
    } catch (error) {
      if (!(error instanceof StaleSnapshot) || attempt >= STALE_ATTEMPTS) throw error;
    }
  }
}

type Outcome<T> = { done: true; value: T } | { done: false };

const batchers = new WeakMap<object, PostingBatcher>();

/**
 * Group commit for the optimistic postings on this ORM's pool: at most `connections` batches with
 * the database at once, each taking what queued meanwhile. Without it (or with 0) each posting is
 * sent alone as it comes.
 */
export function enableGroupCommit(em: EntityManager, connections: number): PostingBatcher {
  const knex = em.getConnection().getKnex() as Knex;
  const batcher = new PostingBatcher(poolOf(knex), connections);
  batchers.set(knex, batcher);
  return batcher;
}

/** Connections lent by the ORM's pool, for a PostingBatcher. */
export function poolConnections(em: EntityManager): Connections {
  return poolOf(em.getConnection().getKnex() as Knex);
}

function poolOf(knex: Knex): Connections {
  return {
    acquire: async () => (await knex.client.acquireConnection()) as pg.ClientBase,
    release: async (client) => void (await knex.client.releaseConnection(client)),
  };
}

function batcherOf(knex: Knex): PostingBatcher {
  let batcher = batchers.get(knex);
  if (batcher === undefined) {
    batcher = new PostingBatcher(poolOf(knex), 0);
    batchers.set(knex, batcher);
  }
  return batcher;
}

async function onConnection<T>(em: EntityManager, work: (tx: LedgerTx) => Promise<T>, optimistic: boolean): Promise<T> {
  const knex = em.getConnection().getKnex() as Knex;
  if (optimistic) {
    const outcome = await optimisticAttempt(batcherOf(knex), work);
    if (outcome.done) return outcome.value;
  }
  const client = (await knex.client.acquireConnection()) as pg.ClientBase;
  try {
    return await locked(client, work);
  } finally {
    await knex.client.releaseConnection(client);
  }
}

/** No BEGIN: the posting statement is the transaction. Anything short of the database's answer to it ends the attempt. */
async function optimisticAttempt<T>(batcher: PostingBatcher, work: (tx: LedgerTx) => Promise<T>): Promise<Outcome<T>> {
  const hooks: (() => void)[] = [];
  const attempt: Attempt = { settled: false };
  try {
    const value = await work(optimisticTx(batcher, (hook) => hooks.push(hook), attempt));
    for (const hook of hooks) hook();
    return { done: true, value };
  } catch (error) {
    if (attempt.settled) throw error;
    // Judged against the cached snapshot, a refusal is only provisional; failures of the database itself are not.
    if (error instanceof NeedsLock || error instanceof StaleSnapshot || error instanceof DomainError) return { done: false };
    throw error;
  }
}

async function locked<T>(client: pg.ClientBase, work: (tx: LedgerTx) => Promise<T>): Promise<T> {
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
  }
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
