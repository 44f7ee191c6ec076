// The ledger benchmark's workload: a reproducible mix of single-line receipts, write-offs and
// transfer shipments (spread over many categories, or all on one), the same operations as one
// plpgsql call (the baseline, bare or behind a bare koa), and the set-up they share.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import '../src/shared/decimal.js';

export interface Op {
  kind: 'receipt' | 'writeOff' | 'transfer';
  warehouse: string;
  to?: string;
  category: string;
  lot?: string;
  expiresOn?: string;
  quantity: string;
}

export interface Universe {
  warehouses: string[];
  categories: string[];
  lotCategories: string[];
}

/** A small deterministic generator, so both runs get the very same operations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 55% receipts (a fifth of them lot-tracked), 30% write-offs, 15% transfer shipments; one movement each. */
export function workload(count: number, universe: Universe): Op[] {
  const next = random(20261128);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    const warehouse = pick(universe.warehouses);
    const quantity = String(1 + Math.floor(next() * 5));
    if (roll < 0.11) ops.push({ kind: 'receipt', warehouse, category: pick(universe.lotCategories), lot: `B-${i % 40}`, expiresOn: '2030-06-30', quantity });
    else if (roll < 0.55) ops.push({ kind: 'receipt', warehouse, category: pick(universe.categories), quantity });
    else if (roll < 0.85) ops.push({ kind: 'writeOff', warehouse, category: pick(universe.categories), quantity: '1' });
    else {
      const to = universe.warehouses[(universe.warehouses.indexOf(warehouse) + 1 + Math.floor(next() * (universe.warehouses.length - 1))) % universe.warehouses.length]!;
      ops.push({ kind: 'transfer', warehouse, to, category: pick(universe.categories), quantity: '1' });
    }
  }
  return ops;
}

/** The same mix with every operation on one category (not kept in lots): every posting waits for the one chain head. */
export function oneCategoryWorkload(count: number, universe: Universe, category: string): Op[] {
  return workload(count, { ...universe, categories: [category], lotCategories: [] }).map((op) => (op.lot ? { kind: 'receipt', warehouse: op.warehouse, category, quantity: op.quantity } : { ...op, category }));
}

export function requestOf(op: Op): { path: string; body: object } {
  const line = { category: op.category, quantity: op.quantity };
  switch (op.kind) {
    case 'receipt':
      return { path: '/receipts', body: { warehouse: op.warehouse, source: { kind: 'PROCUREMENT', name: '基准测试供应商' }, lines: [{ ...line, unitCost: '10.00', ...(op.lot ? { lot: op.lot, expiresOn: op.expiresOn } : {}) }] } };
    case 'writeOff':
      return { path: '/write-offs', body: { warehouse: op.warehouse, reason: 'DAMAGE', lines: [line] } };
    case 'transfer':
      return { path: '/transfers', body: { from: op.warehouse, to: op.to, lines: [line] } };
  }
}

/**
 * The baseline: the same durable work as the service, written as lean as it goes, in one round trip.
 * A plpgsql function of typed scalars passes the period gate, locks the category's chain head, takes
 * the decrement conditionally (or adds), moves the position, writes the document and the movement
 * with its running balances and a SHA-256 over its content and its document's header chained on the
 * head, advances the head, and writes the transfer or lot row. No validation, no JSON, no HTTP.
 */
