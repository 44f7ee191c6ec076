// Proves the claim's life after intake: four eyes (earlier assessors of a returned claim included), return and reassessment, advances and recoveries, reopening that pays only the difference (grade and medical limit), invoices reimbursed once, history, masking, the decision and payment due dates the service computes, and payment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { INCIDENT_ON, TODAY, allDocuments, approve, createEvent, intakeBody, onDay, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';

let app: TestApp;
let people: Staff;
let typhoon: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  typhoon = await createEvent(app, people.assessor, 'TYPHOON');
});
afterAll(() => app.close());

const post = (token: string, path: string, body?: unknown) => app.request('POST', path, { token, body });
const medical = (number: string, amount: string) => ({ type: 'MEDICAL', invoices: [{ number, amount }] });

describe('four eyes', () => {
  it('an approver who assessed the claim may not approve it; another approver may', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(1), items: [medical('FE-1', '1000.00')], assessorToken: people.approver });
    const own = await post(people.approver, `/claims/${claim.id}/approve`);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('SELF_APPROVAL');
    expect((await post(people.assessor, `/claims/${claim.id}/approve`)).status).toBe(403);
    expect((await approve(app, people.approver2, claim.id)).status).toBe('APPROVED');
  });

  it('an approver who assessed an earlier version of a returned claim may not approve it after someone else reassessed it', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(20), items: [medical('FE-20', '1000.00')], assessorToken: people.approver });
    expect((await post(people.approver2, `/claims/${claim.id}/return`, { reason: '金额需复核' })).body.status).toBe('RETURNED');
    const again = await post(people.assessor, `/claims/${claim.id}/assessment`, { items: [medical('FE-20', '900.00')] });
    expect(again.body).toMatchObject({ status: 'ASSESSED', total: '900.00' });
    const earlier = await post(people.approver, `/claims/${claim.id}/approve`);
    expect(earlier.status, JSON.stringify(earlier.body)).toBe(403);
    expect(earlier.body.error.code).toBe('SELF_APPROVAL');
    expect((await app.request('GET', `/claims/${claim.id}`)).body.status).toBe('ASSESSED');
    expect(await approve(app, people.approver2, claim.id)).toMatchObject({ status: 'APPROVED', approved: '900.00' });
  });

  it('over 50,000 the second approval must come from a different approver', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(2), items: [{ type: 'DISABILITY', grade: 5 }] });
    expect(claim.assessment).toMatchObject({ total: '60000.00', needsSecondApproval: true });
    expect((await approve(app, people.approver, claim.id)).status).toBe('PENDING_SECOND_APPROVAL');
    const twice = await post(people.approver, `/claims/${claim.id}/approve`);
    expect(twice.status).toBe(403);
    expect(twice.body.error.code).toBe('SAME_APPROVER');
    expect((await approve(app, people.approver2, claim.id)).status).toBe('APPROVED');
    expect((await post(people.approver3, `/claims/${claim.id}/approve`)).body.error.code).toBe('CLAIM_STATUS_CONFLICT');
  });

  it('two approvers approving the same claim at once approve it once', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(3), items: [medical('RACE-1', '5000.00')] });
    const replies = await Promise.all([people.approver, people.approver2].map((token) => post(token, `/claims/${claim.id}/approve`)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)!.body.error.code).toBe('CLAIM_STATUS_CONFLICT');
    const approvals = await app.sql('SELECT step FROM claim_approvals WHERE claim_id = ?', [claim.id]);
    expect(approvals).toEqual([{ step: 'ONLY' }]);
    const [event] = await app.sql(`SELECT approved FROM claim_event_totals WHERE event_id = ? AND product = 'PUBLIC_LIABILITY'`, [typhoon]);
    const [sum] = await app.sql(`SELECT sum(approved_total) AS s FROM claims WHERE event_id = ? AND product = 'PUBLIC_LIABILITY'`, [typhoon]);
    expect(event.approved).toBe(sum.s);
  });
});

