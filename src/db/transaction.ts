import type { EntityManager } from '@mikro-orm/postgresql';

/** serialization_failure and deadlock_detected: safe to retry the whole transaction. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `work` in a transaction on a fresh fork, retrying a bounded number of times when
 * PostgreSQL aborts it for a serialization failure or a deadlock. `work` must be safe to re-run:
 * it does its reads inside the transaction.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional(work);
    } catch (error) {
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}
