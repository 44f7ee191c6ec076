// Proves that a backup taken over HTTP while receipts are being posted, restored by the CLI into a new data folder and served by a freshly started service, holds every document acknowledged before the backup began exactly once, nothing posted after it, no document without all its movements, and passes the ledger check and verify.
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { runCli, startService, type ServiceChild } from '../support/children.js';
import { newCategory, receipt, seedWarehouses } from '../http/stock.fixtures.js';

let app: TestApp;
let dir: string;
let tent: string;
let rice: string;

beforeAll(async () => {
  dir = await mkdtemp(join(inject('runTempDir'), 'backup-'));
  // The embedded PostgreSQL runs as the postgres user, which must enter the folders it restores into.
  await chmod(inject('runTempDir'), 0o755);
  await chmod(dir, 0o755);
  app = await startTestApp({ backup: { dir: join(dir, 'backups'), everyMs: null, keep: 7 } });
  await seedWarehouses(app);
  tent = await newCategory(app, 'tent');
  rice = await newCategory(app, 'rice');
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Ack {
  n: number;
  id: string;
  sentAt: number;
}

/** Writers posting two-line receipts (with Idempotency-Key) until told to stop. */
function writeLoad(writers: number) {
  const acks: Ack[] = [];
  let counter = 0;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const n = ++counter;
      const sentAt = Date.now();
      const reply = await receipt(app, 'WH-A', [{ category: tent, quantity: '2' }, { category: rice, quantity: '1.250' }], { headers: { 'idempotency-key': `bk-${n}` }, donor: `捐赠人 BK-${n}` });
      if (reply.status !== 201) throw new Error(`receipt ${n}: ${reply.status} ${JSON.stringify(reply.body)}`);
      acks.push({ n, id: reply.body.id, sentAt });
    }
  };
  const running = Promise.all(Array.from({ length: writers }, loop));
  return {
    acks,
    until: async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    stop: () => ((stop = true), running),
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('backup under write load, restore, serve', () => {
  it('every acknowledged document is there once, nothing later, nothing half, and the ledger proves itself', async () => {
    const load = writeLoad(4);
    await load.until(() => load.acks.length >= 20);
    const before = [...load.acks];
    const backup = await app.request('POST', '/backups', { body: {}, headers: { 'idempotency-key': 'backup-1' } });
    const backupReturned = Date.now();
    await load.until(() => load.acks.filter((a) => a.sentAt > backupReturned).length >= 8);
    await load.stop();
    expect(backup.status, JSON.stringify(backup.body)).toBe(201);
    const after = load.acks.filter((a) => a.sentAt > backupReturned);
    const { file, manifest } = backup.body;
    expect(manifest.migrations.length).toBeGreaterThanOrEqual(5);
    expect(manifest.ledger.signedDigest).toBeNull();
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    const health = await app.request('GET', '/health', { token: null });
    expect(health.body.backup.lastGood).toMatchObject({ file, snapshotAt: manifest.snapshotAt });
    expect((await app.request('GET', '/backups')).body.items[0]).toMatchObject({ file, sha256: manifest.sha256 });

    const target = join(dir, 'restored');
    const restored = await runCli(['restore', join(dir, 'backups', file), '--data-dir', target]);
    expect(restored.code, restored.stderr).toBe(0);
    const report = JSON.parse(restored.stdout);
    expect(report.proof).toMatchObject({ rowCounts: 'match', check: { ok: true }, verify: { ok: true } });
    expect(report.laterMigrations).toEqual([]);

    let service: ServiceChild | null = await startService(target);
    try {
      const get = async (path: string) => (await fetch(service!.base + path, { headers: { authorization: `Bearer ${app.adminToken}` } })).json() as Promise<any>;
      expect(await get('/ledger/verify')).toMatchObject({ ok: true, problems: [] });
      expect(await get('/ledger/check')).toMatchObject({ ok: true, discrepancies: [] });
      const documents = await query<{ id: string; source_name: string; lines: number }>(service.databaseUrl,
        `SELECT d.id::text, d.source_name, (SELECT count(*)::int FROM stock_movements m WHERE m.document_id = d.id) AS lines FROM stock_documents d WHERE d.source_name LIKE '捐赠人 BK-%'`);
      const byName = new Map<string, number>();
      for (const d of documents) byName.set(d.source_name, (byName.get(d.source_name) ?? 0) + 1);
      for (const ack of before) expect(byName.get(`捐赠人 BK-${ack.n}`), `receipt ${ack.n} acknowledged before the backup`).toBe(1);
      for (const ack of after) expect(byName.has(`捐赠人 BK-${ack.n}`), `receipt ${ack.n} posted after the backup`).toBe(false);
      expect(documents.filter((d) => d.lines !== 2)).toEqual([]);
      // Every idempotency key restored has its reply: a retry against the restored service replays, not re-posts.
      expect(await query(service.databaseUrl, 'SELECT key FROM idempotency_keys WHERE status_code IS NULL')).toEqual([]);
      const heads = await query<{ category: string; last_sequence: string; last_hash: string }>(service.databaseUrl, `SELECT category, last_sequence::text, last_hash FROM stock_chains WHERE last_sequence > 0 ORDER BY category`);
      expect(heads.map((h) => ({ category: h.category, lastSequence: h.last_sequence, lastHash: h.last_hash }))).toEqual(manifest.ledger.chainHeads);
      // The restored service keeps working: its sequences continue past every restored id.
      const more = await fetch(`${service.base}/receipts`, {
        method: 'POST', headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ warehouse: 'WH-A', source: { kind: 'DONATION', name: '恢复后' }, lines: [{ category: tent, quantity: '1' }] }),
      });
      expect(more.status).toBe(201);
      expect(await get('/ledger/verify')).toMatchObject({ ok: true });
    } finally {
      await service.stop();
      service = null;
    }
  }, 240_000);
});