describe('rejection, return, withdrawal', () => {
  it('a rejection needs a written reason; a returned claim is reassessed and its old invoices are freed', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(4), items: [medical('RET-1', '800.00')] });
    const noReason = await post(people.approver, `/claims/${claim.id}/reject`, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.details[0].field).toBe('reason');
    const returned = await post(people.approver, `/claims/${claim.id}/return`, { reason: '发票金额需核对' });
    expect(returned.body.status).toBe('RETURNED');
    const again = await post(people.assessor, `/claims/${claim.id}/assessment`, { items: [medical('RET-1', '750.00'), ] });
    expect(again.body).toMatchObject({ status: 'ASSESSED', total: '750.00' });
    expect(await app.sql('SELECT amount FROM reimbursed_invoices WHERE invoice_number = ?', ['RET-1'])).toEqual([{ amount: '750.00' }]);
    const rejected = await post(people.approver, `/claims/${claim.id}/reject`, { reason: '非台风所致' });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', payable: '0.00' });
    expect(await app.sql('SELECT * FROM reimbursed_invoices WHERE invoice_number = ?', ['RET-1'])).toEqual([]);
  });

  it('an invoice is reimbursed once across claims and products; a rejected claim gives its invoice back', async () => {
    const first = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(5), items: [medical('inv-shared-1', '1000.00')] });
    expect(first.assessment.total).toBe('1000.00');
    const fire = await createEvent(app, people.assessor, 'FIRE');
    const second = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event: fire, idNumber: residentId(6), items: [{ type: 'MEDICAL', invoices: [{ number: ' INV-SHARED-1 ', amount: '1000.00' }, { number: 'INV-OWN-6', amount: '200.00' }] }] });
    expect(second.assessment.total).toBe('200.00');
    expect(second.assessment.items[0].invoices[0]).toMatchObject({ number: 'INV-SHARED-1', counted: false, reason: expect.stringContaining(first.number) });
    expect(second.assessment.items[0].explanation).toContain(`已在理赔 ${first.number} 中报销`);

    await post(people.approver, `/claims/${first.id}/reject`, { reason: '重复申请' });
    await post(people.approver, `/claims/${second.id}/return`, { reason: '发票已释放, 请重新核损' });
    const again = await post(people.assessor, `/claims/${second.id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: 'INV-SHARED-1', amount: '1000.00' }, { number: 'INV-OWN-6', amount: '200.00' }] }] });
    expect(again.body.total).toBe('1200.00');
  });

  it('concurrent assessments of one invoice in two claims reimburse it once', async () => {
    const claims = [];
    for (const n of [7, 8, 9]) {
      const intake = await post(people.assessor, '/claims', intakeBody({ product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(n), benefits: ['MEDICAL'] }));
      await post(people.assessor, `/claims/${intake.body.id}/survey`, { surveyedOn: INCIDENT_ON, findings: '属实' });
      claims.push(intake.body.id);
    }
    const replies = await Promise.all(claims.map((id) => post(people.assessor, `/claims/${id}/assessment`, { items: [medical('RACE-INV', '900.00')] })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies.map((r) => r.body.total).sort()).toEqual(['0.00', '0.00', '900.00']);
    expect(await app.sql('SELECT claim_id FROM reimbursed_invoices WHERE invoice_number = ?', ['RACE-INV'])).toHaveLength(1);
  });
});

describe('advances', () => {
  it('refuses an advance on a product without advances, above the maximum, or after the assessment', async () => {
    const noAdvance = await post(people.assessor, '/claims', intakeBody({ product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(10) }));
    const refused = await post(people.approver, `/claims/${noAdvance.body.id}/advance`, { amount: '1000.00' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'ADVANCE_NOT_OFFERED', details: [expect.objectContaining({ field: 'amount' })] });

    const crime = await createEvent(app, people.assessor, 'CRIMINAL_CASE');
    const claim = await post(people.assessor, '/claims', intakeBody({ product: 'CRIMINAL_INJURY', event: crime, idNumber: residentId(11), benefits: ['MEDICAL'] }));
    expect((await post(people.approver, `/claims/${claim.body.id}/advance`, { amount: '6000.00' })).status).toBe(200);
    const over = await post(people.finance, `/claims/${claim.body.id}/advance`, { amount: '4000.01' });
    expect(over.body.error).toMatchObject({ code: 'ADVANCE_OVER_MAX', details: [expect.objectContaining({ field: 'amount', reason: expect.stringContaining('4000.00 left') })] });
    expect((await post(people.approver, `/claims/${claim.body.id}/advance`, { amount: 1000 })).body.error.details[0].field).toBe('amount');
    await post(people.assessor, `/claims/${claim.body.id}/survey`, { surveyedOn: INCIDENT_ON, findings: '属实' });
    await post(people.assessor, `/claims/${claim.body.id}/assessment`, { items: [medical('CR-11', '2500.00')] });
    expect((await post(people.approver, `/claims/${claim.body.id}/advance`, { amount: '100.00' })).body.error.code).toBe('ADVANCE_AFTER_ASSESSMENT');
  });

  it('an advance larger than the final payable becomes a recovery owed, never a negative payment', async () => {
    const brave = await createEvent(app, people.assessor, 'BRAVE_DEED');
    const claim = await post(people.assessor, '/claims', intakeBody({ product: 'BRAVE_DEED', event: brave, idNumber: residentId(12), benefits: ['MEDICAL'] }));
    await post(people.approver, `/claims/${claim.body.id}/advance`, { amount: '10000.00' });
    expect((await post(people.finance, `/claims/${claim.body.id}/pay`, { paidOn: TODAY, reference: 'ADV-12' })).body).toMatchObject({ advancePaid: '10000.00' });
    await post(people.assessor, `/claims/${claim.body.id}/survey`, { surveyedOn: INCIDENT_ON, findings: '属实' });
    const assessed = await post(people.assessor, `/claims/${claim.body.id}/assessment`, { items: [medical('BD-12', '6000.00')] });
    expect(assessed.body).toMatchObject({ total: '6000.00', advancePaid: '10000.00', remaining: '0.00', recoveryOwed: '4000.00' });
    const approved = await approve(app, people.approver, claim.body.id);
    expect(approved).toMatchObject({ status: 'APPROVED', approved: '6000.00', remaining: '0.00', recoveryOwed: '4000.00' });
    const paid = await post(people.finance, `/claims/${claim.body.id}/pay`, { paidOn: TODAY, reference: 'NONE' });
    expect(paid.body).toMatchObject({ status: 'PAID', paid: '10000.00', recoveryOwed: '4000.00' });
    expect(await app.sql(`SELECT amount FROM claim_payments WHERE claim_id = ? AND kind = 'PAYMENT'`, [claim.body.id])).toEqual([{ amount: '0.00' }]);
  });
});

describe('reopening', () => {
  it('a reopened claim with a worse grade pays only the difference', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(13), items: [{ type: 'DISABILITY', grade: 8 }] });
    expect(claim.assessment.total).toBe('30000.00');
    await approve(app, people.approver, claim.id);
    expect((await post(people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'B-13' })).body.status).toBe('CLOSED');
    const reopened = await post(people.assessor, `/claims/${claim.id}/reopen`, { reason: '伤残等级重新鉴定为 6 级' });
    expect(reopened.body).toMatchObject({ status: 'SURVEYED', approved: '30000.00', dueDates: { decision: addDays(TODAY, 30) } });
    const again = await post(people.assessor, `/claims/${claim.id}/assessment`, { items: [{ type: 'DISABILITY', grade: 6 }] });
    expect(again.body).toMatchObject({ total: '20000.00', remaining: '20000.00', items: [{ payable: '20000.00', explanation: expect.stringContaining('已按 8级 赔付 30000.00') }] });
    expect(await approve(app, people.approver2, claim.id)).toMatchObject({ status: 'APPROVED', approved: '50000.00', paid: '30000.00', remaining: '20000.00' });
    expect((await post(people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'B-13b' })).body).toMatchObject({ paid: '50000.00', remaining: '0.00' });
  });
  it('a reopened claim with new invoices pays only what the medical limit has left after the medical already paid', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(21), items: [medical('RM-21a', '15000.00')] });
    expect(claim.assessment.total).toBe('15000.00');
    await approve(app, people.approver, claim.id);
    expect((await post(people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'M-21' })).body).toMatchObject({ status: 'CLOSED', paid: '15000.00' });
    expect((await post(people.assessor, `/claims/${claim.id}/reopen`, { reason: '后续治疗发票' })).body.status).toBe('SURVEYED');
    // Limit 20,000.00 with 15,000.00 already paid: of 8,000.00 new invoices only 5,000.00 is payable.
    const again = await post(people.assessor, `/claims/${claim.id}/assessment`, { items: [medical('RM-21b', '8000.00')] });
    expect(again.body).toMatchObject({ total: '5000.00', remaining: '5000.00', items: [{ type: 'MEDICAL', payable: '5000.00', explanation: expect.stringContaining('已付 15000.00') }] });
    expect(await approve(app, people.approver2, claim.id)).toMatchObject({ status: 'APPROVED', approved: '20000.00', paid: '15000.00', remaining: '5000.00' });
  });
});

describe('history, lists and clocks', () => {
  it('records every change with who, when, what, before and after', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(14), items: [medical('H-14', '300.00')] });
    await post(people.approver, `/claims/${claim.id}/return`, { reason: '补充病历' });
    await post(people.assessor, `/claims/${claim.id}/assessment`, { items: [medical('H-14', '300.00')] });
    await approve(app, people.approver, claim.id);
    const history = (await app.request('GET', `/claims/${claim.id}/history`, { token: people.finance })).body;
    expect(history.items.map((h: any) => [h.action, h.actor.name, h.before?.status ?? null, h.after.status])).toEqual([
      ['register', '查勘员甲', null, 'REPORTED'],
      ['survey', '查勘员甲', 'REPORTED', 'SURVEYED'],
      ['assess', '查勘员甲', 'SURVEYED', 'ASSESSED'],
      ['return', '审批人甲', 'ASSESSED', 'RETURNED'],
      ['assess', '查勘员甲', 'RETURNED', 'ASSESSED'],
      ['approve', '审批人甲', 'ASSESSED', 'APPROVED'],
    ]);
    expect(history.items[3].details).toEqual({ reason: '补充病历' });
    expect(history.items[5]).toMatchObject({ before: { pendingTotal: '300.00', approvedTotal: '0.00' }, after: { pendingTotal: null, approvedTotal: '300.00' }, at: expect.stringMatching(/Z$/) });
  });

  it('masks ID and bank numbers in lists for everyone but finance, and filters', async () => {
    const path = `/claims?product=PUBLIC_LIABILITY&event=${typhoon}&status=APPROVED,PAID&district=市南区&limit=2`;
    const forApprover = (await app.request('GET', path, { token: people.approver })).body;
    expect(forApprover.total).toBeGreaterThan(2);
    expect(forApprover.items).toHaveLength(2);
    for (const item of forApprover.items) {
      expect(item.idNumber).toMatch(/^370202\*{8}\d{3}[\dX]$/);
      expect(item.bankAccountNumber).toBe('***************3445');
      expect(['APPROVED', 'PAID']).toContain(item.status);
    }
    for (const token of [people.assessor, app.adminToken]) expect((await app.request('GET', path, { token })).body.items[0].idNumber).toContain('*');
    const forFinance = (await app.request('GET', path, { token: people.finance })).body;
    expect(forFinance.items[0].idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(forFinance.items[0].bankAccountNumber).toBe('6222020200112233445');
    expect((await app.request('GET', `/claims?reportedFrom=${addDays(TODAY, 1)}`, { token: people.finance })).body.total).toBe(0);
    expect((await app.request('GET', '/claims?status=LOST', { token: people.finance })).status).toBe(422);
  });

  it('the service sets the decision due 30 days after the documents are complete and the payment due 10 days after approval', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(18), items: [medical('DUE-18', '100.00')] });
    // registerAndAssess hands in every document at the survey, dated INCIDENT_ON.
    expect((await app.request('GET', `/claims/${claim.id}`)).body).toMatchObject({ status: 'ASSESSED', approvedOn: null, dueDates: { decision: addDays(INCIDENT_ON, 30), payment: null } });
    expect(await approve(app, people.approver, claim.id)).toMatchObject({ status: 'APPROVED', approvedOn: TODAY, dueDates: { decision: addDays(INCIDENT_ON, 30), payment: addDays(TODAY, 10) }, overdue: false });
    const [row] = await app.sql('SELECT approved_on::text, payment_due_on::text FROM claims WHERE id = ?', [claim.id]);
    expect(row).toEqual({ approved_on: TODAY, payment_due_on: addDays(TODAY, 10) });
  });

  it('lists claims whose decision or payment is overdue, by the dates the service computed', async () => {
    const old = addDays(TODAY, -60);
    const storm = await createEvent(app, people.assessor, 'RAINSTORM', old);
    const late = await post(people.assessor, '/claims', intakeBody({ product: 'PUBLIC_LIABILITY', event: storm, idNumber: residentId(15), incidentOn: old, reportedOn: old, benefits: ['MEDICAL'] }));
    const survey = await post(people.assessor, `/claims/${late.body.id}/survey`, { surveyedOn: addDays(old, 1), findings: '属实', documentsReceived: allDocuments(app, 'PUBLIC_LIABILITY', ['MEDICAL'], old) });
    expect(survey.body.decisionDueOn).toBe(addDays(old, 31));
    // Approved 11 days ago: payment was due yesterday. Approved 10 days ago: due today, not yet overdue.
    const unpaid = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: storm, idNumber: residentId(16), incidentOn: old, items: [medical('OD-16', '100.00')] });
    const dueToday = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: storm, idNumber: residentId(19), incidentOn: old, items: [medical('OD-19', '100.00')] });
    expect(await onDay(app, addDays(TODAY, -11), () => approve(app, people.approver, unpaid.id))).toMatchObject({
      status: 'APPROVED', approvedOn: addDays(TODAY, -11), dueDates: { decision: addDays(old, 30), payment: addDays(TODAY, -1) },
    });
    expect(await onDay(app, addDays(TODAY, -10), () => approve(app, people.approver, dueToday.id))).toMatchObject({
      status: 'APPROVED', approvedOn: addDays(TODAY, -10), dueDates: { payment: TODAY },
    });
    expect((await app.request('GET', `/claims/${unpaid.id}`)).body).toMatchObject({ overdue: true, dueDates: { payment: addDays(TODAY, -1) } });
    expect((await app.request('GET', `/claims/${dueToday.id}`)).body).toMatchObject({ overdue: false, dueDates: { payment: TODAY } });

    const overdue = (await app.request('GET', `/claims?overdue=true&event=${storm}`, { token: people.finance })).body;
    expect(overdue.items.map((c: any) => c.id).sort()).toEqual([late.body.id, unpaid.id].sort());
    expect(overdue.items.every((c: any) => c.overdue)).toBe(true);
    await post(people.finance, `/claims/${unpaid.id}/pay`, { paidOn: TODAY, reference: 'LATE' });
    expect((await app.request('GET', `/claims?overdue=true&event=${storm}`, { token: people.finance })).body.items.map((c: any) => c.id)).toEqual([late.body.id]);
  });

  it('payment refuses a date in the future and a claim not yet approved', async () => {
    const claim = await registerAndAssess(app, people, { product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(17), items: [medical('P-17', '100.00')] });
    expect((await post(people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'EARLY' })).body.error.code).toBe('CLAIM_STATUS_CONFLICT');
    await approve(app, people.approver, claim.id);
    const future = await post(people.finance, `/claims/${claim.id}/pay`, { paidOn: addDays(TODAY, 1), reference: 'FUTURE' });
    expect(future.body.error.details[0].field).toBe('paidOn');
    expect((await post(people.approver, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'R' })).status).toBe(403);
  });
});
