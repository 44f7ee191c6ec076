// Proves resident ID and bank account numbers leave the service masked (ID: first 6 and last 4; account: last 4) in every reply that carries them, for every role but finance, who sees them in full; keepers see none of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { warehousesCsv } from '../support/csv.js';
import { createEvent, residentId, staff, type Staff } from './claims.fixtures.js';
import { approvedClaim, batchOf } from './payouts.fixtures.js';

const ACCOUNT = '6222020200112233445';
const MASKED_ACCOUNT = '***************3445';

let app: TestApp;
let people: Staff;
let keeper: string;
let claim: { id: string; number: string };
let fullId: string;
let maskedId: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
  keeper = await app.user('保管员隐私', 'keeper', ['WH-SN-01']);
  const typhoon = await createEvent(app, people.assessor, 'TYPHOON');
  claim = await approvedClaim(app, people, typhoon, 1, '100.00');
  fullId = residentId(1);
  maskedId = `${fullId.slice(0, 6)}********${fullId.slice(-4)}`;
  // A bank correction puts account numbers into the history too.
  const bank = await app.request('PUT', `/claims/${claim.id}/bank`, { token: people.assessor, body: { accountName: '张三', accountNumber: ACCOUNT, bankName: '中国工商银行青岛分行' } });
  expect([200, 409]).toContain(bank.status);
});
afterAll(() => app.close());

type Role = 'admin' | 'assessor' | 'approver' | 'finance';
const tokenOf = (role: Role) => (role === 'admin' ? app.adminToken : people[role]);
const expectedId = (role: Role) => (role === 'finance' ? fullId : maskedId);
const expectedAccount = (role: Role) => (role === 'finance' ? ACCOUNT : MASKED_ACCOUNT);

describe.each(['admin', 'assessor', 'approver', 'finance'] as const)('as %s', (role) => {
  it('GET /claims/:id shows the ID and account in the form the role may see', async () => {
    const reply = await app.request('GET', `/claims/${claim.id}`, { token: tokenOf(role) });
    expect(reply.status).toBe(200);
    expect(reply.body.claimant.idNumber).toBe(expectedId(role));
    expect(reply.body.claimant.bank.accountNumber).toBe(expectedAccount(role));
  });

  it('GET /claims lists them in the same form', async () => {
    const reply = await app.request('GET', `/claims?limit=50`, { token: tokenOf(role) });
    const item = reply.body.items.find((row: any) => row.id === claim.id);
    expect(item).toMatchObject({ idNumber: expectedId(role), bankAccountNumber: expectedAccount(role) });
  });

  it('GET /claims/:id/history never carries a full number to the role', async () => {
    const reply = await app.request('GET', `/claims/${claim.id}/history`, { token: tokenOf(role) });
    expect(reply.status).toBe(200);
    const text = JSON.stringify(reply.body);
    if (role !== 'finance') {
      expect(text).not.toContain(fullId);
      expect(text).not.toContain(ACCOUNT);
    }
  });
});

describe('replies of claim actions and payouts', () => {
  it('an approver\'s approve reply (and every action returning the claim) is masked', async () => {
    const typhoon = await createEvent(app, people.assessor, 'TYPHOON');
    const other = await approvedClaim(app, people, typhoon, 2, '50.00');
    const detail = await app.request('POST', `/claims/${other.id}/reject`, { token: people.approver, body: { reason: '测试' } });
    const body = detail.status === 200 ? detail.body : (await app.request('GET', `/claims/${other.id}`, { token: people.approver })).body;
    expect(body.claimant.idNumber).toBe(`${residentId(2).slice(0, 6)}********${residentId(2).slice(-4)}`);
    expect(body.claimant.bank.accountNumber).toBe(MASKED_ACCOUNT);
    expect(JSON.stringify(body)).not.toContain(residentId(2));
  });

  it('finance sees full account numbers in a payout batch (it pays them)', async () => {
    const batch = await batchOf(app, people.finance, [claim.number]);
    expect(batch.lines[0].accountNumber).toBe(ACCOUNT);
    const again = await app.request('GET', `/payout-batches/${batch.id}`, { token: people.finance });
    expect(again.body.lines[0].accountNumber).toBe(ACCOUNT);
    expect((await app.request('GET', `/payout-batches/${batch.id}`, { token: people.approver })).status).toBe(403);
  });

  it('a keeper may read no claim at all', async () => {
    for (const path of [`/claims/${claim.id}`, '/claims', `/claims/${claim.id}/history`]) {
      expect((await app.request('GET', path, { token: keeper })).status).toBe(403);
    }
  });
});

describe('reveal', () => {
  it('gives an assessor the full numbers for a reason, records who, when, why, which claim and fields, and lists it for admins', async () => {
    const reply = await app.request('POST', `/claims/${claim.id}/reveal`, { token: people.assessor, body: { reason: '核对身份证原件' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ idNumber: fullId, bankAccount: ACCOUNT });
    const log = await app.request('GET', '/access-log?limit=10&offset=0');
    expect(log.status).toBe(200);
    expect(log.body.total).toBeGreaterThanOrEqual(1);
    expect(log.body.items[0]).toMatchObject({ actor: { name: '查勘员甲' }, claim: { id: claim.id, number: claim.number }, fields: ['idNumber', 'bankAccount'], reason: '核对身份证原件', at: expect.stringMatching(/Z$/) });
    expect((await app.request('GET', '/access-log', { token: people.assessor })).status).toBe(403);
  });

  it('is refused without a reason (422), with a reason over 500 characters, and to other roles; nothing is recorded', async () => {
    const before = (await app.request('GET', '/access-log')).body.total;
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }]) {
      const reply = await app.request('POST', `/claims/${claim.id}/reveal`, { token: people.assessor, body });
      expect(reply.status).toBe(422);
      expect(reply.body.error.code).toBe('VALIDATION_FAILED');
    }
    for (const token of [people.approver, people.finance, app.adminToken, keeper]) {
      expect((await app.request('POST', `/claims/${claim.id}/reveal`, { token, body: { reason: '看看' } })).status).toBe(403);
    }
    expect((await app.request('POST', '/claims/999999/reveal', { token: people.assessor, body: { reason: '看看' } })).status).toBe(404);
    expect((await app.request('GET', '/access-log')).body.total).toBe(before);
  });
});
