// Proves the movement/v2 hash covers everything shown: the database's canonical text equals the JS one (decimals with trailing zeros, nulls, Chinese and escaped text), postings verify, and a movement's running balance or its document's reason, supplier, reference, business date or user edited with triggers off is reported by /ledger/verify at that movement; rows hashed under movement/v1 keep verifying beside v2 rows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, receipt, seedWarehouses, writeOff, tamperAsSuperuser } from '../http/stock.fixtures.js';
import { type StoredMovement, canonicalMovementV2, movementHash } from '../../src/stock/core/chain.js';
import { Decimal } from '../../src/shared/decimal.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

const tamper = (statement: string) => tamperAsSuperuser(app, statement);

async function problems(): Promise<{ category: string; sequence: string; kind: string }[]> {
  const verify = await app.request('GET', '/ledger/verify');
  expect(verify.status).toBe(200);
  return verify.body.problems;
}

const TRICKY = '某某基金会 "救灾" \\ 专项\n\t\u0001 😀 \u2028 end';
/** What a request may carry (no control characters). */
const PRINTABLE = '某某基金会 "救灾" \\ 专项 😀 end';

describe('the database and JS write the same canonical text', () => {
  it('for decimals with trailing zeros, nulls, Chinese and escaped text', async () => {
    const doc = {
      id: '41', type: 'RECEIPT', warehouse: 'WH-A', counterpart_warehouse: null, source_kind: 'DONATION', source_name: TRICKY, reference: 'JZ/001', reason: '捐赠入库',
      transfer_id: null, stocktake_id: null, reverses_document_id: null, occurred_at: '2026-11-20', created_at: '2026-12-01T02:03:04.005123Z', user_id: '7',
    };
    const row = {
      id: '00000000-0000-4000-8000-000000000001', document_id: '41', line: 1, category: 'JY-YY-0018', sequence: 12, lot: null, expires_on: null, quantity: '1.500',
      from_node: `DONOR:${TRICKY}`, to_node: 'WH:WH-A', warehouse: 'WH-A', unit_cost: '4200.10', occurred_at: '2026-11-20', recorded_at: '2026-12-01T02:03:04.005123Z',
      user_id: null, reason: TRICKY, warehouse_balance: '100.000', warehouse_position: 3, category_balance: '0.000', category_position: 9, prev_hash: '0'.repeat(64), hash: '0'.repeat(64),
    };
    const [{ sql }] = await app.sql(
      `SELECT stock_movement_canonical(jsonb_populate_record(NULL::stock_movements, ?::jsonb), stock_document_canonical(jsonb_populate_record(NULL::stock_documents, ?::jsonb))) AS sql`,
      [JSON.stringify(row), JSON.stringify(doc)],
    );
    const stored: StoredMovement = {
      id: row.id, documentId: '41', line: '1', sequence: '12', category: row.category, lot: null, expiresOn: null, quantity: '1.500', fromNode: row.from_node, toNode: row.to_node,
      warehouse: 'WH-A', unitCost: '4200.10', occurredAt: '2026-11-20', recordedAt: '2026-12-01T02:03:04.005123Z', userId: null, reason: TRICKY, warehouseBalance: '100.000',
      warehousePosition: '3', categoryBalance: '0.000', categoryPosition: '9',
      document: {
        id: '41', type: 'RECEIPT', warehouse: 'WH-A', counterpartWarehouse: null, sourceKind: 'DONATION', sourceName: TRICKY, reference: 'JZ/001', reason: '捐赠入库', transferId: null,
        stocktakeId: null, reversesDocumentId: null, occurredAt: '2026-11-20', createdAt: '2026-12-01T02:03:04.005123Z', userId: '7',
      },
    };
    expect(sql).toBe(canonicalMovementV2(stored));
    expect(sql).toContain('"1.5"');
    expect(sql).toContain('"4200.1"');
    expect(sql).toContain('"100","3","0","9"');
  });

  it('for postings through the service, which verify', async () => {
    const rice = await newCategory(app, 'rice');
    const posted = await app.request('POST', '/receipts', {
      body: { warehouse: 'WH-A', source: { kind: 'DONATION', name: PRINTABLE, reference: '捐-2026/001' }, note: PRINTABLE, lines: [{ category: rice, quantity: '1.500', unitCost: '10.10' }] },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect((await writeOff(app, 'WH-A', [{ category: rice, quantity: '0.25' }])).status).toBe(201);
    const rows = await app.sql(`SELECT hash_version, hash FROM stock_movements WHERE category = ? ORDER BY sequence`, [rice]);
    expect(rows.map((r) => r.hash_version)).toEqual([2, 2]);
    await expectLedgerHealthy(app);
  });
});

describe('every shown field is covered', () => {
  it('an edit of the document header or of a running balance is reported at the movement; undone, the ledger is healthy again', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]);
    await expectLedgerHealthy(app);
    const [{ document_id: receiptId }] = await app.sql(`SELECT document_id::text FROM stock_movements WHERE category = ? AND sequence = 2`, [tent]);
    const [{ document_id: writeOffId }] = await app.sql(`SELECT document_id::text FROM stock_movements WHERE category = ? AND sequence = 3`, [tent]);
    const otherKeeper = await app.user(`keeper-v2-${tent}`, 'keeper', ['WH-A']);
    expect(otherKeeper).toBeTruthy();
    const [{ id: otherUser }] = await app.sql(`SELECT id::text FROM users WHERE name = ?`, [`keeper-v2-${tent}`]);

    const documentEdits: [string, string, string][] = [
      [receiptId, `source_name = '另一家公司'`, `source_name = '某应急物资公司'`],
      [receiptId, `reference = 'CG-2026-999'`, `reference = 'CG-2026-001'`],
      [receiptId, `source_kind = 'DONATION'`, `source_kind = 'PROCUREMENT'`],
      [receiptId, `occurred_at = occurred_at - 1`, `occurred_at = occurred_at + 1`],
      [receiptId, `user_id = ${Number(otherUser)}`, `user_id = (SELECT user_id FROM stock_movements WHERE document_id = ${receiptId} LIMIT 1)`],
      [writeOffId, `reason = '正常损耗'`, `reason = 'DAMAGE'`],
      [writeOffId, `type = 'STOCKTAKE'`, `type = 'WRITE_OFF'`],
    ];
    for (const [id, edit, undo] of documentEdits) {
      const sequence = id === receiptId ? '2' : '3';
      await tamper(`UPDATE stock_documents SET ${edit} WHERE id = ${id}`);
      expect(await problems(), edit).toEqual([expect.objectContaining({ category: tent, sequence, kind: 'ROW_ALTERED' })]);
      await tamper(`UPDATE stock_documents SET ${undo} WHERE id = ${id}`);
      expect(await problems(), undo).toEqual([]);
    }

    const movementEdits: [string, string][] = [
      ['warehouse_balance = warehouse_balance + 1', 'warehouse_balance = warehouse_balance - 1'],
      ['category_balance = category_balance + 1', 'category_balance = category_balance - 1'],
      ['warehouse_position = warehouse_position + 10', 'warehouse_position = warehouse_position - 10'],
      ['category_position = category_position + 10', 'category_position = category_position - 10'],
      ['line = line + 1', 'line = line - 1'],
      ['hash_version = 1', 'hash_version = 2'],
    ];
    for (const [edit, undo] of movementEdits) {
      await tamper(`UPDATE stock_movements SET ${edit} WHERE category = '${tent}' AND sequence = 2`);
      expect(await problems(), edit).toEqual([expect.objectContaining({ category: tent, sequence: '2', kind: 'ROW_ALTERED' })]);
      await tamper(`UPDATE stock_movements SET ${undo} WHERE category = '${tent}' AND sequence = 2`);
    }
    await expectLedgerHealthy(app);
  });
});

