// Proves that a claim is never paid more than approved, by the database itself (parallel confirmations and per-claim pays, and bare SQL that skips the service), and that recoveries are recorded from advances above the final payable and from third parties, collected never beyond what is owed, and close a paid claim when the last one is collected. Approved advances are payable amounts: batched as ADVANCE, never paid beyond their approval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { TODAY, createEvent, intakeBody, residentId, staff, approve, type Staff } from './claims.fixtures.js';
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

describe('never overpaid', () => {
  it('parallel confirmations of one batch and per-claim pays of its claims: every claim paid exactly once, exactly its approval', async () => {
    const claims = [];
    for (let i = 1; i <= 6; i++) claims.push(await approvedClaim(app, people, typhoon, i, `${i}00.00`));
    const batch = await batchOf(app, people.finance, claims.map((c) => c.id));
    await send(app, people.finance, batch.id);
    const lines = claims.map((c, i) => ({ claim: c.number, status: 'PAID', bankReference: `PAR-${i}`, paidOn: TODAY }));
    const requests = [
      ...[0, 1, 2].map((n) => app.request('POST', `/payout-batches/${batch.id}/confirm`, { token: people.finance, body: { lines }, headers: { 'idempotency-key': `confirm-${n}` } })),
      ...claims.map((c) => post(app, people.finance, `/claims/${c.id}/pay`, { paidOn: TODAY, reference: 'RACE' })),
    ];
    const replies = await Promise.all(requests);
    for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies.slice(0, 3).map((r) => r.body.paid).sort()).toEqual([0, 0, 6]);
    for (const pay of replies.slice(3)) expect(['CLAIM_IN_BATCH', 'CLAIM_STATUS_CONFLICT']).toContain(pay.body.error.code);
    const rows = await app.sql(
      `SELECT c.number, c.approved_total, c.paid_total, (SELECT sum(amount) FROM claim_payments p WHERE p.claim_id = c.id)::numeric(14,2) AS payments
         FROM claims c WHERE c.id IN (${claims.map(() => '?').join(', ')}) ORDER BY c.id`, claims.map((c) => c.id),
    );
    for (const row of rows) {
      expect(row.paid_total).toBe(row.approved_total);
      expect(row.payments).toBe(row.approved_total);
    }
  });

  it('bare SQL cannot overpay: more than approved, or a payment row without the totals, is refused at commit', async () => {
    const claim = await approvedClaim(app, people, typhoon, 7, '100.00');
    const connection = app.services.orm.em.getConnection();
    const attempt = (statements: string[]) => connection.transactional(async (trx) => {
      for (const sql of statements) await connection.execute(sql, [], 'run', trx);
    });
    await expect(attempt([
      `INSERT INTO claim_payments (claim_id, kind, amount, paid_on, recorded_by) VALUES (${claim.id}, 'PAYMENT', 100.01, CURRENT_DATE, 1)`,
      `UPDATE claims SET paid_total = paid_total + 100.01 WHERE id = ${claim.id}`,
    ])).rejects.toThrow(/claims_never_overpaid/);
    await expect(attempt([`INSERT INTO claim_payments (claim_id, kind, amount, paid_on, recorded_by) VALUES (${claim.id}, 'PAYMENT', 50.00, CURRENT_DATE, 1)`]))
      .rejects.toThrow(/claim_payments_agree_with_totals|disagree/);
    // Two bare writers at once, each paying the whole approval: one of them is refused.
    const both = await Promise.allSettled([1, 2].map(() => attempt([
      `INSERT INTO claim_payments (claim_id, kind, amount, paid_on, recorded_by) VALUES (${claim.id}, 'PAYMENT', 100.00, CURRENT_DATE, 1)`,
      `UPDATE claims SET paid_total = paid_total + 100.00 WHERE id = ${claim.id}`,
    ])));
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await app.sql(`SELECT paid_total FROM claims WHERE id = ?`, [claim.id])).toEqual([{ paid_total: '100.00' }]);
    await expect(app.sql(`DELETE FROM claim_payments WHERE claim_id = ?`, [claim.id])).rejects.toThrow(/append-only/);
  });
});

