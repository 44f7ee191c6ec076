// Proves that stock_post_document's path for a single-line document (one movement in the one category
// locked) writes exactly what its general path writes: the same document and movement rows, hashes,
// running balances, projections, chain head, lots and transfer, the same reply, the same shortage
// error and the same stale reply. Each payload is posted once as is and once with a second category
// locked (which sends it down the general path), each time rolled back, and the two outcomes compared.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses } from '../http/stock.fixtures.js';

let app: TestApp;
let userId: string;
let other: string;
let nextId = 900_000;

beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  [{ userId }] = await app.sql<{ userId: string }>(`SELECT id::text AS "userId" FROM users ORDER BY id LIMIT 1`);
  // A category with a head already, to widen the lock with.
  other = await newCategory(app, 'tent');
  expect((await receipt(app, 'WH-B', [{ category: other, quantity: '1' }])).status).toBe(201);
  // Rows without the times their defaults stamp (each outcome is a transaction of its own).
  await app.sql(`CREATE FUNCTION untimed(fields jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT jsonb_object_agg(k, v) FROM jsonb_each(fields) AS e(k, v) WHERE k NOT LIKE '%\\_at' $$`);
  // The outcome of one posting, rolled back: its reply (or error) and every row it may have written.
  await app.sql(`
    CREATE FUNCTION test_posting_outcome(shipment boolean, p jsonb) RETURNS text LANGUAGE plpgsql AS $$
    DECLARE
      reply jsonb;
      doc bigint := (p->'document'->>'id')::bigint;
      cat text := p->'movements'->0->>'category';
      state text;
      message text;
      detail text;
    BEGIN
      BEGIN
        reply := CASE WHEN shipment THEN stock_post_transfer_shipment(p) ELSE stock_post_document(p) END;
        RAISE EXCEPTION USING ERRCODE = 'TST01', MESSAGE = reply::text
          || ' M ' || coalesce((SELECT string_agg(t::text, ';' ORDER BY t.line) FROM stock_movements t WHERE t.document_id = doc), '')
          || ' D ' || coalesce((SELECT t::text FROM stock_documents t WHERE t.id = doc), '')
          || ' T ' || coalesce((SELECT untimed(to_jsonb(t))::text FROM stock_transfers t WHERE t.id = doc), '')
          || ' B ' || coalesce((SELECT string_agg(t::text, ';' ORDER BY t.warehouse, t.lot) FROM stock_balances t WHERE t.category = cat), '')
          || ' P ' || coalesce((SELECT string_agg(t::text, ';' ORDER BY t.warehouse) FROM stock_positions t WHERE t.category = cat), '')
          || ' C ' || coalesce((SELECT t::text FROM stock_chains t WHERE t.category = cat), '')
          || ' L ' || coalesce((SELECT string_agg(untimed(to_jsonb(t))::text, ';' ORDER BY t.lot) FROM stock_lots t WHERE t.category = cat), '');
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
        RETURN state || ' ' || message || ' ' || coalesce(detail, '');
      END;
    END $$`);
});
afterAll(() => app.close());

interface Line {
  category: string;
  warehouse: string;
  /** Signed: into the warehouse when positive. */
  delta: string;
  lot?: { lot: string; expiresOn: string; isNew: boolean };
  type?: 'RECEIPT' | 'WRITE_OFF' | 'TRANSFER_SHIP';
  active?: boolean;
}

/** A single-line payload as ledger.post.ts builds it. */
function payload(line: Line) {
  const type = line.type ?? (line.delta.startsWith('-') ? 'WRITE_OFF' : 'RECEIPT');
  const quantity = line.delta.replace('-', '');
  const into = !line.delta.startsWith('-');
  const [from, to] =
    type === 'RECEIPT' ? ['SUPPLIER:某应急物资公司', `WH:${line.warehouse}`] : type === 'WRITE_OFF' ? [`WH:${line.warehouse}`, 'LOSS:DAMAGE'] : [`WH:${line.warehouse}`, 'TRANSIT:0'];
  const row = { category: line.category, warehouse: line.warehouse, lot: line.lot?.lot ?? '', delta: line.delta };
  return {
    closed_through: null,
    categories: [line.category],
    rules: [{ code: line.category, scale: 0, lot_tracked: line.lot !== undefined }],
    warehouses: type === 'TRANSFER_SHIP' ? [{ code: line.warehouse, active: line.active ?? true }, { code: 'WH-B', active: true }] : [{ code: line.warehouse, active: line.active ?? true }],
    document: {
      id: String(++nextId), type, warehouse: line.warehouse, counterpart_warehouse: type === 'TRANSFER_SHIP' ? 'WH-B' : null, source_kind: type === 'RECEIPT' ? 'PROCUREMENT' : null,
      source_name: type === 'RECEIPT' ? '某应急物资公司' : null, reference: 'CG "1"\\', reason: type === 'WRITE_OFF' ? '破损' : null, transfer_id: null, stocktake_id: null,
      reverses_document_id: null, occurred_at: '2026-11-20', created_at: '2026-12-01T02:03:04.005123Z', user_id: userId,
    },
    movements: [{
      line: 1, id: randomUUID(), category: line.category, lot: line.lot?.lot ?? null, expires_on: line.lot?.expiresOn ?? null, quantity, from_node: from, to_node: to,
      warehouse: line.warehouse, unit_cost: type === 'RECEIPT' ? '10.50' : null, seq_n: 1, wh_cum: line.delta, wh_n: 1, cat_cum: line.delta, cat_n: 1,
    }],
    take: into ? [] : [{ ...row, n: 0 }],
    add: into ? [row] : [],
    positions: [{ category: line.category, warehouse: line.warehouse, delta: line.delta, movements: 1 }],
    heads: [{ category: line.category, delta: line.delta, positions: 1, line: 1 }],
    lots: line.lot?.isNew ? [{ category: line.category, lot: line.lot.lot, expires_on: line.lot.expiresOn }] : [],
  };
}

