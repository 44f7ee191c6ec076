// Proves that the same POST sent several times at once ends in 2xx or 4xx, never 5xx: one settlement, user, event, claim, withdrawal or approval wins, the others get a 409 with a code and details, and the work is done exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestReply } from '../support/app.js';
import { appWithPolicies, approve, createEvent, editedPolicies, INCIDENT_ON, intakeBody, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';

// A per-event limit of 1,000 yuan on EMERGENCY_RESPONSE, so that any real assessment is held.
let app: TestApp;
let people: Staff;
beforeAll(async () => {
  app = await appWithPolicies(editedPolicies({ EMERGENCY_RESPONSE: (terms) => { terms.perEventLimit = '1000.00'; } }));
  people = await staff(app);
});
afterAll(() => app.close());

const times = <T>(n: number, send: (index: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, index) => send(index)));

/** Exactly one reply of the winning status; every other one the given 409 code, with a details array. */
function expectOneWinner(replies: TestReply[], winner: number, loserCode: string): TestReply {
  const statuses = replies.map((reply) => reply.status).sort();
  expect(statuses, JSON.stringify(replies.map((reply) => reply.body))).toEqual([winner, ...Array(replies.length - 1).fill(409)].sort());
  for (const reply of replies.filter((r) => r.status === 409)) {
    expect(reply.body.error).toEqual({ code: loserCode, message: expect.any(String), details: expect.any(Array) });
  }
  return replies.find((reply) => reply.status === winner)!;
}

describe('POST /events/:id/settle at once', () => {
  it('settles once: one 200, the others 409 NOTHING_TO_SETTLE as a later retry would get', async () => {
    const event = await createEvent(app, people.assessor, 'FIRE');
    const claims = [];
    for (const sequence of [1, 2]) {
      const claim = await registerAndAssess(app, people, { product: 'EMERGENCY_RESPONSE', event, idNumber: residentId(sequence), items: [{ type: 'DEATH' }] });
      // Above 50,000 a second approver signs; only then does the limit hold the claim.
      expect(await approve(app, people.approver, claim.id)).toMatchObject({ status: 'PENDING_SECOND_APPROVAL' });
      expect(await approve(app, people.approver2, claim.id)).toMatchObject({ status: 'HELD' });
      claims.push(claim);
    }
    const replies = await times(3, () => app.request('POST', `/events/${event}/settle`, { token: people.finance }));
    const won = expectOneWinner(replies, 200, 'NOTHING_TO_SETTLE');
    for (const lost of replies.filter((r) => r.status === 409)) expect(lost.body.error.details).toEqual([{ eventId: event }]);
    expect(won.body.settlements[0].total).toBe('1000.00');

    const [totals] = await app.sql('SELECT approved::text FROM claim_event_totals WHERE event_id = ?', [event]);
    expect(totals.approved).toBe('1000.00');
    const settles = await app.sql(`SELECT count(*)::int AS n FROM claim_history WHERE action = 'settle' AND claim_id IN (?, ?)`, claims.map((claim) => claim.id));
    expect(settles[0].n).toBe(2);
    expect((await app.request('POST', `/events/${event}/settle`, { token: people.finance })).body.error.code).toBe('NOTHING_TO_SETTLE');
  });
});

describe('creations at once', () => {
  it('POST /users with one name: one 201, the others 409 USER_EXISTS; one user', async () => {
    const replies = await times(5, () => app.request('POST', '/users', { body: { name: '并发用户', role: 'assessor' } }));
    expectOneWinner(replies, 201, 'USER_EXISTS');
    for (const lost of replies.filter((r) => r.status === 409)) expect(lost.body.error.details).toEqual([{ field: 'name', value: '并发用户', reason: 'already taken' }]);
    expect(await app.sql("SELECT id FROM users WHERE name = '并发用户'")).toHaveLength(1);
    expect(await app.sql("SELECT t.token_hash FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.name = '并发用户'")).toHaveLength(1);
  });

  it('POST /events for one event: one 201, the others 409 DUPLICATE_EVENT naming it; one event', async () => {
    const body = { type: 'FIRE', name: '同时登记的火灾', occurredOn: INCIDENT_ON, district: '市北区' };
    const replies = await times(5, () => app.request('POST', '/events', { token: people.assessor, body }));
    const won = expectOneWinner(replies, 201, 'DUPLICATE_EVENT');
    for (const lost of replies.filter((r) => r.status === 409)) expect(lost.body.error.details).toEqual([{ eventId: won.body.id }]);
    expect(await app.sql("SELECT id FROM claim_events WHERE name = '同时登记的火灾'")).toHaveLength(1);
  });

  it('POST /claims for one person, event and product: one 201, the others 409 DUPLICATE_CLAIM naming it; one claim', async () => {
    const event = await createEvent(app, people.assessor, 'STAMPEDE');
    const body = intakeBody({ product: 'STAMPEDE', event, idNumber: residentId(40) });
    const replies = await times(4, () => app.request('POST', '/claims', { token: people.assessor, body }));
    const won = expectOneWinner(replies, 201, 'DUPLICATE_CLAIM');
    for (const lost of replies.filter((r) => r.status === 409)) expect(lost.body.error.details).toEqual([expect.objectContaining({ claimId: won.body.id, number: won.body.number })]);
    expect(await app.sql('SELECT id FROM claims WHERE event_id = ?', [event])).toHaveLength(1);
  });
});

describe('claim steps at once', () => {
  it('one withdrawal of a claim wins; the others 409 on the status it left', async () => {
    const event = await createEvent(app, people.assessor, 'STAMPEDE');
    const intake = await app.request('POST', '/claims', { token: people.assessor, body: intakeBody({ product: 'STAMPEDE', event, idNumber: residentId(41) }) });
    expect(intake.status).toBe(201);
    const replies = await times(3, () => app.request('POST', `/claims/${intake.body.id}/withdraw`, { token: people.assessor, body: { reason: '申请人撤回' } }));
    expect(replies.filter((r) => r.status === 200), JSON.stringify(replies.map((r) => r.body))).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) {
      expect(reply.status).toBe(409);
      expect(reply.body.error).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    }
    const history = await app.sql(`SELECT count(*)::int AS n FROM claim_history WHERE claim_id = ? AND action = 'withdraw'`, [intake.body.id]);
    expect(history[0].n).toBe(1);
  });

  it('one approval of a claim by three approvers at once: one 200, the others 409; one approval recorded', async () => {
    const event = await createEvent(app, people.assessor, 'STAMPEDE');
    const claim = await registerAndAssess(app, people, { product: 'STAMPEDE', event, idNumber: residentId(42), items: [{ type: 'MEDICAL', invoices: [{ number: 'RACE-1', amount: '1000.00' }] }] });
    const replies = await Promise.all([people.approver, people.approver2, people.approver3].map((token) => app.request('POST', `/claims/${claim.id}/approve`, { token })));
    expect(replies.filter((r) => r.status === 200), JSON.stringify(replies.map((r) => r.body))).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) {
      expect(reply.status).toBe(409);
      expect(reply.body.error).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    }
    const approvals = await app.sql('SELECT count(*)::int AS n FROM claim_approvals WHERE assessment_id IN (SELECT id FROM claim_assessments WHERE claim_id = ?)', [claim.id]);
    expect(approvals[0].n).toBe(1);
  });
});