describe('advances', () => {
  it('an approved advance is a payable amount: a filtered batch collects it as ADVANCE, the pay route waits for the batch, the bank pays it or sends it back, the database never pays more', async () => {
    const event = await createEvent(app, people.assessor, 'BRAVE_DEED');
    const intake = await post(app, people.assessor, '/claims', intakeBody({ product: 'BRAVE_DEED', event, idNumber: residentId(30), benefits: ['MEDICAL'] }));
    const id = intake.body.id;
    expect((await post(app, people.finance, `/claims/${id}/advance`, { amount: '6000.00' })).body).toMatchObject({ advanceApproved: '6000.00', advancePaid: '0.00' });
    const batch = await post(app, people.finance, '/payout-batches', { product: 'BRAVE_DEED', approvedFrom: TODAY, approvedTo: TODAY });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    expect(batch.body.lines).toEqual([expect.objectContaining({ claim: intake.body.number, amount: '6000.00', purpose: 'ADVANCE' })]);
    const direct = await post(app, people.finance, `/claims/${id}/pay`, { paidOn: TODAY, reference: 'TWICE' });
    expect(direct.body.error).toMatchObject({ code: 'CLAIM_IN_BATCH' });
    await send(app, people.finance, batch.body.id);
    const confirmed = await post(app, people.finance, `/payout-batches/${batch.body.id}/confirm`, { lines: [{ claim: intake.body.number, status: 'PAID', bankReference: 'ADV-30', paidOn: TODAY }] });
    expect(confirmed.body).toMatchObject({ status: 'CONFIRMED', paid: 1 });
    expect((await app.request('GET', `/claims/${id}`, { token: people.finance })).body).toMatchObject({ status: 'REPORTED', advanceApproved: '6000.00', advancePaid: '6000.00', paid: '6000.00' });
    expect(await app.sql(`SELECT kind, amount::text FROM claim_payments WHERE claim_id = ?`, [id])).toEqual([{ kind: 'ADVANCE', amount: '6000.00' }]);
    expect((await post(app, people.finance, '/payout-batches', { claims: [intake.body.number] })).body.error.code).toBe('NOT_PAYABLE');
    // The bank sends the advance back: it is reversed, and the approved advance is payable again.
    const paymentId = (await app.request('GET', `/payout-batches/${batch.body.id}`, { token: people.finance })).body.lines[0].payment.id;
    expect((await post(app, people.finance, `/payments/${paymentId}/return`, { reason: '收款账户冻结', returnedOn: TODAY })).body).toMatchObject({ claimStatus: 'REPORTED', paid: '0.00' });
    expect((await app.request('GET', `/claims/${id}`, { token: people.finance })).body).toMatchObject({ advanceApproved: '6000.00', advancePaid: '0.00' });
    const again = await post(app, people.finance, '/payout-batches', { claims: [intake.body.number] });
    expect(again.body.lines).toEqual([expect.objectContaining({ amount: '6000.00', purpose: 'ADVANCE' })]);
    expect((await post(app, people.finance, `/payout-batches/${again.body.id}/cancel`, {})).body.status).toBe('CANCELLED');
    expect((await post(app, people.finance, `/claims/${id}/pay`, { paidOn: TODAY, reference: 'ADV-30-B' })).body).toMatchObject({ advancePaid: '6000.00' });
    // Bare SQL cannot pay an advance beyond its approval.
    const connection = app.services.orm.em.getConnection();
    await expect(connection.transactional(async (trx) => {
      await connection.execute(`INSERT INTO claim_payments (claim_id, kind, amount, paid_on, recorded_by) VALUES (${id}, 'ADVANCE', 0.01, CURRENT_DATE, 1)`, [], 'run', trx);
      await connection.execute(`UPDATE claims SET advance_paid = advance_paid + 0.01 WHERE id = ${id}`, [], 'run', trx);
    })).rejects.toThrow(/claims_advance_never_overpaid/);
  });
});

