// Group commit of postings (src/stock/posting/ledger.batch.ts, stock_post_batch): postings arriving together share a
// transaction, yet each posts entirely or not at all with its own outcome, its reply comes only after its commit, and a
// document failing in a batch — for want of stock, on a constraint, or by breaking the batch statement itself — touches no other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchedPostingError, PostingBatcher } from '../../src/stock/posting/ledger.batch.js';
import { poolConnections } from '../../src/stock/posting/ledger.sql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

async function postingCommits(): Promise<{ transactions: number; documents: number }> {
  const text = await (await fetch(`${app.base}/metrics`)).text();
  const value = (what: string) => Number(new RegExp(`relief_ledger_posting_commits\\{what="${what}"\\} (\\d+)`).exec(text)?.[1]);
  return { transactions: value('transactions'), documents: value('documents') };
}

describe('postings arriving together', () => {
  it('share commits, and each keeps its own outcome: receipts post, write-offs take exactly what the stock covers, the rest are refused', async () => {
    const tent = await newCategory(app, 'tent');
    const rice = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const before = await postingCommits();
    // The moment each reply arrives, its document is already committed: another connection sees it.
    const replies = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const reply = i % 2 === 0 ? await writeOff(app, 'WH-A', [{ category: tent, quantity: '2' }]) : await receipt(app, 'WH-B', [{ category: rice, quantity: '1.5' }]);
        const seen = reply.status === 201 ? await app.sql('SELECT 1 FROM stock_documents WHERE id = ?', [reply.body.id]) : [];
        return { i, reply, seen: seen.length };
      }),
    );
    const after = await postingCommits();
    expect(after.documents - before.documents).toBeGreaterThanOrEqual(30);
    expect(after.transactions - before.transactions).toBeLessThan(after.documents - before.documents);

    const writeOffs = replies.filter((r) => r.i % 2 === 0);
    expect(writeOffs.filter((r) => r.reply.status === 201)).toHaveLength(5);
    for (const refused of writeOffs.filter((r) => r.reply.status !== 201)) {
      expect(refused.reply.status).toBe(409);
      expect(refused.reply.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ category: tent, warehouse: 'WH-A', requested: '2', available: '0' }] });
    }
    const receipts = replies.filter((r) => r.i % 2 === 1);
    expect(receipts.map((r) => r.reply.status)).toEqual(Array(20).fill(201));
    for (const posted of replies.filter((r) => r.reply.status === 201)) expect(posted.seen).toBe(1);

    expect(await onHand(app, 'WH-A', tent)).toBe('0');
    expect(await onHand(app, 'WH-B', rice)).toBe('30.000');
    const [counts] = await app.sql(`SELECT count(*) FILTER (WHERE category = ?)::int AS tent, count(*) FILTER (WHERE category = ?)::int AS rice FROM stock_movements`, [tent, rice]);
    expect(counts).toEqual({ tent: 6, rice: 20 });
    await expectLedgerHealthy(app);
  });
});

