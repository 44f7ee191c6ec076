// Proves payout batches: only approved, unpaid amounts are batched, an amount sits in at most one open batch (also when two batches race), a cancelled batch frees its amounts, a claim paid in full cannot be batched again, refusals name each claim and its reason, and only finance may touch batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { TODAY, createEvent, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';
import { approvedClaim, batchOf, post, send } from './payouts.fixtures.js';

let app: TestApp;
let people: Staff;
let typhoon: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  typhoon = await createEvent(app, people.assessor, 'TYPHOON');
});
afterAll(() => app.close());

describe('creating a batch', () => {
  it('collects the named approved claims with their unpaid amounts, numbered, totalled to the fen', async () => {
    const a = await approvedClaim(app, people, typhoon, 1, '1234.56');
    const b = await approvedClaim(app, people, typhoon, 2, '0.01');
    const batch = await batchOf(app, people.finance, [a.number, b.id]);
    expect(batch).toMatchObject({ status: 'OPEN', total: '1234.57', lineCount: 2 });
    expect(batch.number).toMatch(/^PB\d{8}$/);
    expect(batch.lines).toMatchObject([
      { position: 1, claim: a.number, claimant: '张三', amount: '1234.56', purpose: 'FINAL', state: 'PENDING', accountNumber: '6222020200112233445' },
      { position: 2, claim: b.number, amount: '0.01', purpose: 'FINAL' },
    ]);
    expect((await app.request('GET', `/payout-batches/${batch.number}`, { token: people.finance })).body.total).toBe('1234.57');
    const list = await app.request('GET', '/payout-batches?status=OPEN', { token: people.finance });
    expect(list.body.items.map((item: any) => item.number)).toContain(batch.number);
  });

  it('refuses a claim already in an open batch, one not approved and one paid in full, naming each claim and why; nothing is created', async () => {
    const batched = await approvedClaim(app, people, typhoon, 3, '100.00');
    await batchOf(app, people.finance, [batched.id]);
    const assessed = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(4), items: [{ type: 'MEDICAL', invoices: [{ number: 'PO-NA-4', amount: '50.00' }] }] });
    const paid = await approvedClaim(app, people, typhoon, 5, '70.00');
    const direct = await post(app, people.finance, `/claims/${paid.id}/pay`, { paidOn: TODAY, reference: 'DIRECT-5' });
    expect(direct.body.status, JSON.stringify(direct.body)).toBe('CLOSED');
    const before = await app.sql('SELECT count(*)::int AS n FROM payout_batches');
    const reply = await post(app, people.finance, '/payout-batches', { claims: [batched.number, assessed.number, paid.number] });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('NOT_PAYABLE');
    expect(reply.body.error.details).toEqual([
      expect.objectContaining({ claim: batched.number, code: 'ALREADY_BATCHED' }),
      expect.objectContaining({ claim: assessed.number, code: 'NOT_APPROVED' }),
      expect.objectContaining({ claim: paid.number, code: 'PAID_IN_FULL' }),
    ]);
    expect(reply.body.error.message).toContain(batched.number);
    // Finance's list of what is left to batch leaves out what already waits in a batch.
    const list = async (batchedFilter: string) => (await app.request('GET', `/claims?status=APPROVED&batched=${batchedFilter}&event=${typhoon}&limit=500`, { token: people.finance })).body.items.map((c: any) => c.number);
    const waiting = await approvedClaim(app, people, typhoon, 41, '10.00');
    expect(await list('false')).toContain(waiting.number);
    expect(await list('false')).not.toContain(batched.number);
    expect(await list('true')).toContain(batched.number);
    expect(await app.sql('SELECT count(*)::int AS n FROM payout_batches')).toEqual(before);
    const unknown = await post(app, people.finance, '/payout-batches', { claims: ['LP99999999'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0]).toMatchObject({ value: 'LP99999999' });
  });

  it('by filters it takes every approved, unbatched amount of the product; with none left it is a 409', async () => {
    const event = await createEvent(app, people.assessor, 'FIRE');
    const c = await approvedClaim(app, people, event, 6, '300.00', 'EMERGENCY_RESPONSE');
    const d = await approvedClaim(app, people, event, 7, '400.00', 'EMERGENCY_RESPONSE');
    const reply = await post(app, people.finance, '/payout-batches', { product: 'EMERGENCY_RESPONSE', approvedFrom: TODAY, approvedTo: TODAY });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.lines.map((l: any) => l.claim)).toEqual([c.number, d.number]);
    expect(reply.body.total).toBe('700.00');
    const again = await post(app, people.finance, '/payout-batches', { product: 'EMERGENCY_RESPONSE' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOTHING_TO_PAY');
  });

  it('the database holds an amount in at most one open batch, even if the service forgot to check', async () => {
    const claim = await approvedClaim(app, people, typhoon, 8, '88.00');
    const batch = await batchOf(app, people.finance, [claim.id]);
    await expect(app.sql(
      `INSERT INTO payout_lines (batch_id, position, claim_id, amount, purpose, account_name, account_number, bank_name) VALUES (?, 2, ?, 88.00, 'FINAL', 'x', '62220202001122', 'y')`,
      [batch.id, claim.id],
    )).rejects.toThrow(/payout_lines_one_open_per_claim|payout_lines_batch_id_claim_id_key/);
  });

  it('two batches racing for the same claims: one gets them, the other is refused, no amount is batched twice', async () => {
    const claims = [await approvedClaim(app, people, typhoon, 9, '10.00'), await approvedClaim(app, people, typhoon, 10, '20.00')];
    const keys = claims.map((c) => c.id);
    const replies = await Promise.all([0, 1, 2].map(() => post(app, people.finance, '/payout-batches', { claims: keys })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const refused of replies.filter((r) => r.status === 409)) expect(['NOT_PAYABLE', 'CLAIM_ALREADY_BATCHED']).toContain(refused.body.error.code);
    const pending = await app.sql(`SELECT count(*)::int AS n FROM payout_lines WHERE claim_id IN (?, ?) AND state = 'PENDING'`, keys);
    expect(pending).toEqual([{ n: 2 }]);
  });
});

describe('cancelling', () => {
  it('a batch not yet sent can be cancelled and its amounts batched again; a sent one cannot', async () => {
    const claim = await approvedClaim(app, people, typhoon, 11, '500.00');
    const first = await batchOf(app, people.finance, [claim.id]);
    const cancelled = await post(app, people.finance, `/payout-batches/${first.id}/cancel`, { reason: '金额复核' });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: '金额复核', lines: [{ state: 'CANCELLED' }] });
    const second = await batchOf(app, people.finance, [claim.id]);
    expect(second.lines[0]).toMatchObject({ amount: '500.00', purpose: 'FINAL' });
    await send(app, people.finance, second.id);
    const refused = await post(app, people.finance, `/payout-batches/${second.id}/cancel`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('BATCH_NOT_OPEN');
    expect((await app.request('GET', `/payout-batches/${first.id}/bank-file.csv`, { token: people.finance })).body.error.code).toBe('BATCH_CANCELLED');
  });
});

describe('who', () => {
  it('only finance builds, reads and cancels batches', async () => {
    for (const token of [app.adminToken, people.assessor, people.approver]) {
      expect((await post(app, token, '/payout-batches', {})).status).toBe(403);
      expect((await app.request('GET', '/payout-batches', { token })).status).toBe(403);
    }
  });
});
