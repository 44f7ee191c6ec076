/**
 * Group commit for optimistic postings. Under load most of a posting's cost is per transaction: the
 * round trip, the commit and its WAL flush, waking a backend. Postings that arrive while earlier ones
 * are with the database wait in a queue; when a connection frees up, everything queued (up to
 * MAX_BATCH) goes as one call, stock_post_batch, in one transaction. With no queue a posting goes at
 * once, alone, exactly as without group commit: batching costs nothing at low load.
 *
 * What each posting keeps (see the migration PostInBatches): it posts entirely or not at all, in its
 * own subtransaction, with its own reply or error; its promise settles only once the batch's
 * statement has returned, that is after the commit. When the batch statement itself fails with an
 * error from the server, nothing of it was committed (it ran in autocommit), and every posting in it
 * is sent again alone, so that one document's failure reaches only its own request. A broken
 * connection leaves the outcome unknown, as for a single posting: the error goes to each request.
 */
import type pg from 'pg';
import { assert } from '../../shared/errors.js';

/** Which posting function a payload is for. */
export type PostingFunction = 'document' | 'shipment';

const SINGLE_SQL: Record<PostingFunction, { name: string; text: string }> = {
  document: { name: 'stock_post', text: 'SELECT stock_post_document($1::jsonb) AS reply' },
  shipment: { name: 'stock_post_shipment', text: 'SELECT stock_post_transfer_shipment($1::jsonb) AS reply' },
};
/** The named statement calling one posting function with its payload ($1). */
export const postingStatement = (fn: PostingFunction) => SINGLE_SQL[fn];

const BATCH_SQL = { name: 'stock_post_batch', text: 'SELECT stock_post_batch($1::jsonb) AS replies' };

/** At most this many documents per batch: a backend tracks 64 subtransactions before overflowing to pg_subtrans. */
export const MAX_BATCH = 32;
/**
 * With a batch already at the database, another is sent only once this many postings wait: a lone
 * posting does better to wait for the next commit than to cost a transaction of its own, and a batch
 * stalled behind a lock does not hold up a queue that keeps growing.
 */
const PARALLEL_MIN = 4;

/** A posting that failed inside a batch, shaped like pg's DatabaseError (code = SQLSTATE, detail). */
export class BatchedPostingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail: string | undefined,
  ) {
    super(message);
  }
}

interface Queued {
  fn: PostingFunction;
  payload: string;
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

interface BatchReply {
  status: string;
  sqlstate?: string;
  message?: string;
  detail?: string | null;
}

export interface Connections {
  acquire(): Promise<pg.ClientBase>;
  release(client: pg.ClientBase): Promise<void>;
}

export class PostingBatcher {
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  /** Transactions sent, the documents in them, and documents sent again alone after their batch statement failed (for /metrics). */
  readonly sent = { batches: 0, documents: 0, resent: 0 };

  /** `connections`: how many batches may be with the database at once; 0: no group commit, each posting goes alone at once. */
  constructor(
    private readonly pool: Connections,
    private readonly connections: number,
  ) {
    assert(Number.isInteger(connections) && connections >= 0, 'a number of connections');
  }

  /** Posts one payload; resolves with the posting function's reply once committed, or rejects with its error. */
  post(fn: PostingFunction, payload: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const item = { fn, payload, resolve, reject };
      if (this.connections === 0) {
        void this.send([item]);
        return;
      }
      this.queue.push(item);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.connections && this.queue.length > 0 && (this.inFlight === 0 || this.queue.length >= PARALLEL_MIN)) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Queued[]): Promise<void> {
    let client: pg.ClientBase;
    try {
      client = await this.pool.acquire();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    try {
      this.sent.batches++;
      this.sent.documents += batch.length;
      if (batch.length === 1) await alone(client, batch[0]!);
      else await together(client, batch, this.sent);
    } catch (error) {
      // Whatever went wrong, no request is left waiting (settling a settled promise does nothing).
      for (const item of batch) item.reject(error);
    } finally {
      await this.pool.release(client).catch(() => undefined);
    }
  }
}

async function alone(client: pg.ClientBase, item: Queued): Promise<void> {
  try {
    const { rows } = await client.query<{ reply: unknown }>({ ...postingStatement(item.fn), values: [item.payload] });
    item.resolve(rows[0]!.reply);
  } catch (error) {
    item.reject(error);
  }
}

/** Sends the batch in one statement; counts in `sent.resent` the documents it has to send again alone. */
async function together(client: pg.ClientBase, batch: Queued[], sent: { resent: number }): Promise<void> {
  const items = batch.map((item) => `{"shipment":${item.fn === 'shipment'},"p":${item.payload}}`);
  let replies: BatchReply[];
  try {
    const { rows } = await client.query<{ replies: BatchReply[] }>({ ...BATCH_SQL, values: [`[${items.join(',')}]`] });
    replies = rows[0]!.replies;
  } catch (error) {
    if (typeof (error as { code?: unknown }).code !== 'string') {
      for (const item of batch) item.reject(error);
      return;
    }
    // The server refused the whole statement: nothing of it was committed; each posting goes alone.
    sent.resent += batch.length;
    for (const item of batch) await alone(client, item);
    return;
  }
  assert(replies.length === batch.length, 'stock_post_batch replies once per document');
  batch.forEach((item, i) => {
    const reply = replies[i]!;
    if (reply.status === 'error') item.reject(new BatchedPostingError(reply.sqlstate!, reply.message!, reply.detail ?? undefined));
    else item.resolve(reply);
  });
}
