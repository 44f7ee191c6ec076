// Benchmark: one payout batch of N approved claims through the service (create the batch, export the xlsx
// bank file, confirm every line from the bank's return file), against a baseline in the same run doing the
// same durable work with bare SQL and exceljs (batch and lines, the workbook, payment rows, claim totals and
// statuses, history rows, line outcomes) on an identical database.
// Usage: npm run bench:payouts [-- --claims 10000]
import ExcelJS from 'exceljs';
import pg from 'pg';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../src/config.js';
import { openOrm } from '../src/db/orm.js';
import { buildServices } from '../src/services.js';
import { addDays, todayInCity } from '../src/shared/dates.js';
import { flag, fmt, startBenchPostgres, timed, withClient } from './support.js';

const N = flag('claims', 10_000);
const TODAY = todayInCity();

/** N approved PUBLIC_LIABILITY claims of 1.00 .. N/100 yuan, inserted in one statement (the claims bench measures intake). */
async function seed(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`INSERT INTO users (name, role, warehouses, active, created_at) VALUES ('bench-finance', 'finance', '{}', true, now()) ON CONFLICT DO NOTHING`);
    const { rows: [user] } = await client.query(`SELECT id FROM users WHERE name = 'bench-finance'`);
    const { rows: [event] } = await client.query(`INSERT INTO claim_events (type, name, occurred_on, district, created_by) VALUES ('TYPHOON', '台风 基准', $1, '市南区', $2) RETURNING id`, [addDays(TODAY, -20), user.id]);
    await client.query(
      `INSERT INTO claims (product, product_version, policy_year, event_id, status, claimant_name, id_number, phone, has_medical_insurance,
         bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description, benefits, approved_on, payment_due_on, approved_total, created_by)
       SELECT 'PUBLIC_LIABILITY', 1, 2024, $1, 'APPROVED', '张' || g, lpad(g::text, 17, '0') || '0', '13800000000', true,
              '张' || g, '6222' || lpad(g::text, 15, '0'), '中国工商银行青岛分行', $2, $2, '基准', ARRAY['MEDICAL'], $3, $4, (g / 100.0)::numeric(14,2) + 1, $5
         FROM generate_series(1, $6) AS g`,
      [event.id, addDays(TODAY, -20), TODAY, addDays(TODAY, 10), user.id, N],
    );
  });
}

interface Steps { batch: number; file: number; confirm: number }

async function service(url: string): Promise<Steps> {
  const orm = await openOrm({ url, poolMax: 10 });
  const services = buildServices(orm, loadConfig({}));
  await seed(url);
  const [user] = await orm.em.getConnection().execute(`SELECT id FROM users WHERE name = 'bench-finance'`);
  const actor = { id: String(user.id), name: 'bench-finance', role: 'finance' as const, warehouses: [] };
  const batch = await timed(() => services.payouts.createBatch(actor, { product: 'PUBLIC_LIABILITY' }));
  if (batch.result.lineCount !== N) throw new Error(`batch has ${batch.result.lineCount} lines, not ${N}`);
  const file = await timed(() => services.payouts.bankFile(actor, batch.result.id, 'xlsx'));
  const returnFile = ['用途,状态,银行流水号,交易日期', ...batch.result.lines.map((line: any) => `${line.claim},成功,BK${line.position},${TODAY}`)].join('\n');
  const confirm = await timed(() => services.payouts.confirmFromReturnFile(actor, batch.result.id, Buffer.from(returnFile), undefined, 500_000));
  if (confirm.result.paid !== N) throw new Error(`confirmed ${confirm.result.paid}, not ${N}`);
  console.log(`  service: bank file ${fmt(file.result.body.length / 1024)} KiB`);
  await orm.close(true);
  return { batch: batch.seconds, file: file.seconds, confirm: confirm.seconds };
}

