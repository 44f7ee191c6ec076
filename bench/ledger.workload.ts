// The ledger benchmark's workload: a reproducible mix of single-line receipts, write-offs and
// transfer shipments, the same operations written with bare pg (the baseline), and the set-up both share.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import '../src/shared/decimal.js';
import { todayInCity } from '../src/shared/dates.js';

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

const fakeHash = () => createHash('sha256').update(randomUUID()).digest('hex');

/**
 * One operation as a hand-written transaction with bare pg: the same rows the service writes (chain
 * head, balance, position, document, movement, and the transfer or lot row), one statement each,
 * with no validation, no hashing of content and no HTTP.
 */
export async function baselineOp(client: pg.Client, op: Op, userId: string): Promise<void> {
  const today = todayInCity();
  const incoming = op.kind === 'receipt';
  const delta = incoming ? op.quantity : `-${op.quantity}`;
  const lot = op.lot ?? '';
  const hash = fakeHash();
  await client.query('BEGIN');
  try {
    const head = await client.query<{ last_sequence: string; on_hand: string; positions: string }>(
      `UPDATE stock_chains SET last_sequence = last_sequence + 1, positions = positions + 1, on_hand = on_hand + $2, last_hash = $3, last_occurred_on = $4
       WHERE category = $1 RETURNING last_sequence, on_hand, positions`,
      [op.category, delta, hash, today],
    );
    const balance = incoming
      ? await client.query(
          `INSERT INTO stock_balances AS b (category, warehouse, lot, on_hand) VALUES ($1, $2, $3, $4)
           ON CONFLICT (category, warehouse, lot) DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand`,
          [op.category, op.warehouse, lot, op.quantity],
        )
      : await client.query(`UPDATE stock_balances SET on_hand = on_hand - $4 WHERE category = $1 AND warehouse = $2 AND lot = $3 AND on_hand - reserved >= $4`, [op.category, op.warehouse, lot, op.quantity]);
    if (balance.rowCount !== 1) throw new Error(`baseline: not enough ${op.category} in ${op.warehouse}`);
    const position = await client.query<{ on_hand: string; movements: string }>(
      incoming
        ? `INSERT INTO stock_positions AS p (category, warehouse, on_hand, movements) VALUES ($1, $2, $3, 1)
           ON CONFLICT (category, warehouse) DO UPDATE SET on_hand = p.on_hand + $3, movements = p.movements + 1 RETURNING on_hand, movements`
        : 'UPDATE stock_positions SET on_hand = on_hand + $3, movements = movements + 1 WHERE category = $1 AND warehouse = $2 RETURNING on_hand, movements',
      [op.category, op.warehouse, delta],
    );
    const type = op.kind === 'receipt' ? 'RECEIPT' : op.kind === 'writeOff' ? 'WRITE_OFF' : 'TRANSFER_SHIP';
    const document = await client.query<{ id: string }>(
      `INSERT INTO stock_documents (type, warehouse, counterpart_warehouse, source_kind, source_name, reason, occurred_at, created_at, user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8) RETURNING id`,
      [type, op.warehouse, op.to ?? null, incoming ? 'PROCUREMENT' : null, incoming ? '基准测试供应商' : null, op.kind === 'writeOff' ? 'DAMAGE' : null, today, userId],
    );
    const id = document.rows[0]!.id;
    const other = op.kind === 'receipt' ? 'SUPPLIER:基准测试供应商' : op.kind === 'writeOff' ? 'LOSS:DAMAGE' : `TRANSIT:${id}`;
    const h = head.rows[0]!;
    const p = position.rows[0]!;
    await client.query(
      `INSERT INTO stock_movements (id, document_id, line, category, sequence, lot, expires_on, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at,
         user_id, reason, prev_hash, hash, warehouse_balance, warehouse_position, category_balance, category_position)
       VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14, $15, $16, $17, $18, $19, $20)`,
      [randomUUID(), id, op.category, h.last_sequence, op.lot ?? null, op.expiresOn ?? null, op.quantity, incoming ? other : `WH:${op.warehouse}`, incoming ? `WH:${op.warehouse}` : other,
        op.warehouse, incoming ? '10.00' : null, today, userId, null, fakeHash(), hash, p.on_hand, p.movements, h.on_hand, h.positions],
    );
    if (op.kind === 'transfer') await client.query(`INSERT INTO stock_transfers (id, from_warehouse, to_warehouse, status) VALUES ($1, $2, $3, 'IN_TRANSIT')`, [id, op.warehouse, op.to]);
    if (op.lot) await client.query('INSERT INTO stock_lots (category, lot, expires_on) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [op.category, op.lot, op.expiresOn]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
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
