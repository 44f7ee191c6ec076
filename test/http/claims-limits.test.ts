// Proves per-event limits and annual aggregates: approvals over them are held, settlement shares the remainder pro rata rounded down, and concurrent approvals never pass a limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/shared/decimal.js';
import type { TestApp } from '../support/app.js';
import { TODAY, appWithPolicies, approve, createEvent, editedPolicies, intakeBody, INCIDENT_ON, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';

// Small limits so a handful of claims reach them: EMERGENCY_RESPONSE 100,000 per event, VOLUNTEER and CRIMINAL_INJURY 30,000 a year.
let app: TestApp;
let people: Staff;
beforeAll(async () => {
  app = await appWithPolicies(editedPolicies({
    EMERGENCY_RESPONSE: (terms) => { terms.perEventLimit = '100000.00'; },
    VOLUNTEER: (terms) => { terms.annualAggregate = '30000.00'; },
    CRIMINAL_INJURY: (terms) => { terms.annualAggregate = '30000.00'; },
  }));
  people = await staff(app);
});
afterAll(() => app.close());

const post = (token: string, path: string, body?: unknown) => app.request('POST', path, { token, body });
const eventTotals = async (event: string, product: string) => (await app.request('GET', `/events/${event}`, { token: people.finance })).body.totals.find((t: any) => t.product === product);
const approvedOnEvent = async (event: string) => (await app.sql(`SELECT COALESCE(sum(approved_total), 0)::text AS s FROM claims WHERE event_id = ?`, [event]))[0].s;

describe('per-event limit', () => {
  it('holds approvals the remainder cannot pay in full and settles them pro rata, each item rounded down to the fen', async () => {
    const event = await createEvent(app, people.assessor, 'FIRE');
    const x = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(1), items: [{ type: 'DEATH' }] });
    const y = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(2), items: [{ type: 'DISABILITY', grade: 9 }, { type: 'MEDICAL', invoices: [{ number: 'F-2', amount: '1000.01' }] }] });
    const z = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(3), items: [{ type: 'RESETTLEMENT', days: 15 }, { type: 'LIVING_AID', days: 90 }] });
    const assessed: Decimal[][] = [x, y, z].map((claim) => claim.assessment.items.map((item: any) => new Decimal(item.payable)));
    const assessedTotal = assessed.flat().reduce((a, b) => a.plus(b));
    expect(assessedTotal.toFixed(2)).toBe('123550.01');

    await approve(app, people.approver, x.id);
    for (const [claim, token] of [[x, people.approver2], [y, people.approver], [z, people.approver]] as const) {
      const held = await approve(app, token, claim.id);
      expect(held).toMatchObject({ status: 'HELD', holdReasons: ['PER_EVENT'] });
    }
    // Held claims cannot be approved again or paid; the limit stays untouched until finance settles.
    for (const refused of [await post(people.approver3, `/claims/${y.id}/approve`), await post(people.finance, `/claims/${y.id}/pay`, { paidOn: TODAY, reference: 'NO' })]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'CLAIM_STATUS_CONFLICT', details: [{ status: 'HELD' }] });
    }
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: '0.00', held: '123550.01', remaining: '100000.00' });
    const history = (await app.request('GET', `/claims/${y.id}/history`)).body.items.at(-1);
    expect(history).toMatchObject({ action: 'hold', details: { exceeded: ['PER_EVENT'], perEventLimit: '100000.00', otherClaimsWaiting: '102550.00' } });

    const settled = await post(people.finance, `/events/${event}/settle`);
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    const expected = assessed.map((items) => items.map((amount) => amount.times('100000').dividedBy(assessedTotal).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2)));
    expect(settled.body.settlements[0].claims.map((c: any) => c.items.map((item: any) => item.settled))).toEqual(expected);
    expect(expected.flat()).toEqual(['80938.88', '16187.77', '809.39', '242.81', '1821.12']);
    const total = new Decimal(settled.body.settlements[0].total);
    expect(total.lte(100000)).toBe(true);
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: total.toFixed(2), held: '0.00' });
    expect(await approvedOnEvent(event)).toBe(total.toFixed(2));
    expect((await post(people.finance, `/events/${event}/settle`)).body.error.code).toBe('NOTHING_TO_SETTLE');
    expect((await post(people.approver, `/events/${event}/settle`)).status).toBe(403);

    // With the remainder gone, a later claim of the event is held too, and settling it shares nothing.
    const late = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(4), items: [{ type: 'RESETTLEMENT', days: 1 }] });
    expect(await approve(app, people.approver, late.id)).toMatchObject({ status: 'HELD' });
  });

  it('claims that fit together are paid in full without a hold', async () => {
    const event = await createEvent(app, people.assessor, 'TRAFFIC');
    const a = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(5), items: [{ type: 'DISABILITY', grade: 6 }] });
    const b = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(6), items: [{ type: 'DISABILITY', grade: 6 }] });
    expect(await approve(app, people.approver2, a.id)).toMatchObject({ status: 'APPROVED', approved: '50000.00' });
    expect(await approve(app, people.approver, b.id)).toMatchObject({ status: 'APPROVED', approved: '50000.00' });
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: '100000.00', remaining: '0.00' });
  });

  it('concurrent assessments and approvals against one event limit: exactly the claims that fit are approved, the rest held, settlement fills the limit to the fen', async () => {
    const event = await createEvent(app, people.assessor, 'SUDDEN_INCIDENT');
    const surveyed = async (sequence: number) => {
      const intake = await post(people.assessor, '/claims', intakeBody({ product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(sequence), benefits: ['MEDICAL'] }));
      expect(intake.status, JSON.stringify(intake.body)).toBe(201);
      expect((await post(people.assessor, `/claims/${intake.body.id}/survey`, { surveyedOn: INCIDENT_ON, findings: '属实' })).status).toBe(200);
      return intake.body.id as string;
    };
    const approvers = [people.approver, people.approver2, people.approver3];
    const assessAndApprove = (ids: string[], invoicePrefix: string) => Promise.all(ids.map(async (id, i) => {
      const assessed = await post(people.assessor, `/claims/${id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: `${invoicePrefix}-${i}`, amount: '12000.00' }] }] });
      expect(assessed.status, JSON.stringify(assessed.body)).toBe(200);
      expect(assessed.body.total).toBe('12000.00');
      return post(approvers[i % 3]!, `/claims/${id}/approve`);
    }));

    // 8 × 12,000.00 = 96,000.00 fits under 100,000.00 in any interleaving: every one is approved in full.
    const fitting: string[] = [];
    for (let i = 0; i < 8; i++) fitting.push(await surveyed(100 + i));
    const first = await assessAndApprove(fitting, 'SI');
    for (const reply of first) expect(reply.body, JSON.stringify(reply.body)).toMatchObject({ status: 'APPROVED', approved: '12000.00', holdReasons: [] });
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: '96000.00', held: '0.00', remaining: '4000.00' });

    // 4 more racing: 96,000.00 + 12,000.00 passes the limit whatever the order, so every one is held and none approved.
    const over: string[] = [];
    for (let i = 0; i < 4; i++) over.push(await surveyed(108 + i));
    const second = await assessAndApprove(over, 'SJ');
    for (const reply of second) expect(reply.body, JSON.stringify(reply.body)).toMatchObject({ status: 'HELD', approved: '0.00', holdReasons: ['PER_EVENT'] });
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: '96000.00', held: '48000.00', remaining: '4000.00' });
    expect(await approvedOnEvent(event)).toBe('96000.00');

    // Finance shares the 4,000.00 left among the four held claims: 1,000.00 each, the limit reached exactly.
    const settled = await post(people.finance, `/events/${event}/settle`);
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body.settlements[0].claims.map((c: any) => [c.id, c.assessed, c.settled])).toEqual(over.map((id) => [id, '12000.00', '1000.00']));
    for (const id of fitting) expect((await app.request('GET', `/claims/${id}`)).body).toMatchObject({ status: 'APPROVED', approved: '12000.00' });
    for (const id of over) expect((await app.request('GET', `/claims/${id}`)).body).toMatchObject({ status: 'APPROVED', approved: '1000.00' });
    expect(await approvedOnEvent(event)).toBe('100000.00');
    expect(await eventTotals(event, 'EMERGENCY_RESPONSE')).toMatchObject({ approved: '100000.00', held: '0.00', remaining: '0.00' });
  });
});

describe('annual aggregate', () => {
  it('holds an approval that would cross the aggregate and refuses to settle it as exhausted', async () => {
    const event = await createEvent(app, people.assessor, 'VOLUNTEER_ACTIVITY');
    const first = await registerAndAssess(app, people, { product: 'VOLUNTEER', event, idNumber: residentId(50), items: [{ type: 'DISABILITY', grade: 10 }] });
    expect(await approve(app, people.approver, first.id)).toMatchObject({ status: 'APPROVED', approved: '20000.00' });
    const other = await createEvent(app, people.assessor, 'VOLUNTEER_ACTIVITY');
    const second = await registerAndAssess(app, people, { product: 'VOLUNTEER', event: other, idNumber: residentId(51), items: [{ type: 'DISABILITY', grade: 10 }] });
    const held = await approve(app, people.approver, second.id);
    expect(held).toMatchObject({ status: 'HELD', holdReasons: ['ANNUAL_AGGREGATE'] });
    const settle = await post(people.finance, `/events/${other}/settle`);
    expect(settle.status).toBe(409);
    expect(settle.body.error).toMatchObject({ code: 'AGGREGATE_EXHAUSTED', details: [{ approved: '20000.00', aggregate: '30000.00', requested: '20000.00' }] });
    expect((await app.request('GET', `/claims/${second.id}`)).body.status).toBe('HELD');
    expect((await post(people.approver, `/claims/${second.id}/reject`, { reason: '年度累计限额已用尽' })).body.status).toBe('REJECTED');
    const [year] = await app.sql(`SELECT approved::text FROM claim_year_totals WHERE product = 'VOLUNTEER'`);
    expect(year.approved).toBe('20000.00');
  });

  it('concurrent approvals never pass the aggregate: exactly what fits is approved, the rest held', async () => {
    const event = await createEvent(app, people.assessor, 'CRIMINAL_CASE');
    const claims = [];
    for (let i = 0; i < 6; i++) {
      claims.push(await registerAndAssess(app, people, { product: 'CRIMINAL_INJURY', event, idNumber: residentId(60 + i), items: [{ type: 'MEDICAL', invoices: [{ number: `CI-${i}`, amount: '10000.00' }] }] }));
    }
    const approvers = [people.approver, people.approver2, people.approver3];
    const replies = await Promise.all(claims.map((claim, i) => post(approvers[i % 3]!, `/claims/${claim.id}/approve`)));
    expect(replies.map((reply) => reply.status)).toEqual(claims.map(() => 200));
    expect(replies.map((reply) => reply.body.status).sort()).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'HELD', 'HELD', 'HELD']);
    const [year] = await app.sql(`SELECT approved::text FROM claim_year_totals WHERE product = 'CRIMINAL_INJURY'`);
    expect(year.approved).toBe('30000.00');
  });
});
