// Proves the ledger is anchored outside the database: GET /ledger/digest signs the Merkle log's head and the chain heads with a key file the database never sees, POST /ledger/verify {digest} proves later ledgers extend it (RFC 6962 consistency proof), and with superuser access the recompute attack, a rewrite of history and a deletion — each passing verify and check — are caught against the saved digest, naming the first movement that differs; month-end close and the schedule append digests to the log file.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/shared/decimal.js';
import { parseNode } from '../../src/stock/core/nodes.js';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff, tamperAsSuperuser } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

const tamper = (statement: string) => tamperAsSuperuser(app, statement);

const digestNow = async () => {
  const reply = await app.request('GET', '/ledger/digest');
  expect(reply.status).toBe(200);
  return reply.body;
};
const verifyWith = async (digest: unknown) => {
  const reply = await app.request('POST', '/ledger/verify', { body: { digest } });
  expect(reply.status).toBe(200);
  return reply.body;
};

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Recomputes every hash of a category's chain from its rows as they now are, and its head: a perfect
 * forger's work, under whichever canonical form each row was written with (movement/v1 in JS; a
 * movement/v2 row, where the ledger has that form, with its document header and running balances).
 */
async function rechain(category: string): Promise<void> {
  const chain = (await import('../../src/stock/core/chain.js')) as unknown as Record<string, (previous: string, m: unknown) => string>;
  const rows = await app.sql(
    `SELECT m.id::text, m.document_id::text, m.category, m.sequence::text, m.lot, to_char(m.expires_on, 'YYYY-MM-DD') AS expires_on, m.quantity::text, m.from_node, m.to_node,
            m.unit_cost::text, to_char(m.occurred_at, 'YYYY-MM-DD') AS occurred_at, ${UTC('m.recorded_at')} AS recorded_at, m.user_id::text, m.reason,
            m.line::text, m.warehouse, m.warehouse_balance::text, m.warehouse_position::text, m.category_balance::text, m.category_position::text,
            coalesce((to_jsonb(m) ->> 'hash_version')::int, 1) AS hash_version,
            (SELECT json_build_object('id', d.id::text, 'type', d.type, 'warehouse', d.warehouse, 'counterpartWarehouse', d.counterpart_warehouse, 'sourceKind', d.source_kind,
                'sourceName', d.source_name, 'reference', d.reference, 'reason', d.reason, 'transferId', d.transfer_id::text, 'stocktakeId', d.stocktake_id::text,
                'reversesDocumentId', d.reverses_document_id::text, 'occurredAt', to_char(d.occurred_at, 'YYYY-MM-DD'), 'createdAt', ${UTC('d.created_at')}, 'userId', d.user_id::text)
             FROM stock_documents d WHERE d.id = m.document_id) AS doc
     FROM stock_movements m WHERE m.category = ? ORDER BY m.sequence`, [category]);
  let previous = '0'.repeat(64);
  const updates: string[] = [];
  for (const r of rows) {
    const hash = r.hash_version === 2
      ? chain.movementHashV2!(previous, {
          id: r.id, documentId: r.document_id, line: r.line, sequence: r.sequence, category: r.category, lot: r.lot, expiresOn: r.expires_on, quantity: r.quantity,
          fromNode: r.from_node, toNode: r.to_node, warehouse: r.warehouse, unitCost: r.unit_cost, occurredAt: r.occurred_at, recordedAt: r.recorded_at, userId: r.user_id,
          reason: r.reason, warehouseBalance: r.warehouse_balance, warehousePosition: r.warehouse_position, categoryBalance: r.category_balance,
          categoryPosition: r.category_position, document: r.doc,
        })
      : chain.movementHash!(previous, {
          id: r.id, documentId: r.document_id, sequence: BigInt(r.sequence), category: r.category, lot: r.lot, expiresOn: r.expires_on,
          quantity: new Decimal(r.quantity), from: parseNode(r.from_node), to: parseNode(r.to_node), unitCost: r.unit_cost === null ? null : new Decimal(r.unit_cost),
          occurredAt: r.occurred_at, recordedAt: new Date(r.recorded_at.replace(/(\.\d{3})\d{3}Z$/, '$1Z')), userId: r.user_id ?? 'system', reason: r.reason,
        });
    updates.push(`UPDATE stock_movements SET prev_hash = '${previous}', hash = '${hash}' WHERE id = '${r.id}'`);
    previous = hash;
  }
  const last = rows[rows.length - 1];
  updates.push(`UPDATE stock_chains SET last_hash = '${previous}', last_sequence = ${last ? last.sequence : 0} WHERE category = '${category}'`);
  await tamper(updates.join('; '));
}