type Payload = ReturnType<typeof payload>;

/** The same document with a second category locked: stock_post_document takes its general path. */
function widened(p: Payload): Payload {
  const categories = [...p.categories, other].sort();
  return { ...p, categories, rules: [...p.rules, { code: other, scale: 0, lot_tracked: false }] };
}

async function outcome(p: Payload, shipment = false): Promise<string> {
  const [{ outcome: text }] = await app.sql<{ outcome: string }>('SELECT test_posting_outcome(?, ?::jsonb) AS outcome', [shipment, JSON.stringify(p)]);
  return text;
}

/** Both paths' outcome, once they are shown to be the same. */
async function bothPaths(p: Payload, shipment = false): Promise<string> {
  const single = await outcome(p, shipment);
  expect(await outcome(widened(p), shipment)).toBe(single);
  return single;
}

describe('a single-line document posts as the general path posts it', () => {
  it('receipts into a new category (no head yet) and into a position that exists, and write-offs', async () => {
    const tent = await newCategory(app, 'tent');
    const first = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '5' }));
    expect(first).toMatch(/^TST01 \{"lines": \[1\], "hashes": \["[0-9a-f]{64}"\], "status": "ok", "sequences": \[1\], "document_id": "\d+"\} M \(/);
    expect(first).toContain(',5.000,1,5.000,1,2)');

    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '7' }])).status).toBe(201);
    const more = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '3' }));
    expect(more).toContain('"sequences": [2]');
    expect(more).toContain(',10.000,2,10.000,2,2)');
    const taken = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '-4' }));
    expect(taken).toContain('B (' + tent + ',WH-A,"",3.000,0.000)');
  });

  it('refuses a write-off beyond the stock with the same shortages, and a changed warehouse as stale', async () => {
    const tent = await newCategory(app, 'tent');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '2' }])).status).toBe(201);
    const short = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '-3' }));
    expect(short).toBe(`LDG01 INSUFFICIENT_STOCK [{"lot": "", "category": "${tent}", "available": "2.000", "requested": "3", "warehouse": "WH-A"}]`);
    const stale = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '1', active: false }));
    expect(stale).toMatch(/^TST01 \{"status": "stale"\} M {2}D {2}T /);
  });

  it('receives a new lot, and takes a known lot with another expiry as stale', async () => {
    const water = await newCategory(app, 'water');
    const lot = await bothPaths(payload({ category: water, warehouse: 'WH-A', delta: '6', lot: { lot: 'L1', expiresOn: '2027-06-30', isNew: true } }));
    expect(lot).toContain(`L {"lot": "L1", "status": "AVAILABLE", "category": "${water}", "expires_on": "2027-06-30", "status_reason": null, "status_user_id": null}`);
    expect((await receipt(app, 'WH-A', [{ category: water, quantity: '1', lot: 'L2', expiresOn: '2027-01-31' }])).status).toBe(201);
    const stale = await bothPaths(payload({ category: water, warehouse: 'WH-A', delta: '1', lot: { lot: 'L2', expiresOn: '2027-02-28', isNew: true } }));
    expect(stale).toMatch(/^TST01 \{"status": "stale"\}/);
  });

  it('ships a transfer, opening it and naming its TRANSIT node', async () => {
    const tent = await newCategory(app, 'tent');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '9' }])).status).toBe(201);
    const shipped = await bothPaths(payload({ category: tent, warehouse: 'WH-A', delta: '-2', type: 'TRANSFER_SHIP' }), true);
    expect(shipped).toMatch(/,WH:WH-A,TRANSIT:(\d+),WH-A,.* T \{"id": \1, .*"status": "IN_TRANSIT"/);
  });
});