describe('rows hashed under movement/v1', () => {
  it('keep verifying, chain on into v2 rows, and are still caught when edited', async () => {
    const tent = await newCategory(app, 'tent');
    const [{ id: userId }] = await app.sql(`SELECT id::text FROM users WHERE name = 'admin'`);
    const [{ id: documentId }] = await app.sql(`SELECT nextval('stock_documents_id_seq')::text AS id`);
    const recordedAt = new Date('2026-11-02T03:04:05.678Z');
    const id = randomUUID();
    const v1 = movementHash('0'.repeat(64), {
      id, documentId, sequence: 1n, category: tent, lot: null, expiresOn: null, quantity: new Decimal(4), from: { kind: 'OPENING' }, to: { kind: 'WH', code: 'WH-B' },
      unitCost: null, occurredAt: '2026-11-02', recordedAt, userId, reason: '期初',
    } as Parameters<typeof movementHash>[1]);
    await tamper(`
      INSERT INTO stock_documents (id, type, warehouse, reason, occurred_at, created_at, user_id) VALUES (${documentId}, 'OPENING', 'WH-B', '期初', '2026-11-02', '${recordedAt.toISOString()}', ${userId});
      INSERT INTO stock_movements (id, document_id, line, category, sequence, quantity, from_node, to_node, warehouse, occurred_at, recorded_at, user_id, reason, prev_hash, hash,
                                   warehouse_balance, warehouse_position, category_balance, category_position)
      VALUES ('${id}', ${documentId}, 1, '${tent}', 1, 4, 'OPENING', 'WH:WH-B', 'WH-B', '2026-11-02', '${recordedAt.toISOString()}', ${userId}, '期初', repeat('0', 64), '${v1}', 4, 1, 4, 1);
      INSERT INTO stock_chains (category, last_sequence, last_hash, on_hand, positions, last_occurred_on) VALUES ('${tent}', 1, '${v1}', 4, 1, '2026-11-02');
      INSERT INTO stock_balances (category, warehouse, lot, on_hand) VALUES ('${tent}', 'WH-B', '', 4);
      INSERT INTO stock_positions (category, warehouse, on_hand, movements) VALUES ('${tent}', 'WH-B', 4, 1)`);
    expect((await receipt(app, 'WH-B', [{ category: tent, quantity: '6' }])).status).toBe(201);
    const rows = await app.sql(`SELECT hash_version, prev_hash, hash FROM stock_movements WHERE category = ? ORDER BY sequence`, [tent]);
    expect(rows.map((r) => r.hash_version)).toEqual([1, 2]);
    expect(rows[1].prev_hash).toBe(v1);
    await expectLedgerHealthy(app);

    await tamper(`UPDATE stock_movements SET reason = '改过' WHERE category = '${tent}' AND sequence = 1`);
    expect(await problems()).toEqual([expect.objectContaining({ category: tent, sequence: '1', kind: 'ROW_ALTERED' })]);
    await tamper(`UPDATE stock_movements SET reason = '期初' WHERE category = '${tent}' AND sequence = 1`);
    await tamper(`UPDATE stock_movements SET hash_version = 2 WHERE category = '${tent}' AND sequence = 1`);
    expect(await problems()).toEqual([expect.objectContaining({ category: tent, sequence: '1', kind: 'ROW_ALTERED' })]);
    await tamper(`UPDATE stock_movements SET hash_version = 1 WHERE category = '${tent}' AND sequence = 1`);
    await expectLedgerHealthy(app);
  });
});