describe('GET /ledger/digest', () => {
  it('signs the log head and the chain heads; admin and finance may ask, a keeper may not', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const digest = await digestNow();
    expect(digest).toMatchObject({ version: 'relief-ledger-digest/v1', size: expect.any(Number), root: expect.stringMatching(/^[0-9a-f]{64}$/), keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(digest.size).toBeGreaterThanOrEqual(1);
    expect(digest.heads).toContainEqual({ category: tent, sequence: '1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(digest.publicKey).toContain('BEGIN PUBLIC KEY');
    // The key lives in a file outside the cluster: nothing in the database holds it.
    const key = await readFile(app.config.ledgerDigest.keyFile, 'utf8');
    expect(key).toContain('PRIVATE KEY');
    const finance = await app.user('digest-finance', 'finance');
    expect((await app.request('GET', '/ledger/digest', { token: finance })).status).toBe(200);
    const keeper = await app.user('digest-keeper', 'keeper', ['WH-A']);
    expect((await app.request('GET', '/ledger/digest', { token: keeper })).status).toBe(403);
    expect((await app.request('POST', '/ledger/verify', { token: keeper, body: {} })).status).toBe(403);
  });

  it('POST /ledger/verify without a digest is the verify of GET /ledger/verify', async () => {
    const post = await app.request('POST', '/ledger/verify', { body: {} });
    const get = await app.request('GET', '/ledger/verify');
    expect(post.status).toBe(200);
    expect(post.body).toEqual(get.body);
    expect(post.body.ok).toBe(true);
  });
});

describe('POST /ledger/verify {digest}', () => {
  it('proves a later ledger extends an earlier digest with an RFC 6962 consistency proof', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    // More than ten movements in the log, so its positions are past the digits where text and number order part.
    const many = await Promise.all(Array.from({ length: 12 }, () => newCategory(app, 'rice')));
    expect((await receipt(app, 'WH-B', many.map((category) => ({ category, quantity: '1.5' })))).status).toBe(201);
    const earlier = await digestNow();
    expect((await verifyWith(earlier)).digest).toMatchObject({ ok: true, problems: [], proof: { from: earlier.size, to: earlier.size, verified: true } });
    await receipt(app, 'WH-A', [{ category: tent, quantity: '4' }]);
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '1' }]);
    await digestNow(); // logs the two new movements
    const result = await verifyWith(earlier);
    expect(result.ok).toBe(true);
    expect(result.digest.ok).toBe(true);
    expect(result.digest.proof).toMatchObject({ from: earlier.size, to: earlier.size + 2, verified: true });
    expect(result.digest.proof.hashes.length).toBeGreaterThan(0);
  });

  it('refuses a digest whose root, size or heads were edited, and a malformed one with 422', async () => {
    const digest = await digestNow();
    const editedRoot = await verifyWith({ ...digest, root: 'f'.repeat(64) });
    expect(editedRoot.ok).toBe(false);
    expect(editedRoot.digest.problems[0].kind).toBe('BAD_SIGNATURE');
    expect((await verifyWith({ ...digest, size: digest.size - 1 })).digest.problems[0].kind).toBe('BAD_SIGNATURE');
    expect((await verifyWith({ ...digest, heads: digest.heads.slice(1) })).digest.problems[0].kind).toBe('HEADS_ALTERED');
    expect((await verifyWith({ ...digest, keyId: '0'.repeat(16) })).digest.problems[0].kind).toBe('OTHER_KEY');
    const malformed = await app.request('POST', '/ledger/verify', { body: { digest: { size: 'x' } } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.details.map((d: { field: string }) => d.field)).toContain('digest.size');
  });
});

/** Each tamper case on a database of its own, so one forgery never shows up as another's first difference. */
function freshAppForEach(): void {
  let shared: TestApp;
  beforeEach(async () => {
    shared = app;
    app = await startTestApp();
    await seedWarehouses(app);
  });
  afterEach(async () => {
    await app.close();
    app = shared;
  });
}