/** The same rows written with bare SQL (one statement per table) and the same workbook written by exceljs. */
async function baseline(url: string): Promise<Steps> {
  const orm = await openOrm({ url, poolMax: 2 });
  await orm.close(true);
  await seed(url);
  return withClient(url, async (client: pg.Client) => {
    const { rows: [user] } = await client.query(`SELECT id FROM users WHERE name = 'bench-finance'`);
    const batch = await timed(async () => {
      await client.query('BEGIN');
      const { rows: [b] } = await client.query(`INSERT INTO payout_batches (line_count, total, created_by) SELECT count(*), sum(approved_total), $1 FROM claims WHERE status = 'APPROVED' RETURNING id`, [user.id]);
      await client.query(
        `INSERT INTO payout_lines (batch_id, position, claim_id, amount, purpose, account_name, account_number, bank_name)
         SELECT $1, row_number() OVER (ORDER BY id), id, approved_total, 'FINAL', bank_account_name, bank_account_number, bank_name FROM claims WHERE status = 'APPROVED'`, [b.id]);
      await client.query('COMMIT');
      return String(b.id);
    });
    const file = await timed(async () => {
      await client.query(`UPDATE payout_batches SET status = 'SENT', sent_at = now(), sent_on = $2 WHERE id = $1`, [batch.result, TODAY]);
      const { rows } = await client.query(`SELECT l.position, l.account_name, l.account_number, l.bank_name, l.amount::text AS amount, c.number FROM payout_lines l JOIN claims c ON c.id = l.claim_id WHERE l.batch_id = $1 ORDER BY l.position`, [batch.result]);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
      const sheet = workbook.addWorksheet('代发明细');
      sheet.addRow(['序号', '收款人姓名', '收款账号', '开户行', '金额', '用途']).commit();
      for (const r of rows) sheet.addRow([r.position, r.account_name, r.account_number, r.bank_name, Number(r.amount), r.number]).commit();
      sheet.addRow([null, '合计', null, null, { formula: `SUM(E2:E${rows.length + 1})`, result: 0 }, null]).commit();
      await workbook.commit();
      return Buffer.concat(chunks).length;
    });
    const confirm = await timed(async () => {
      await client.query('BEGIN');
      await client.query(`INSERT INTO claim_payments (claim_id, kind, amount, paid_on, reference, recorded_by, payout_line_id)
        SELECT claim_id, 'PAYMENT', amount, $2, 'BK' || position, $3, id FROM payout_lines WHERE batch_id = $1`, [batch.result, TODAY, user.id]);
      await client.query(`UPDATE claims c SET paid_total = l.amount, status = 'CLOSED', updated_at = now() FROM payout_lines l WHERE l.batch_id = $1 AND l.claim_id = c.id`, [batch.result]);
      await client.query(`INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, after)
        SELECT claim_id, $2, 'bench', a, '{}', '{}' FROM payout_lines, unnest(ARRAY['pay', 'close']) AS a WHERE batch_id = $1`, [batch.result, user.id]);
      await client.query(`UPDATE payout_lines SET state = 'PAID', decided_at = now(), decided_by = $2 WHERE batch_id = $1`, [batch.result, user.id]);
      await client.query(`UPDATE payout_batches SET status = 'CONFIRMED', confirmed_at = now() WHERE id = $1`, [batch.result]);
      await client.query('COMMIT');
    });
    return { batch: batch.seconds, file: file.seconds, confirm: confirm.seconds };
  });
}

const bench = await startBenchPostgres();
try {
  console.log(`payouts bench: one batch of ${fmt(N)} approved claims`);
  const base = await baseline(await bench.database('bench_payouts_bare'));
  const ours = await service(await bench.database('bench_payouts_service'));
  for (const [name, label] of [['batch', 'create batch'], ['file', 'bank file xlsx'], ['confirm', 'confirm from return file']] as const) {
    console.log(`  ${label.padEnd(26)} service ${fmt(ours[name], 2)} s (${fmt(N / ours[name])} rows/s)   baseline ${fmt(base[name], 2)} s (${fmt(N / base[name])} rows/s)`);
  }
  const total = (s: Steps) => s.batch + s.file + s.confirm;
  console.log(`service ${fmt(N / total(ours))} rows/s (${fmt(total(ours), 2)} s), baseline ${fmt(N / total(base))} rows/s (${fmt(total(base), 2)} s), ratio ${fmt(total(base) / total(ours), 2)}`);
} finally {
  await bench.stop();
}