export const BASELINE_FUNCTION_SQL = `
  CREATE OR REPLACE FUNCTION bench_post(kind text, p_category text, p_warehouse text, p_to text, p_lot text, p_expires date, qty numeric, p_user bigint)
  RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    delta numeric := CASE WHEN kind = 'receipt' THEN qty ELSE -qty END;
    closed date;
    h record;
    pos record;
    doc_id bigint;
    other text;
    mid uuid := gen_random_uuid();
    at timestamptz := now();
    today date := current_date;
    content text;
    digest text;
  BEGIN
    closed := stock_posting_gate();
    IF closed IS NOT NULL AND today <= closed THEN RAISE EXCEPTION 'closed'; END IF;
    SELECT last_sequence, last_hash, on_hand, positions INTO h FROM stock_chains WHERE category = p_category FOR UPDATE;
    IF delta < 0 THEN
      UPDATE stock_balances SET on_hand = on_hand + delta WHERE category = p_category AND warehouse = p_warehouse AND lot = coalesce(p_lot, '') AND on_hand - reserved + delta >= 0;
      IF NOT FOUND THEN RAISE EXCEPTION 'not enough % in %', p_category, p_warehouse; END IF;
      UPDATE stock_positions SET on_hand = on_hand + delta, movements = movements + 1 WHERE category = p_category AND warehouse = p_warehouse RETURNING on_hand, movements INTO pos;
    ELSE
      INSERT INTO stock_balances AS b (category, warehouse, lot, on_hand) VALUES (p_category, p_warehouse, coalesce(p_lot, ''), delta)
      ON CONFLICT (category, warehouse, lot) DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand;
      INSERT INTO stock_positions AS s (category, warehouse, on_hand, movements) VALUES (p_category, p_warehouse, delta, 1)
      ON CONFLICT (category, warehouse) DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand, movements = s.movements + 1 RETURNING on_hand, movements INTO pos;
    END IF;
    INSERT INTO stock_documents (type, warehouse, counterpart_warehouse, source_kind, source_name, reason, occurred_at, created_at, user_id)
    VALUES (CASE kind WHEN 'receipt' THEN 'RECEIPT' WHEN 'writeOff' THEN 'WRITE_OFF' ELSE 'TRANSFER_SHIP' END, p_warehouse, p_to,
            CASE WHEN kind = 'receipt' THEN 'PROCUREMENT' END, CASE WHEN kind = 'receipt' THEN '基准测试供应商' END, CASE WHEN kind = 'writeOff' THEN 'DAMAGE' END, today, at, p_user)
    RETURNING id INTO doc_id;
    other := CASE kind WHEN 'receipt' THEN 'SUPPLIER:基准测试供应商' WHEN 'writeOff' THEN 'LOSS:DAMAGE' ELSE 'TRANSIT:' || doc_id END;
    content := json_build_array('bench', mid, doc_id, 1, h.last_sequence + 1, p_category, p_lot, p_expires, qty, other, p_warehouse, today, at, p_user,
                                pos.on_hand, pos.movements, h.on_hand + delta, h.positions + 1, kind, p_to)::text;
    digest := encode(sha256(convert_to(h.last_hash || content, 'UTF8')), 'hex');
    INSERT INTO stock_movements (id, document_id, line, category, sequence, lot, expires_on, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at,
      user_id, reason, prev_hash, hash, warehouse_balance, warehouse_position, category_balance, category_position, hash_version)
    VALUES (mid, doc_id, 1, p_category, h.last_sequence + 1, p_lot, p_expires, qty, CASE WHEN delta > 0 THEN other ELSE 'WH:' || p_warehouse END,
            CASE WHEN delta > 0 THEN 'WH:' || p_warehouse ELSE other END, p_warehouse, CASE WHEN delta > 0 THEN 10.00 END, today, at, p_user, NULL, h.last_hash, digest,
            pos.on_hand, pos.movements, h.on_hand + delta, h.positions + 1, 2);
    UPDATE stock_chains SET last_sequence = h.last_sequence + 1, last_hash = digest, on_hand = h.on_hand + delta, positions = h.positions + 1,
           last_occurred_on = greatest(last_occurred_on, today)
    WHERE category = p_category;
    IF kind = 'transfer' THEN INSERT INTO stock_transfers (id, from_warehouse, to_warehouse, status) VALUES (doc_id, p_warehouse, p_to, 'IN_TRANSIT'); END IF;
    IF p_lot IS NOT NULL THEN INSERT INTO stock_lots (category, lot, expires_on) VALUES (p_category, p_lot, p_expires) ON CONFLICT DO NOTHING; END IF;
    RETURN doc_id;
  END $$`;

const BASELINE_CALL = { name: 'bench_post', text: 'SELECT bench_post($1, $2, $3, $4, $5, $6, $7, $8) AS id' };

export function baselineValues(op: Op, userId: string): unknown[] {
  return [op.kind, op.category, op.warehouse, op.to ?? null, op.lot ?? null, op.expiresOn ?? null, op.quantity, userId];
}

/** One operation in one round trip (autocommit: the function call is the transaction). */
export async function baselineOp(client: pg.ClientBase, op: Op, userId: string): Promise<void> {
  await client.query({ ...BASELINE_CALL, values: baselineValues(op, userId) });
}

/** Runs `ops` with `clients` concurrent workers, each taking the next operation when it is free. */
export async function runConcurrently<C>(ops: readonly Op[], clients: C[], run: (client: C, op: Op) => Promise<void>, onProgress?: (done: number) => void): Promise<number> {
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      while (next < ops.length) {
        const op = ops[next++]!;
        await run(client, op);
        if (++done % 5000 === 0) onProgress?.(done);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The server processes of a database's open connections, to charge them their CPU. */
export async function backendPids(url: string, database: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return rows.rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}
