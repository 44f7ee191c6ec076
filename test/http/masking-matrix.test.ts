// Proves the personal-data masking matrix, route × role: every JSON reply, every claims Excel report (登记表, 超期案件, 赔付汇总), the bank file and every log line carry a claimant's resident ID and bank account only masked, except to finance, who pays and sees them in full; the logs carry them to nobody, not even for finance's requests or a bank correction's body.
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { warehousesCsv } from '../support/csv.js';
import { createEvent, residentId, staff, type Staff } from './claims.fixtures.js';
import { approvedClaim, batchOf } from './payouts.fixtures.js';

const ACCOUNT = '6222020200112233445';
const CORRECTED_ACCOUNT = '6217000011112222333';
const lines: string[] = [];
const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });

let app: TestApp;
let people: Staff;
let tokens: Record<Role, string>;
let claim: { id: string; number: string };
let corrected: { id: string; number: string };
let batchId: string;
let eventId: string;
const ID_A = residentId(60);
const ID_B = residentId(61);

const ROLES = ['admin', 'assessor', 'approver', 'finance', 'dispatcher', 'keeper'] as const;
type Role = (typeof ROLES)[number];

beforeAll(async () => {
  app = await startTestApp({}, { log: createLogger('trace', sink) });
  people = await staff(app);
  await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
  tokens = {
    admin: app.adminToken, assessor: people.assessor, approver: people.approver, finance: people.finance,
    dispatcher: await app.user('调度员隐私', 'dispatcher'), keeper: await app.user('保管员矩阵', 'keeper', ['WH-SN-01']),
  };
  eventId = await createEvent(app, people.assessor, 'TYPHOON');
  claim = await approvedClaim(app, people, eventId, 60, '120.00');
  corrected = await approvedClaim(app, people, eventId, 61, '80.00');
  // A bank correction: its body carries a full account number, its history the before and after.
  const bank = await app.request('PUT', `/claims/${corrected.id}/bank`, { token: people.assessor, body: { accountName: '李四', accountNumber: CORRECTED_ACCOUNT, bankName: '中国银行青岛分行' } });
  expect(bank.status, JSON.stringify(bank.body)).toBe(200);
  expect(JSON.stringify(bank.body)).not.toContain(CORRECTED_ACCOUNT);
  const batch = await batchOf(app, people.finance, [claim.number]);
  batchId = batch.id;
  // A reveal puts full numbers in one reply, by design, and must still leave no trace in the logs.
  expect((await app.request('POST', `/claims/${claim.id}/reveal`, { token: people.assessor, body: { reason: '核对身份证原件' } })).status).toBe(200);
});
afterAll(() => app.close());

const FULL = () => [ID_A, ID_B, ACCOUNT, CORRECTED_ACCOUNT];

/** The reply as text: JSON as sent, an xlsx as every cell's text. */
async function fetchText(path: string, role: Role): Promise<{ status: number; text: string }> {
  const reply = await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  const bytes = Buffer.from(await reply.arrayBuffer());
  if (reply.status !== 200 || !path.includes('.xlsx')) return { status: reply.status, text: bytes.toString('utf8') };
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell.text))));
  return { status: 200, text: cells.join('\n') };
}

const from = addDays(todayInCity(), -60);
const to = todayInCity();
/** Route → whether finance's reply must carry the full numbers (it is where finance needs them). */
const ROUTES: [string, () => string, boolean][] = [
  ['GET /claims/:id', () => `/claims/${claim.id}`, true],
  ['GET /claims', () => '/claims?limit=100', true],
  ['GET /claims/:id/history', () => `/claims/${corrected.id}/history`, false],
  ['GET /events/:id', () => `/events/${eventId}`, false],
  ['GET /events', () => '/events', false],
  ['GET /payout-batches', () => '/payout-batches', false],
  ['GET /payout-batches/:id', () => `/payout-batches/${batchId}`, true],
  ['GET /payouts/summary', () => `/payouts/summary?from=${from}&to=${to}`, false],
  ['GET /recoveries', () => '/recoveries', false],
  ['GET /access-log', () => '/access-log', false],
  ['GET /reports/claims-register.xlsx', () => `/reports/claims-register.xlsx?from=${from}&to=${to}`, true],
  ['GET /reports/overdue-claims.xlsx', () => '/reports/overdue-claims.xlsx', false],
  ['GET /reports/payouts-summary.xlsx', () => `/reports/payouts-summary.xlsx?from=${from}&to=${to}`, false],
  ['GET /payout-batches/:id/bank-file.csv', () => `/payout-batches/${batchId}/bank-file.csv`, true],
  ['GET /payout-batches/:id/bank-file.xlsx', () => `/payout-batches/${batchId}/bank-file.xlsx`, true],
];

describe.each(ROUTES)('%s', (_name, path, financeSeesFull) => {
  it.each(ROLES)('as %s: full numbers only to finance', async (role) => {
    const { status, text } = await fetchText(path(), role);
    expect(status, text.slice(0, 300)).toBeLessThan(500);
    if (status !== 200) {
      expect([403, 404]).toContain(status);
      return;
    }
    if (role === 'finance') {
      if (financeSeesFull) expect(text).toContain(ACCOUNT);
      return;
    }
    for (const full of FULL()) expect(text, `${role} got ${full}`).not.toContain(full);
    // Where the role sees the claim at all, it sees the masked forms.
    if (financeSeesFull && path().includes('claims')) expect(text).toContain('***************3445');
  });
});

describe('the logs', () => {
  it('after every request of the matrix (finance\'s, a reveal and a bank correction included) hold no full ID or account number', async () => {
    expect(lines.length).toBeGreaterThan(50);
    const all = lines.join('');
    for (const full of FULL()) expect(all.includes(full), `a log line carries ${full}`).toBe(false);
    // They do hold the requests themselves, so the assertion above is about something that was logged.
    expect(all).toContain(`/claims/${claim.id}`);
  });
});