describe('a document failing inside a batch', () => {
  let batcher: PostingBatcher;
  let tent: string;
  let adminId: string;
  beforeAll(async () => {
    // One connection: while the first posting is with the database the others queue, and go together.
    batcher = new PostingBatcher(poolConnections(app.services.orm.em), 1);
    tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '100' }]);
    [{ id: adminId }] = await app.sql(`SELECT id::text FROM users WHERE name = 'admin'`);
  });

  /** A single-line receipt of `quantity` into WH-A as stock_post_document takes it. */
  const receiptPayload = (quantity: string, reference: string) => ({
    closed_through: null, categories: [tent], rules: [{ code: tent, scale: 0, lot_tracked: false }], warehouses: [{ code: 'WH-A', active: true }],
    document: { id: null, type: 'RECEIPT', warehouse: 'WH-A', counterpart_warehouse: null, source_kind: 'PROCUREMENT', source_name: '某应急物资公司', reference, reason: null,
      transfer_id: null, stocktake_id: null, reverses_document_id: null, occurred_at: new Date().toISOString().slice(0, 10), created_at: new Date().toISOString(), user_id: adminId },
    movements: [{ line: 1, id: randomUUID(), category: tent, lot: null, expires_on: null, quantity, from_node: 'SUPPLIER:某应急物资公司', to_node: 'WH:WH-A', warehouse: 'WH-A',
      unit_cost: null, seq_n: 1, wh_cum: quantity, wh_n: 1, cat_cum: quantity, cat_n: 1 }],
    take: [], add: [{ category: tent, warehouse: 'WH-A', lot: '', delta: quantity }], positions: [{ category: tent, warehouse: 'WH-A', delta: quantity, movements: 1 }],
    heads: [{ category: tent, delta: quantity, positions: 1, line: 1 }], lots: [],
  });

  const documentsNamed = async (prefix: string) =>
    (await app.sql<{ reference: string }>(`SELECT reference FROM stock_documents WHERE reference LIKE ? ORDER BY reference`, [`${prefix}%`])).map((r) => r.reference);

  it('refused by a constraint: only that document is missing, the others of its batch are committed with their own replies', async () => {
    const sent = { ...batcher.sent };
    const outcomes = await Promise.allSettled(
      ['1', '2', '-3', '4', '5'].map((quantity, i) => batcher.post('document', JSON.stringify(receiptPayload(quantity, `GC-A-${i}`)))),
    );
    expect(batcher.sent.documents - sent.documents).toBe(5);
    expect(batcher.sent.batches - sent.batches).toBeLessThan(5);
    // Isolated inside the batch's own statement (a subtransaction each), not by sending the batch again.
    expect(batcher.sent.resent).toBe(sent.resent);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = (outcomes[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(BatchedPostingError);
    expect(refused.code).toBe('23514');
    for (const o of outcomes.filter((x) => x.status === 'fulfilled')) expect((o as PromiseFulfilledResult<any>).value).toMatchObject({ status: 'ok' });
    expect(await documentsNamed('GC-A-')).toEqual(['GC-A-0', 'GC-A-1', 'GC-A-3', 'GC-A-4']);
    expect(await onHand(app, 'WH-A', tent)).toBe('112');
    await expectLedgerHealthy(app);
  });

  it('breaking the batch statement itself: nothing of the batch is lost, each document is posted alone and gets its own outcome', async () => {
    const sent = { ...batcher.sent };
    const broken = { ...receiptPayload('1', 'GC-B-bad'), categories: 'not a list' };
    const outcomes = await Promise.allSettled([
      batcher.post('document', JSON.stringify(receiptPayload('1', 'GC-B-0'))),
      batcher.post('document', JSON.stringify(receiptPayload('2', 'GC-B-1'))),
      batcher.post('document', JSON.stringify(broken)),
      batcher.post('document', JSON.stringify(receiptPayload('3', 'GC-B-2'))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason.code).toMatch(/^22/);
    expect(batcher.sent.resent - sent.resent).toBe(3);
    expect(await documentsNamed('GC-B-')).toEqual(['GC-B-0', 'GC-B-1', 'GC-B-2']);
    expect(await onHand(app, 'WH-A', tent)).toBe('118');
    await expectLedgerHealthy(app);
  });

  it('with group commit off (POSTING_GROUP_COMMIT=0) every posting is a transaction of its own', async () => {
    const alone = new PostingBatcher(poolConnections(app.services.orm.em), 0);
    const outcomes = await Promise.all(['1', '1', '1', '1'].map((quantity, i) => alone.post('document', JSON.stringify(receiptPayload(quantity, `GC-C-${i}`)))));
    expect(outcomes).toMatchObject(Array(4).fill({ status: 'ok' }));
    expect(alone.sent).toEqual({ batches: 4, documents: 4, resent: 0 });
    expect(await documentsNamed('GC-C-')).toEqual(['GC-C-0', 'GC-C-1', 'GC-C-2', 'GC-C-3']);
  });

  it('no request is left waiting when the pool fails it: a refused connection rejects every posting queued for it; a failed release loses no reply', async () => {
    const refusing = new PostingBatcher({ acquire: () => Promise.reject(new Error('pool exhausted')), release: async () => undefined }, 1);
    const refused = await Promise.allSettled([1, 2, 3].map((i) => refusing.post('document', JSON.stringify(receiptPayload('1', `GC-D-${i}`)))));
    expect(refused.map((o) => o.status === 'rejected' && (o.reason as Error).message)).toEqual(['pool exhausted', 'pool exhausted', 'pool exhausted']);
    expect(await documentsNamed('GC-D-')).toEqual([]);

    const pool = poolConnections(app.services.orm.em);
    const flaky = new PostingBatcher({ acquire: pool.acquire, release: async (client) => {
      await pool.release(client);
      throw new Error('release failed');
    } }, 1);
    const posted = await Promise.all(['1', '2', '3'].map((quantity, i) => flaky.post('document', JSON.stringify(receiptPayload(quantity, `GC-E-${i}`)))));
    expect(posted).toMatchObject(Array(3).fill({ status: 'ok' }));
    expect(await documentsNamed('GC-E-')).toEqual(['GC-E-0', 'GC-E-1', 'GC-E-2']);
  });
});
