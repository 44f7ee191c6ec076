import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '../shared/errors.js';

export type Reservation = { state: 'new' } | { state: 'replay'; status: number; body: unknown };

/**
 * Idempotency keys per user. A key is reserved before the work starts; a second request with the
 * same key sees the stored reply, or is told the first is still running. A key whose request
 * never finished (a crash) stays reserved on purpose: running the work again could post twice.
 */
export class IdempotencyStore {
  constructor(private readonly em: EntityManager) {}

  async reserve(userId: string, key: string, method: string, path: string, requestHash: string): Promise<Reservation> {
    const em = this.em.fork();
    const inserted = await em.execute<{ key: string }[]>(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [userId, key, method, path, requestHash],
    );
    if (inserted.length === 1) return { state: 'new' };
    const [found] = await em.execute<{ request_hash: string; status_code: number | null; response_body: unknown }[]>(
      'SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE user_id = ? AND key = ?',
      [userId, key],
    );
    if (!found) return this.reserve(userId, key, method, path, requestHash);
    if (found.request_hash !== requestHash) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for a different request`, { key });
    }
    if (found.status_code === null) {
      throw new ConflictError('IDEMPOTENCY_IN_PROGRESS', `the request with Idempotency-Key ${key} is still being processed; retry later`, { key });
    }
    return { state: 'replay', status: found.status_code, body: found.response_body };
  }

  async complete(userId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.em.fork().execute('UPDATE idempotency_keys SET status_code = ?, response_body = ?::jsonb, completed_at = now() WHERE user_id = ? AND key = ?', [
      status, JSON.stringify(body ?? null), userId, key,
    ]);
  }

  /** The work failed before doing anything (it rolled back): the key may be used again. */
  async release(userId: string, key: string): Promise<void> {
    await this.em.fork().execute('DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status_code IS NULL', [userId, key]);
  }
}
