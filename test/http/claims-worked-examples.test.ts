// Proves the six worked examples of INSURANCE-TERMS.md end to end over HTTP (intake → survey → assessment → approval → settlement) with the stated figures, and the 80% medical ratio for a claimant without basic medical insurance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { INCIDENT_ON, TODAY, approve, createEvent, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';

let app: TestApp;
let people: Staff;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
});
afterAll(() => app.close());

const payables = (assessment: any) => assessment.items.map((item: any) => [item.type, item.payable]);

describe('worked examples', () => {
  it('1. STAMPEDE death of an insured person: 100,000 + 20,000 = 120,000.00, and it needs two approvals', async () => {
    const event = await createEvent(app, people.assessor, 'STAMPEDE');
    const claim = await registerAndAssess(app, people, { product: 'STAMPEDE', event, idNumber: residentId(1), items: [{ type: 'DEATH' }, { type: 'FUNERAL' }] });
    expect(payables(claim.assessment)).toEqual([['DEATH', '100000.00'], ['FUNERAL', '20000.00']]);
    expect(claim.assessment).toMatchObject({ total: '120000.00', advancePaid: '0.00', remaining: '120000.00', needsSecondApproval: true });

    const first = await approve(app, people.approver, claim.id);
    expect(first.status).toBe('PENDING_SECOND_APPROVAL');
    const second = await approve(app, people.approver2, claim.id);
    expect(second).toMatchObject({ status: 'APPROVED', approved: '120000.00', payable: '120000.00', remaining: '120000.00' });
    expect(second.assessment.approvals.map((a: any) => [a.step, a.approver])).toEqual([['FIRST', '审批人甲'], ['SECOND', '审批人乙']]);
  });

  it('2. PUBLIC_LIABILITY grade 7 and medical 12,500 of which social insurance paid 7,300: 40,000 + 5,200 = 45,200.00, one approval', async () => {
    const event = await createEvent(app, people.assessor, 'TYPHOON');
    const claim = await registerAndAssess(app, people, {
      product: 'PUBLIC_LIABILITY', event, idNumber: residentId(2),
      items: [{ type: 'DISABILITY', grade: 7 }, { type: 'MEDICAL', invoices: [{ number: 'QD-2024-0001', amount: '12500.00' }], paidBySocialInsurance: '7300.00' }],
    });
    expect(payables(claim.assessment)).toEqual([['DISABILITY', '40000.00'], ['MEDICAL', '5200.00']]);
    expect(claim.assessment.items[0].explanation).toContain('100000.00 × (11−7)/10 = 40000.00');
    expect(claim.assessment.items[1].explanation).toContain('社保已付 7300.00');
    expect(claim.assessment).toMatchObject({ total: '45200.00', needsSecondApproval: false });
    expect(await approve(app, people.approver, claim.id)).toMatchObject({ status: 'APPROVED', approved: '45200.00' });
  });

  it('3. VOLUNTEER uninsured, invoices 3,000 with 400 excluded, deductible 100: 2,500.00', async () => {
    const event = await createEvent(app, people.assessor, 'VOLUNTEER_ACTIVITY');
    const claim = await registerAndAssess(app, people, {
      product: 'VOLUNTEER', event, idNumber: residentId(3), insured: false,
      items: [{ type: 'MEDICAL', invoices: [{ number: 'V-2024-1', amount: '3000.00', excluded: '400.00' }] }],
    });
    expect(claim.assessment).toMatchObject({ total: '2500.00' });
    expect(claim.assessment.items[0].explanation).toContain('免赔额 100.00');
    expect(await approve(app, people.approver, claim.id)).toMatchObject({ status: 'APPROVED', approved: '2500.00' });
  });

  it('4. EMERGENCY_RESPONSE, evacuated 18 days: resettlement 300.00 + living aid 450.00 = 750.00', async () => {
    const event = await createEvent(app, people.assessor, 'TOXIC_LEAK');
    const claim = await registerAndAssess(app, people, {
      product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(4), items: [{ type: 'RESETTLEMENT', days: 18 }, { type: 'LIVING_AID', days: 18 }],
    });
    expect(payables(claim.assessment)).toEqual([['RESETTLEMENT', '300.00'], ['LIVING_AID', '450.00']]);
    expect(claim.assessment.total).toBe('750.00');
    expect(await approve(app, people.approver, claim.id)).toMatchObject({ status: 'APPROVED', approved: '750.00' });
  });

  it('5. BRAVE_DEED advance 10,000.00, then grade 10: 30,000.00 assessed and 20,000.00 more paid', async () => {
    const event = await createEvent(app, people.assessor, 'BRAVE_DEED');
    const intake = await app.request('POST', '/claims', {
      token: people.assessor,
      body: { product: 'BRAVE_DEED', event, claimant: { name: '李勇', idNumber: residentId(5), phone: '13900000000', hasMedicalInsurance: true, bank: { accountName: '李勇', accountNumber: '6222 0202 0011 2233', bankName: '青岛银行' } }, incidentOn: INCIDENT_ON, description: '勇救落水儿童', benefits: ['DISABILITY'] },
    });
    expect(intake.status).toBe(201);
    const advance = await app.request('POST', `/claims/${intake.body.id}/advance`, { token: people.approver, body: { amount: '10000.00', note: '医院垫付' } });
    expect(advance.status, JSON.stringify(advance.body)).toBe(200);
    // Approved, not yet paid: the advance is a payable amount, paid here outside a batch (a batch would collect it as ADVANCE).
    expect(advance.body).toMatchObject({ advanceApproved: '10000.00', advancePaid: '0.00', advanceUnpaid: '10000.00', advanceMax: '10000.00' });
    const advanced = await app.request('POST', `/claims/${intake.body.id}/pay`, { token: people.finance, body: { paidOn: TODAY, reference: '医院垫付' } });
    expect(advanced.body).toMatchObject({ status: 'REPORTED', advanceApproved: '10000.00', advancePaid: '10000.00', paid: '10000.00' });
    expect((await app.request('POST', `/claims/${intake.body.id}/pay`, { token: people.finance, body: { paidOn: TODAY, reference: 'AGAIN' } })).status).toBe(409);

    const detail = (await app.request('GET', `/claims/${intake.body.id}`)).body;
    await app.request('POST', `/claims/${intake.body.id}/survey`, { token: people.assessor, body: { surveyedOn: detail.incidentOn, findings: '公安机关确认见义勇为', documentsReceived: detail.documents.required } });
    const assessed = await app.request('POST', `/claims/${intake.body.id}/assessment`, { token: people.assessor, body: { items: [{ type: 'DISABILITY', grade: 10 }] } });
    expect(assessed.body).toMatchObject({ items: [{ type: 'DISABILITY', payable: '30000.00' }], total: '30000.00', advancePaid: '10000.00', remaining: '20000.00', recoveryOwed: '0.00' });

    expect(await approve(app, people.approver, intake.body.id)).toMatchObject({ status: 'APPROVED', approved: '30000.00', paid: '10000.00', remaining: '20000.00' });
    const paid = await app.request('POST', `/claims/${intake.body.id}/pay`, { token: people.finance, body: { paidOn: TODAY, reference: 'BANK-0001' } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    // Paid in full with nothing to recover: the payment closes the claim.
    expect(paid.body).toMatchObject({ status: 'CLOSED', paid: '30000.00', remaining: '0.00' });
    const payments = await app.sql('SELECT kind, amount FROM claim_payments WHERE claim_id = ? ORDER BY id', [intake.body.id]);
    expect(payments).toEqual([{ kind: 'ADVANCE', amount: '10000.00' }, { kind: 'PAYMENT', amount: '20000.00' }]);
  });

  it('6. EMERGENCY_RESPONSE event limit 2,000,000 with 1,900,000.00 approved: three held claims of 100,000 / 60,000 / 40,000 share 100,000 as 50,000 / 30,000 / 20,000', async () => {
    const event = await createEvent(app, people.assessor, 'EXPLOSION');
    for (let i = 0; i < 19; i++) {
      const claim = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(100 + i), items: [{ type: 'DEATH' }] });
      await approve(app, people.approver, claim.id);
      expect((await approve(app, people.approver2, claim.id)).status).toBe('APPROVED');
    }
    expect((await app.request('GET', `/events/${event}`)).body.totals).toContainEqual(
      expect.objectContaining({ product: 'EMERGENCY_RESPONSE', perEventLimit: '2000000.00', approved: '1900000.00', remaining: '100000.00' }),
    );

    const death = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(201), items: [{ type: 'DEATH' }] });
    const grade5 = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(202), items: [{ type: 'DISABILITY', grade: 5 }] });
    const grade7 = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(203), items: [{ type: 'DISABILITY', grade: 7 }] });
    expect([death, grade5, grade7].map((claim) => claim.assessment.total)).toEqual(['100000.00', '60000.00', '40000.00']);

    // 200,000 assessed against a 100,000 remainder: no claim is paid first-come; each approval is held.
    const held40 = await approve(app, people.approver, grade7.id);
    expect(held40).toMatchObject({ status: 'HELD', holdReasons: ['PER_EVENT'] });
    await approve(app, people.approver, death.id);
    expect(await approve(app, people.approver2, death.id)).toMatchObject({ status: 'HELD' });
    await approve(app, people.approver, grade5.id);
    expect(await approve(app, people.approver2, grade5.id)).toMatchObject({ status: 'HELD' });
    const pay = await app.request('POST', `/claims/${death.id}/pay`, { token: people.finance, body: { paidOn: TODAY, reference: 'X' } });
    expect(pay.status).toBe(409);
    expect(pay.body.error).toMatchObject({ code: 'CLAIM_STATUS_CONFLICT', details: [{ status: 'HELD', action: 'pay' }] });

    const settled = await app.request('POST', `/events/${event}/settle`, { token: people.finance });
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    const [settlement] = settled.body.settlements;
    expect(settlement).toMatchObject({ product: 'EMERGENCY_RESPONSE', approvedBefore: '1900000.00', remainder: '100000.00', total: '100000.00' });
    expect(settlement.claims.map((c: any) => [c.id, c.assessed, c.settled])).toEqual([
      [death.id, '100000.00', '50000.00'],
      [grade5.id, '60000.00', '30000.00'],
      [grade7.id, '40000.00', '20000.00'],
    ]);
    for (const [claim, amount] of [[death, '50000.00'], [grade5, '30000.00'], [grade7, '20000.00']] as const) {
      expect((await app.request('GET', `/claims/${claim.id}`)).body).toMatchObject({ status: 'APPROVED', approved: amount, payable: amount });
    }
    expect((await app.request('GET', `/events/${event}`)).body.totals).toContainEqual(expect.objectContaining({ product: 'EMERGENCY_RESPONSE', approved: '2000000.00', remaining: '0.00', held: '0.00' }));
  });
});

