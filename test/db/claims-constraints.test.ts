// Proves the database itself refuses what would pay twice or break four eyes, even if a service had a bug: each tampering statement is rejected by its constraint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { approve, createEvent, registerAndAssess, residentId, staff, type Staff } from '../http/claims.fixtures.js';

let app: TestApp;
let people: Staff;
let claim: { id: string; assessmentId: string; eventId: string };
let assessorId: string;
let approverId: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  const event = await createEvent(app, people.assessor, 'FIRE');
  const walked = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(1), items: [{ type: 'MEDICAL', invoices: [{ number: 'DB-1', amount: '1000.00' }] }] });
  await approve(app, people.approver, walked.id);
  claim = { id: walked.id, assessmentId: String(walked.assessment.assessmentId), eventId: event };
  [{ id: assessorId }] = await app.sql(`SELECT id FROM users WHERE name = '查勘员甲'`);
  [{ id: approverId }] = await app.sql(`SELECT id FROM users WHERE name = '审批人甲'`);
});
afterAll(() => app.close());

describe('constraints', () => {
  it('an invoice number is reimbursed once across all claims and products', async () => {
    await expect(app.sql('INSERT INTO reimbursed_invoices (invoice_number, claim_id, assessment_id, amount, excluded) VALUES (?, ?, ?, 1, 0)', ['DB-1', claim.id, claim.assessmentId])).rejects.toThrow(/reimbursed_invoices_pkey/);
    await expect(app.sql('INSERT INTO reimbursed_invoices (invoice_number, claim_id, assessment_id, amount, excluded) VALUES (?, ?, ?, 1, 0)', ['db-2 ', claim.id, claim.assessmentId])).rejects.toThrow(/reimbursed_invoices_normalized/);
  });

  it('the assessor never approves, and one approver never approves twice', async () => {
    await expect(app.sql(`INSERT INTO claim_approvals (assessment_id, claim_id, step, approver_id, assessed_by) VALUES (?, ?, 'SECOND', ?, ?)`, [claim.assessmentId, claim.id, assessorId, assessorId])).rejects.toThrow(/claim_approvals_not_by_assessor/);
    await expect(app.sql(`INSERT INTO claim_approvals (assessment_id, claim_id, step, approver_id, assessed_by) VALUES (?, ?, 'SECOND', ?, ?)`, [claim.assessmentId, claim.id, approverId, assessorId])).rejects.toThrow(/claim_approvals_assessment_id_approver_id_key/);
  });

  it('a claim is never paid more than approved, nor advanced more than approved, nor approved an advance beyond its product', async () => {
    await expect(app.sql('UPDATE claims SET paid_total = approved_total + 0.01 WHERE id = ?', [claim.id])).rejects.toThrow(/claims_never_overpaid/);
    await expect(app.sql('UPDATE claims SET advance_paid = 1 WHERE id = ?', [claim.id])).rejects.toThrow(/claims_advance_never_overpaid/);
    await expect(app.sql('UPDATE claims SET advance_approved = advance_max + 0.01 WHERE id = ?', [claim.id])).rejects.toThrow(/claims_advance_approved_within_max/);
  });

  it('an event and a policy year never pass their limits', async () => {
    await expect(app.sql(`UPDATE claim_event_totals SET approved = limit_amount + 0.01 WHERE event_id = ?`, [claim.eventId])).rejects.toThrow(/claim_event_totals_within_limit/);
    await expect(app.sql(`UPDATE claim_year_totals SET approved = aggregate + 0.01 WHERE product = 'EMERGENCY_RESPONSE'`)).rejects.toThrow(/claim_year_totals_within_aggregate/);
  });

  it('one live claim per person, event and product', async () => {
    const copy = `INSERT INTO claims (product, product_version, policy_year, event_id, status, claimant_name, id_number, phone, has_medical_insurance,
        bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description, benefits, created_by)
      SELECT product, product_version, policy_year, event_id, ?, claimant_name, id_number, phone, has_medical_insurance,
        bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description, benefits, created_by FROM claims WHERE id = ?`;
    await expect(app.sql(copy, ['REPORTED', claim.id])).rejects.toThrow(/claims_one_live_per_person/);
    await expect(app.sql(copy, ['REJECTED', claim.id])).resolves.toBeDefined();
  });
});
