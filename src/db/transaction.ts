import type { EntityManager } from '@mikro-orm/postgresql';
import { forkOf, requestTransaction } from './request-transaction.js';

/** serialization_failure and deadlock_detected: safe to retry the whole transaction. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `attempt` again, a bounded number of times with a short random pause, when PostgreSQL aborted
 * it for a serialization failure or a deadlock. Each attempt must be a whole transaction.
 */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || n >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * n + Math.floor(Math.random() * 10)));
    }
  }
}

/**
 * Runs `work` in a transaction on a fresh fork, retrying as `retrying` does. `work` must be safe to
 * re-run: it does its reads inside the transaction. Inside a request transaction it is a savepoint of
 * that transaction, and a retryable failure goes up to the request, which retries as a whole.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (requestTransaction()) return forkOf(em).transactional(work);
  return retrying(() => em.fork().transactional(work));
}
