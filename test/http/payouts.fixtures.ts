// Shared by the payouts HTTP tests: approved claims ready to batch, and the batch → bank file → confirm walk.
import { expect } from 'vitest';
import type { TestApp } from '../support/app.js';
import { approve, registerAndAssess, residentId, type Staff } from './claims.fixtures.js';

let nextInvoice = 0;

/** A claim assessed at exactly `amount` of medical expenses (insured, no deductible on PUBLIC_LIABILITY) and approved. */
export async function approvedClaim(app: TestApp, people: Staff, event: string, sequence: number, amount: string, product = 'PUBLIC_LIABILITY') {
  nextInvoice += 1;
  const claim = await registerAndAssess(app, people, {
    product, event, idNumber: residentId(sequence), items: [{ type: 'MEDICAL', invoices: [{ number: `PO-${sequence}-${nextInvoice}`, amount }] }],
  });
  expect(claim.assessment.total).toBe(amount);
  const approved = await approve(app, people.approver, claim.id);
  expect(approved.status).toBe('APPROVED');
  return claim;
}

export const post = (app: TestApp, token: string, path: string, body?: unknown) => app.request('POST', path, { token, body });

/** Creates a batch of the named claims and checks the reply. */
export async function batchOf(app: TestApp, finance: string, claims: string[]) {
  const reply = await post(app, finance, '/payout-batches', { claims });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

/** Exports the bank file (which marks the batch SENT). */
export async function send(app: TestApp, finance: string, batchId: string, format: 'xlsx' | 'csv' = 'csv') {
  const reply = await app.request('GET', `/payout-batches/${batchId}/bank-file.${format}`, { token: finance });
  expect(reply.status, String(reply.body).slice(0, 300)).toBe(200);
  return reply;
}
