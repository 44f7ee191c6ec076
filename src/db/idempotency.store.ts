import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { ConflictError } from '../shared/errors.js';
import { inRequestTransaction } from './request-transaction.js';
import { retrying } from './transaction.js';

export interface StoredReply {
  status: number;
  body: unknown;
}

export type KeyedOutcome = { replayed: false; reply: StoredReply } | { replayed: true; reply: StoredReply };

/**
 * Idempotency keys per user, exactly once across crashes. The key row is inserted at the start of the
 * request's own transaction and its reply written just before that transaction commits, so the key and
 * the effect commit together: after a crash a key has its stored reply or nothing, and never blocks a
 * retry. A second request with the same key waits on the first one's uncommitted row: it then replays
 * the committed reply, or does the work itself if the first rolled back. Only while the first is still
 * running in a live process (longer than `waitMs`) is it told 409 IDEMPOTENCY_IN_PROGRESS.
 */
export class IdempotencyStore {
  constructor(
    private readonly em: EntityManager,
    /** How long a request waits for another one running under the same key before it is told so. */
    private readonly waitMs: number,
  ) {}

  async run(userId: string, key: string, method: string, path: string, requestHash: string, work: () => Promise<StoredReply>): Promise<KeyedOutcome> {
    return retrying(() =>
      inRequestTransaction(this.em, async (trx) => {
        const client = (await trx.client.acquireConnection()) as pg.ClientBase;
        const inserted = await this.claim(client, userId, key, method, path, requestHash);
        if (!inserted) return { replayed: true, reply: await this.stored(client, userId, key, requestHash) };
        const reply = await work();
        await client.query('UPDATE idempotency_keys SET status_code = $1, response_body = $2::jsonb, completed_at = now() WHERE user_id = $3 AND key = $4', [
          reply.status, JSON.stringify(reply.body ?? null), userId, key,
        ]);
        return { replayed: false, reply };
      }),
    );
  }

  /**
   * A refused request (4xx) rolled back and did nothing; it will be refused again, so the refusal is kept
   * under its key. If another request with the key committed in the meantime, its reply stands.
   */
  async remember(userId: string, key: string, method: string, path: string, requestHash: string, reply: StoredReply): Promise<void> {
    await this.em.fork().execute(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status_code, response_body, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, now()) ON CONFLICT (user_id, key) DO NOTHING`,
      [userId, key, method, path, requestHash, reply.status, JSON.stringify(reply.body ?? null)],
    );
  }

  /** Inserts the key row, waiting (bounded) behind a transaction that holds the same key uncommitted. */
  private async claim(client: pg.ClientBase, userId: string, key: string, method: string, path: string, requestHash: string): Promise<boolean> {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.waitMs}ms`]);
    try {
      const inserted = await client.query(
        `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
        [userId, key, method, path, requestHash],
      );
      return inserted.rowCount === 1;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') {
        throw new ConflictError('IDEMPOTENCY_IN_PROGRESS', `the request with Idempotency-Key ${key} is still being processed; retry later`, { key });
      }
      throw error;
    } finally {
      await client.query(`SELECT set_config('lock_timeout', '0', true)`).catch(() => undefined);
    }
  }

  private async stored(client: pg.ClientBase, userId: string, key: string, requestHash: string): Promise<StoredReply> {
    const { rows } = await client.query<{ request_hash: string; status_code: number; response_body: unknown }>(
      'SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    const found = rows[0]!;
    if (found.request_hash !== requestHash) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for a different request`, { key });
    }
    return { status: found.status_code, body: found.response_body };
  }
}