describe('recoveries', () => {
  it('an advance above the final payable is a recovery; collecting it in full closes the paid claim; over-collection is refused', async () => {
    const event = await createEvent(app, people.assessor, 'BRAVE_DEED');
    const intake = await post(app, people.assessor, '/claims', intakeBody({ product: 'BRAVE_DEED', event, idNumber: residentId(8), benefits: ['MEDICAL'] }));
    const id = intake.body.id;
    expect((await post(app, people.finance, `/claims/${id}/advance`, { amount: '10000.00' })).status).toBe(200);
    expect((await post(app, people.finance, `/claims/${id}/pay`, { paidOn: TODAY, reference: 'ADV-8' })).body.advancePaid).toBe('10000.00');
    const detail = (await app.request('GET', `/claims/${id}`)).body;
    await post(app, people.assessor, `/claims/${id}/survey`, { surveyedOn: TODAY, findings: '属实', documentsReceived: detail.documents.required });
    await post(app, people.assessor, `/claims/${id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: 'RC-8', amount: '6000.00' }] }] });
    expect((await approve(app, people.approver, id))).toMatchObject({ status: 'APPROVED', recoveryOwed: '4000.00' });
    const list = await app.request('GET', `/recoveries?claim=${intake.body.number}`, { token: people.finance });
    expect(list.body.items).toEqual([expect.objectContaining({ kind: 'ADVANCE_EXCESS', amount: '4000.00', outstanding: '4000.00', status: 'OPEN', claim: intake.body.number })]);
    expect((await post(app, people.finance, `/claims/${id}/pay`, { paidOn: TODAY, reference: 'NONE' })).body.status).toBe('PAID');
    const recovery = list.body.items[0];
    const over = await post(app, people.finance, `/recoveries/${recovery.id}/collect`, { amount: '4000.01', collectedOn: TODAY, reference: 'RC-X' });
    expect(over.status).toBe(409);
    expect(over.body.error.message).toContain(intake.body.number);
    expect((await post(app, people.finance, `/recoveries/${recovery.id}/collect`, { amount: '1500.00', collectedOn: TODAY, reference: 'RC-1' })).body).toMatchObject({ outstanding: '2500.00', claimStatus: 'PAID' });
    expect((await post(app, people.finance, `/recoveries/${recovery.number}/collect`, { amount: '2500.00', collectedOn: TODAY, reference: 'RC-2' })).body).toMatchObject({ status: 'COLLECTED', collected: '4000.00', claimStatus: 'CLOSED' });
    await expect(app.sql(`UPDATE claim_recoveries SET collected = amount + 1 WHERE id = ?`, [recovery.id])).rejects.toThrow(/claim_recoveries_never_overcollected/);
  });

  it('a liable third party owes back up to what a criminal-injury claim paid; other products have no third party', async () => {
    const event = await createEvent(app, people.assessor, 'CRIMINAL_CASE');
    const claim = await approvedClaim(app, people, event, 9, '5000.00', 'CRIMINAL_INJURY');
    const early = await post(app, people.finance, '/recoveries', { claim: claim.number, debtor: '犯罪嫌疑人王某', amount: '1.00', reason: '刑事附带民事赔偿' });
    expect(early.status).toBe(422);
    const batch = await batchOf(app, people.finance, [claim.id]);
    await send(app, people.finance, batch.id);
    await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: claim.number, status: 'PAID', bankReference: 'CI-9', paidOn: TODAY }] });
    const too = await post(app, people.finance, '/recoveries', { claim: claim.number, debtor: '犯罪嫌疑人王某', amount: '5000.01', reason: '刑事附带民事赔偿' });
    expect(too.status).toBe(422);
    const recorded = await post(app, people.finance, '/recoveries', { claim: claim.number, debtor: '犯罪嫌疑人王某', amount: '3000.00', reason: '刑事附带民事赔偿' });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect(recorded.body).toMatchObject({ kind: 'THIRD_PARTY', amount: '3000.00', status: 'OPEN' });
    const other = await approvedClaim(app, people, typhoon, 10, '10.00');
    expect((await post(app, people.finance, '/recoveries', { claim: other.number, debtor: '某人', amount: '1.00', reason: 'x' })).body.error.code).toBe('NO_THIRD_PARTY');
    const open = await app.request('GET', '/recoveries?status=OPEN&kind=THIRD_PARTY', { token: people.finance });
    expect(open.body.items.map((r: any) => r.claim)).toEqual([claim.number]);
  });
});