describe('with superuser access, caught against a saved digest', () => {
  freshAppForEach();
  it('the recompute attack: the last movement +1, its SHA-256, the chain head and the balances recomputed — verify and check pass, the digest does not', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    await receipt(app, 'WH-A', [{ category: tent, quantity: '7' }]);
    expect(await onHand(app, 'WH-A', tent)).toBe('14');
    const saved = await digestNow();
    expect((await app.services.ledgerDigest.append('before the attack')).extendsPrevious).toBe(null);
    await receipt(app, 'WH-B', [{ category: tent, quantity: '2' }]); // later, honest work
    const [last] = await app.sql(`SELECT id::text, document_id::text FROM stock_movements WHERE category = ? AND sequence = 3`, [tent]);

    await tamper(`UPDATE stock_movements SET quantity = quantity + 1, warehouse_balance = warehouse_balance + 1, category_balance = category_balance + 1 WHERE id = '${last.id}';
      UPDATE stock_movements SET category_balance = category_balance + 1 WHERE category = '${tent}' AND sequence = 4;
      UPDATE stock_balances SET on_hand = on_hand + 1 WHERE category = '${tent}' AND warehouse = 'WH-A';
      UPDATE stock_positions SET on_hand = on_hand + 1 WHERE category = '${tent}' AND warehouse = 'WH-A';
      UPDATE stock_chains SET on_hand = on_hand + 1 WHERE category = '${tent}'`);
    await rechain(tent);
    expect(await onHand(app, 'WH-A', tent)).toBe('15');
    await expectLedgerHealthy(app); // today's verify and check are fooled

    const result = await verifyWith(saved);
    expect(result.ok).toBe(false);
    expect(result.digest.ok).toBe(false);
    expect(result.digest.firstDifference).toMatchObject({ kind: 'MOVEMENT_CHANGED', movement: { id: last.id, category: tent, sequence: '3', document: last.document_id } });
    expect(result.digest.problems).toContainEqual(expect.objectContaining({ kind: 'HEAD_CHANGED', movement: expect.objectContaining({ category: tent, sequence: '3' }) }));
    // The next digest in the log outside the database records the alarm: it does not extend the one before.
    expect((await app.services.ledgerDigest.append('after the attack')).extendsPrevious).toBe(false);
    const logged = (await readFile(app.config.ledgerDigest.logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(logged.at(-1)).toMatchObject({ reason: 'after the attack', extendsPrevious: false, problems: expect.arrayContaining([expect.objectContaining({ kind: 'MOVEMENT_CHANGED' })]) });
  });

  it('a rewrite of history before the digest (an early movement\'s reason, the whole chain recomputed after it) names that early movement', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    await receipt(app, 'WH-A', [{ category: tent, quantity: '7' }]);
    const saved = await digestNow();
    const [first] = await app.sql(`SELECT id::text FROM stock_movements WHERE category = ? AND sequence = 1`, [tent]);
    await tamper(`UPDATE stock_movements SET reason = '改写' WHERE id = '${first.id}'`);
    await rechain(tent);
    await expectLedgerHealthy(app);
    const result = await verifyWith(saved);
    expect(result.ok).toBe(false);
    expect(result.digest.firstDifference).toMatchObject({ kind: 'MOVEMENT_CHANGED', movement: { id: first.id, category: tent, sequence: '1' } });
  });

  it('deleting the newest movement with its document, head and balances put back, is reported as that movement missing', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
    const saved = await digestNow();
    const [last] = await app.sql(`SELECT id::text, document_id::text, prev_hash FROM stock_movements WHERE category = ? AND sequence = 2`, [tent]);
    await tamper(`DELETE FROM stock_movements WHERE id = '${last.id}';
      DELETE FROM stock_documents WHERE id = ${last.document_id};
      UPDATE stock_balances SET on_hand = on_hand - 5 WHERE category = '${tent}' AND warehouse = 'WH-A';
      UPDATE stock_positions SET on_hand = on_hand - 5, movements = movements - 1 WHERE category = '${tent}' AND warehouse = 'WH-A';
      UPDATE stock_chains SET on_hand = on_hand - 5, positions = positions - 1, last_sequence = 1, last_hash = '${last.prev_hash}' WHERE category = '${tent}'`);
    await expectLedgerHealthy(app);
    const result = await verifyWith(saved);
    expect(result.ok).toBe(false);
    expect(result.digest.firstDifference).toMatchObject({ kind: 'MOVEMENT_MISSING', movement: { id: last.id } });
  });

  it('deleting the movement\'s place in the Merkle log too is still caught', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    const saved = await digestNow();
    const [row] = await app.sql(`SELECT m.id::text FROM stock_movements m WHERE category = ?`, [tent]);
    await tamper(`DELETE FROM ledger_log WHERE movement_id = '${row.id}'`);
    const result = await verifyWith(saved);
    expect(result.ok).toBe(false);
    expect(result.digest.problems.map((p: { kind: string }) => p.kind)).toEqual(expect.arrayContaining([expect.stringMatching(/LOG_ALTERED|LOG_SHORTER/)]));
  });
});

describe('the digest log outside the database', () => {
  freshAppForEach();
  it('gets a digest at every month-end close, and each later one says whether it extends the one before', async () => {
    const tent = await newCategory(app, 'tent');
    const lastMonth = addDays(`${todayInCity().slice(0, 7)}-01`, -1);
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '3' }], { occurredAt: lastMonth })).status).toBe(201);
    const periods = await app.request('GET', '/periods');
    for (const p of periods.body.items.filter((i: { status: string; period: string }) => i.status === 'OPEN' && i.period < todayInCity().slice(0, 7))) {
      expect((await app.request('POST', `/periods/${p.period}/close`)).status).toBe(200);
    }
    const lines = (await readFile(app.config.ledgerDigest.logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ reason: `month-end close ${lastMonth.slice(0, 7)}`, version: 'relief-ledger-digest/v1', signature: expect.any(String) });
    const appended = await app.services.ledgerDigest.append('scheduled');
    expect(appended.extendsPrevious).toBe(true);
    // The log's newest entry verifies through the route as well.
    expect((await verifyWith(lines.at(-1))).digest.ok).toBe(true);
  });
});
