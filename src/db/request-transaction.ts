/**
 * One transaction for a whole request. A POST with an Idempotency-Key runs inside it, so its key row
 * commits in the same transaction as its effect: after any crash the key has its stored reply or
 * nothing. Services keep calling inTransaction / inLedgerTransaction / forkOf as they always do; inside
 * a request transaction those join it (as savepoints) instead of opening transactions of their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

interface Ambient {
  trx: Knex.Transaction;
  /** Run once the request transaction has committed (never if it rolls back). */
  afterCommit: (() => void)[];
}

const ambient = new AsyncLocalStorage<Ambient>();

/** The request transaction this code runs inside, if any. */
export function requestTransaction(): Knex.Transaction | undefined {
  return ambient.getStore()?.trx;
}

/**
 * Defers `hook` until the request transaction commits. Outside one, returns false: the caller's own
 * transaction decides when its hooks run.
 */
export function afterRequestCommit(hook: () => void): boolean {
  const store = ambient.getStore();
  if (!store) return false;
  store.afterCommit.push(hook);
  return true;
}

/** A fresh EntityManager for reads and writes; inside a request transaction it works in that transaction. */
export function forkOf(em: EntityManager): EntityManager {
  const fork = em.fork();
  const trx = ambient.getStore()?.trx;
  if (trx) fork.setTransactionContext(trx);
  return fork;
}

/**
 * Runs `work` in a new top-level transaction that nested service transactions join. Commits when
 * `work` returns, rolls back when it throws. Not retried here: the caller decides what a retry means.
 */
export async function inRequestTransaction<T>(em: EntityManager, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const connection = em.getConnection('write');
  const trx = (await connection.begin()) as Knex.Transaction;
  const store: Ambient = { trx, afterCommit: [] };
  let result: T;
  try {
    result = await ambient.run(store, () => work(trx));
  } catch (error) {
    await connection.rollback(trx).catch(() => undefined);
    throw error;
  }
  await connection.commit(trx);
  for (const hook of store.afterCommit) hook();
  return result;
}
