// Proves exactly-once by Idempotency-Key on a route that has no duplicate check of its own (a receipt):
// parallel retries post once and all get the first reply; a retry waits for a request still running
// under its key and replays it; a request that dies before its commit leaves its key free; and the
// database refuses a key committed without its reply.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, onHand, receipt, seedWarehouses } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ idempotencyWaitMs: 1_500 });
  await seedWarehouses(app);
});
afterAll(() => app.close());

const documentsOf = async (category: string) =>
  Number((await app.sql<{ n: string }>('SELECT count(DISTINCT document_id) AS n FROM stock_movements WHERE category = ?', [category]))[0]!.n);

/** Holds the ledger head of `category` in a transaction of its own, so a posting of it waits mid-request. */
async function holdHead(category: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: app.services.orm.config.getClientUrl() });
  await client.connect();
  await client.query('BEGIN');
  const { rowCount } = await client.query('SELECT 1 FROM stock_chains WHERE category = $1 FOR UPDATE', [category]);
  expect(rowCount).toBe(1);
  return client;
}

async function waitUntilBlocked(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const rows = await app.sql<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%stock_chains%' AND datname = current_database()",
    );
    if (rows.length) return rows[0]!.pid;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the posting never reached the held ledger head');
}

describe('Idempotency-Key', () => {
  it('eight parallel retries of one receipt post it once, and every one gets the first reply', async () => {
    const tent = await newCategory(app, 'tent');
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => receipt(app, 'WH-A', [{ category: tent, quantity: '5' }], { headers: { 'idempotency-key': 'receipt-race' } })),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual(replies[0]!.body);
    }
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    expect(await documentsOf(tent)).toBe(1);
    expect(await onHand(app, 'WH-A', tent)).toBe('5');
  });

  it('a retry arriving while the first is still running waits for it and replays its reply', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }]); // the head exists from now on
    const holder = await holdHead(tent);
    const send = () => receipt(app, 'WH-A', [{ category: tent, quantity: '3' }], { headers: { 'idempotency-key': 'receipt-wait' } });
    const first = send();
    await waitUntilBlocked();
    const second = send(); // waits on the first one's uncommitted key
    await new Promise((resolve) => setTimeout(resolve, 200));
    await holder.query('COMMIT');
    await holder.end();
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await onHand(app, 'WH-A', tent)).toBe('4');
  });

  it('a retry is told 409 IDEMPOTENCY_IN_PROGRESS only while the first really is still running', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }]);
    const holder = await holdHead(tent);
    const send = () => receipt(app, 'WH-A', [{ category: tent, quantity: '2' }], { headers: { 'idempotency-key': 'receipt-slow' } });
    const first = send();
    await waitUntilBlocked();
    const impatient = await send(); // waits idempotencyWaitMs (1.5 s), then gives up
    expect(impatient.status).toBe(409);
    expect(impatient.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    await holder.query('COMMIT');
    await holder.end();
    expect((await first).status).toBe(201);
    const later = await send();
    expect(later.status).toBe(201);
    expect(later.body).toEqual((await first).body);
    expect(await onHand(app, 'WH-A', tent)).toBe('3');
  });

  it('a request whose connection dies before its commit leaves its key free: the retry posts exactly once', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }]);
    const holder = await holdHead(tent);
    const send = () => receipt(app, 'WH-A', [{ category: tent, quantity: '7' }], { headers: { 'idempotency-key': 'receipt-crash' } });
    const doomed = send();
    const backend = await waitUntilBlocked();
    await app.sql('SELECT pg_terminate_backend(?)', [backend]); // as if the service died mid-request
    expect((await doomed).status).toBeGreaterThanOrEqual(500);
    await holder.query('ROLLBACK');
    await holder.end();
    expect(await app.sql("SELECT key FROM idempotency_keys WHERE key = 'receipt-crash'")).toHaveLength(0);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect((await send()).body).toEqual(retry.body);
    expect(await onHand(app, 'WH-A', tent)).toBe('8');
    expect(await documentsOf(tent)).toBe(2);
  });

  it('a keyed request that creates a ledger head and is then refused leaves no trace the next posting trips on', async () => {
    const tent = await newCategory(app, 'tent');
    // The first posting of a category creates its head inside the request transaction; the refusal rolls it back.
    const refused = await app.request('POST', '/write-offs', {
      headers: { 'idempotency-key': 'first-refused' },
      body: { warehouse: 'WH-A', reason: 'DAMAGE', lines: [{ category: tent, quantity: '1' }] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INSUFFICIENT_STOCK');
    const next = await receipt(app, 'WH-A', [{ category: tent, quantity: '2' }], { headers: { 'idempotency-key': 'after-refusal' } });
    expect(next.status).toBe(201);
    expect(await onHand(app, 'WH-A', tent)).toBe('2');
  });

  it('the database refuses to commit a key without its reply', async () => {
    const [admin] = await app.sql<{ id: string }>("SELECT id FROM users WHERE name = 'admin'");
    await expect(
      app.sql("INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES (?, 'bare', 'POST', '/receipts', 'x')", [admin!.id]),
    ).rejects.toThrow(/committed without its reply/);
    expect(await app.sql("SELECT key FROM idempotency_keys WHERE key = 'bare'")).toHaveLength(0);
  });
});
