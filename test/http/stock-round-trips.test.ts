// Proves a posting takes one database round trip once the caches are warm (after a start, the first posting reads the snapshot of every category and warehouse once): receipts (lots too) and write-offs send only the stock_post_document call, transfer shipments only stock_post_transfer_shipment (the token lookup is cached), and a refusal found against the cached snapshot is confirmed under the lock with the same reply.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { WAREHOUSES_CSV, expectLedgerHealthy, newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
let statements: string[] = [];
const original = pg.Client.prototype.query;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  // Counts what the service sends; app.sql's own statements are made outside the counted window.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    statements.push(typeof first === 'string' ? first : first.text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
});
afterEach(() => {
  statements = [];
});
afterAll(async () => {
  pg.Client.prototype.query = original;
  await app.close();
});

async function counted(post: () => Promise<{ status: number }>, status = 201): Promise<string[]> {
  statements = [];
  const reply = await post();
  expect(reply.status).toBe(status);
  return statements.map((text) => text.replace(/\s+/g, ' ').trim().slice(0, 60));
}

describe('one round trip per posting', () => {
  // First in the file: nothing has been posted since the service started.
  it('after a start, the first posting reads the whole snapshot once; categories never posted before then post in one call', async () => {
    const tent = await newCategory(app, 'tent');
    const rice = await newCategory(app, 'rice');
    const first = await counted(() => receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]));
    expect(first).toHaveLength(2);
    expect(first[0]).toBe('SELECT (SELECT coalesce(json_agg(json_build_array(code, scal');
    expect(first[1]).toBe('SELECT stock_post_document($1::jsonb) AS reply');
    expect(await counted(() => receipt(app, 'WH-B', [{ category: rice, quantity: '2.5' }]))).toEqual(['SELECT stock_post_document($1::jsonb) AS reply']);
    expect(await counted(() => writeOff(app, 'WH-B', [{ category: rice, quantity: '0.5' }]))).toEqual(['SELECT stock_post_document($1::jsonb) AS reply']);
    await expectLedgerHealthy(app);
  });

  it('receipts, lot receipts and write-offs send one statement once the snapshot and the token are cached', async () => {
    const tent = await newCategory(app, 'tent');
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await receipt(app, 'WH-A', [{ category: water, quantity: '10', lot: 'L-1', expiresOn: '2030-01-31' }]);
    expect(await counted(() => receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]))).toEqual(['SELECT stock_post_document($1::jsonb) AS reply']);
    expect(await counted(() => writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]))).toEqual(['SELECT stock_post_document($1::jsonb) AS reply']);
    expect(await counted(() => receipt(app, 'WH-A', [{ category: water, quantity: '4', lot: 'L-2', expiresOn: '2030-02-28' }]))).toEqual([
      'SELECT stock_post_document($1::jsonb) AS reply',
    ]);
    await expectLedgerHealthy(app);
  });

  it('a transfer shipment sends one statement once warm: the transfer opens with the id it took, its movements go to TRANSIT:<id>', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const ship = (quantity: string) => app.request('POST', '/transfers', { body: { from: 'WH-A', to: 'WH-B', lines: [{ category: tent, quantity }] } });
    expect((await ship('1')).status).toBe(201);
    let shipped: Awaited<ReturnType<typeof ship>> | undefined;
    expect(await counted(async () => (shipped = await ship('2')))).toEqual(['SELECT stock_post_transfer_shipment($1::jsonb) AS reply']);
    const id = shipped!.body.id as string;
    expect(shipped!.body).toMatchObject({ type: 'TRANSFER_SHIP', status: 'IN_TRANSIT', transferId: id, lines: [{ category: tent, quantity: '2', from: 'WH:WH-A', to: `TRANSIT:${id}` }] });
    expect(await app.sql('SELECT id::text, from_warehouse, to_warehouse, status FROM stock_transfers WHERE id = ?', [id])).toEqual([{ id, from_warehouse: 'WH-A', to_warehouse: 'WH-B', status: 'IN_TRANSIT' }]);
    expect(await app.sql('SELECT transfer_id::text AS transfer, to_node FROM stock_documents d JOIN stock_movements m ON m.document_id = d.id WHERE d.id = ?', [id])).toEqual([{ transfer: id, to_node: `TRANSIT:${id}` }]);
    // Short: refused by the posting itself, nothing of it remains (no transfer, no document).
    const before = await app.sql('SELECT count(*)::int AS n FROM stock_transfers');
    expect(await counted(() => ship('8'), 409)).toEqual(['SELECT stock_post_transfer_shipment($1::jsonb) AS reply']);
    expect(await app.sql('SELECT count(*)::int AS n FROM stock_transfers')).toEqual(before);
    const received = await app.request('POST', `/transfers/${id}/receive`, { body: { lines: [{ category: tent, received: '2' }] } });
    expect(received.status).toBe(201);
    await expectLedgerHealthy(app);
  });

  it('a refusal against the cached snapshot is confirmed under the lock, and the reply is the same', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '2' }]);
    const sent = await counted(() => writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]), 409);
    expect(sent).toEqual(['SELECT stock_post_document($1::jsonb) AS reply']);
    const short = await writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    expect(short.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(short.body.error.details[0]).toMatchObject({ category: tent, warehouse: 'WH-A', requested: '3', available: '2' });
    // An inactive warehouse: refused from the snapshot, confirmed under the lock (BEGIN … ROLLBACK).
    const refused = await counted(() => receipt(app, 'WH-C', [{ category: tent, quantity: '1' }]), 422);
    expect(refused[0]).toMatch(/^BEGIN/);
    // A lot known with another expiry: the optimistic posting is stale, the locked one names the line.
    const water = await newCategory(app, 'water');
    await receipt(app, 'WH-A', [{ category: water, quantity: '1', lot: 'L-9', expiresOn: '2030-01-31' }]);
    const conflict = await receipt(app, 'WH-A', [{ category: water, quantity: '1', lot: 'L-9', expiresOn: '2030-03-31' }]);
    expect(conflict.status).toBe(422);
    expect(conflict.body.error.details).toEqual([expect.objectContaining({ field: 'lines[0].expiresOn', reason: expect.stringContaining('2030-01-31') })]);
    await expectLedgerHealthy(app);
  });

  it('a warehouse deactivated after it was cached: the posting finds the snapshot stale and the reply is the refusal', async () => {
    const tent = await newCategory(app, 'tent');
    expect((await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }])).status).toBe(201);
    const csv = WAREHOUSES_CSV.replace('WH-B,乙库,DISTRICT,市南区,某路2号,36.100000,120.400000,是', 'WH-B,乙库,DISTRICT,市南区,某路2号,36.100000,120.400000,否');
    expect((await app.request('POST', '/imports/warehouses', { raw: csv })).status).toBe(200);
    const sent = await counted(() => receipt(app, 'WH-B', [{ category: tent, quantity: '1' }]), 422);
    expect(sent[0]).toBe('SELECT stock_post_document($1::jsonb) AS reply');
    expect(sent).toContain('ROLLBACK');
    const refused = await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }]);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'warehouse', reason: expect.stringContaining('inactive') })]);
    expect((await app.request('POST', '/imports/warehouses', { raw: WAREHOUSES_CSV })).status).toBe(200);
    expect((await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }])).status).toBe(201);
    await expectLedgerHealthy(app);
  });
});