describe('medical ratio by basic medical insurance', () => {
  it('PUBLIC_LIABILITY pays an uninsured claimant 80% of the medical bill and an insured one 100%, rounded half-up to the fen', async () => {
    const event = await createEvent(app, people.assessor, 'FLOOD');
    // (1,234.57 − 0) × 80% = 987.656 → 987.66; the same bill insured pays 1,234.57.
    const uninsured = await registerAndAssess(app, people, {
      product: 'PUBLIC_LIABILITY', event, idNumber: residentId(22), insured: false,
      items: [{ type: 'MEDICAL', invoices: [{ number: 'UN-22', amount: '1234.57' }] }],
    });
    expect((await app.request('GET', `/claims/${uninsured.id}`)).body.claimant.hasMedicalInsurance).toBe(false);
    expect(payables(uninsured.assessment)).toEqual([['MEDICAL', '987.66']]);
    expect(uninsured.assessment.items[0].explanation).toContain('× 80% (无医保)');
    expect(await approve(app, people.approver, uninsured.id)).toMatchObject({ status: 'APPROVED', approved: '987.66' });

    const insured = await registerAndAssess(app, people, {
      product: 'PUBLIC_LIABILITY', event, idNumber: residentId(23), insured: true,
      items: [{ type: 'MEDICAL', invoices: [{ number: 'IN-23', amount: '1234.57' }] }],
    });
    expect(payables(insured.assessment)).toEqual([['MEDICAL', '1234.57']]);
  });
});
