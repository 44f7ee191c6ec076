// Proves intake, products and events: every refusal names its field and writes nothing, duplicates name the existing claim, the missing documents come in one notice, and intake is idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { warehousesCsv } from '../support/csv.js';
import { INCIDENT_ON, INVALID_RESIDENT_IDS, STANDARD_EXAMPLE_RESIDENT_ID, TODAY, createEvent, intakeBody, residentId, staff, type Staff } from './claims.fixtures.js';

let app: TestApp;
let people: Staff;
let stampede: string;
let typhoon: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  stampede = await createEvent(app, people.assessor, 'STAMPEDE');
  typhoon = await createEvent(app, people.assessor, 'TYPHOON');
});
afterAll(() => app.close());

const countClaims = async () => Number((await app.sql('SELECT count(*) AS n FROM claims'))[0].n);
const register = (body: unknown, headers: Record<string, string> = {}) => app.request('POST', '/claims', { token: people.assessor, body, headers });

async function expectRefused(body: unknown, status: number, code: string, field?: string) {
  const before = await countClaims();
  const reply = await register(body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.code).toBe(code);
  if (field) expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  expect(await countClaims()).toBe(before);
  return reply.body.error;
}

describe('products and events', () => {
  it('lists the six products with their version, covered event types and terms', async () => {
    const reply = await app.request('GET', '/products', { token: people.finance });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((p: { code: string }) => p.code)).toEqual(['PUBLIC_LIABILITY', 'EMERGENCY_RESPONSE', 'BRAVE_DEED', 'VOLUNTEER', 'CRIMINAL_INJURY', 'STAMPEDE']);
    const brave = reply.body.items.find((p: { code: string }) => p.code === 'BRAVE_DEED');
    expect(brave).toMatchObject({ name: '见义勇为', version: 1, validFrom: '2020-07-31', deathDisabilityLimit: '300000.00', advance: { max: '10000.00' }, perEventLimit: null });
    expect(brave.eventTypes).toEqual([{ code: 'BRAVE_DEED', label: expect.stringContaining('见义勇为') }]);
  });

  it('records an event once, refuses unknown types and future dates, and shows it with its totals', async () => {
    const body = { type: 'FIRE', name: '某小区火灾', occurredOn: INCIDENT_ON, district: '李沧区' };
    const first = await app.request('POST', '/events', { token: people.assessor, body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: 'FIRE', typeLabel: '火灾', district: '李沧区' });
    expect((await app.request('POST', '/events', { token: people.assessor, body })).body.error.code).toBe('DUPLICATE_EVENT');
    const unknown = await app.request('POST', '/events', { token: people.assessor, body: { ...body, type: 'METEOR' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'type' });
    const future = await app.request('POST', '/events', { token: people.assessor, body: { ...body, occurredOn: addDays(TODAY, 1) } });
    expect(future.body.error.details[0]).toMatchObject({ field: 'occurredOn' });
    const shown = await app.request('GET', `/events/${first.body.id}`, { token: people.approver });
    expect(shown.body.totals.map((t: { product: string }) => t.product)).toEqual(['PUBLIC_LIABILITY', 'EMERGENCY_RESPONSE']);
    const listed = await app.request('GET', '/events?type=FIRE&district=李沧区', { token: people.finance });
    expect(listed.body).toMatchObject({ total: 1, items: [expect.objectContaining({ id: first.body.id })] });
  });
});

describe('intake', () => {
  it('registers a claim and lists every missing document in one notice', async () => {
    const reply = await register({ ...intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(1), benefits: ['MEDICAL'] }), documents: ['身份证明', '银行账户信息'] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body).toMatchObject({ number: expect.stringMatching(/^LP\d{8}$/), status: 'REPORTED', product: 'STAMPEDE', productVersion: 1 });
    expect(reply.body.documents.missing).toEqual(['理赔申请书', '事故证明', '医疗费用发票', '病历/出院小结', '费用清单', '医保结算单（如已由基本医疗保险结算）']);
    expect(reply.body.documents.notice).toContain('1. 理赔申请书');
    expect(reply.body.documents.notice).toContain('6. 医保结算单');
    const detail = await app.request('GET', `/claims/${reply.body.number}`, { token: people.approver });
    expect(detail.body).toMatchObject({ id: reply.body.id, reportedOn: TODAY, dueDates: { decision: null, payment: null } });
  });

  it('refuses known-invalid resident ID numbers with the reason, and accepts known-valid ones, X check character included', async () => {
    const refused = async (idNumber: string) => (await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber }), 422, 'INVALID_ID_NUMBER', 'claimant.idNumber')).message as string;
    expect(await refused(INVALID_RESIDENT_IDS.wrongCheckCharacter)).toContain('check character is 1 but the first 17 digits give 0');
    expect(await refused(INVALID_RESIDENT_IDS.transposedDigits)).toContain('check character is 0 but the first 17 digits give 9');
    expect(await refused(INVALID_RESIDENT_IDS.tooShort)).toContain('this one has 17');
    expect(await refused(INVALID_RESIDENT_IDS.notADate)).toContain('19800230');
    expect(await refused(INVALID_RESIDENT_IDS.bornBefore1900)).toContain('before 1900');
    expect(await refused(INVALID_RESIDENT_IDS.letterInside)).toContain('17 digits followed by a digit or X');
    for (const idNumber of [STANDARD_EXAMPLE_RESIDENT_ID, residentId(15)]) {
      const reply = await register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber }));
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(await app.sql('SELECT id_number FROM claims WHERE id = ?', [reply.body.id])).toEqual([{ id_number: idNumber }]);
    }
  });

  it('refuses a report more than 2 years after the incident, and accepts one on the last day', async () => {
    const incidentOn = addYears(addDays(TODAY, -1), -2);
    const oldEvent = await createEvent(app, people.assessor, 'STAMPEDE', incidentOn);
    const error = await expectRefused(intakeBody({ product: 'STAMPEDE', event: oldEvent, idNumber: residentId(3), incidentOn }), 422, 'REPORT_TOO_LATE', 'reportedOn');
    expect(error.message).toContain('more than 2 years');
    const lastDay = await register(intakeBody({ product: 'STAMPEDE', event: oldEvent, idNumber: residentId(3), incidentOn, reportedOn: addYears(incidentOn, 2) }));
    expect(lastDay.status, JSON.stringify(lastDay.body)).toBe(201);
  });

  it('refuses a report date in the future or before the incident', async () => {
    await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(4), reportedOn: addDays(TODAY, 1) }), 422, 'INVALID_REPORT_DATE', 'reportedOn');
    await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(4), reportedOn: addDays(INCIDENT_ON, -1) }), 422, 'INVALID_REPORT_DATE', 'reportedOn');
    await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(4), incidentOn: addDays(TODAY, 1), reportedOn: TODAY }), 422, 'INVALID_REPORT_DATE', 'incidentOn');
  });

  it('refuses an incident dated before the event it belongs to; later days of the event are fine', async () => {
    const error = await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(60), incidentOn: addDays(INCIDENT_ON, -1) }), 422, 'INCIDENT_BEFORE_EVENT', 'incidentOn');
    expect(error.message).toContain(`occurred on ${INCIDENT_ON}`);
    const later = await register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(60), incidentOn: addDays(INCIDENT_ON, 1) }));
    expect(later.status, JSON.stringify(later.body)).toBe(201);
  });

  it('refuses an event type the product does not cover, an unknown event, a benefit it does not pay', async () => {
    const error = await expectRefused(intakeBody({ product: 'STAMPEDE', event: typhoon, idNumber: residentId(5) }), 422, 'EVENT_TYPE_NOT_COVERED', 'event');
    expect(error.message).toContain('does not cover TYPHOON');
    await expectRefused(intakeBody({ product: 'STAMPEDE', event: '999999', idNumber: residentId(5) }), 422, 'VALIDATION_FAILED', 'event');
    await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(5), benefits: ['RESETTLEMENT'] }), 422, 'VALIDATION_FAILED', 'benefits.0');
    await expectRefused({ ...intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(5) }), documents: ['结婚证'] }, 422, 'VALIDATION_FAILED', 'documents.0');
  });

  it('refuses malformed fields with their names: amounts are not involved, but phone, bank account and product are', async () => {
    const body = intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(6) });
    await expectRefused({ ...body, product: 'PET_INSURANCE' }, 422, 'VALIDATION_FAILED', 'product');
    await expectRefused({ ...body, claimant: { ...body.claimant, bank: { ...body.claimant.bank, accountNumber: '12ab' } } }, 422, 'VALIDATION_FAILED', 'claimant.bank.accountNumber');
    await expectRefused({ ...body, claimant: { ...body.claimant, phone: 'call me' } }, 422, 'VALIDATION_FAILED', 'claimant.phone');
    await expectRefused({ ...body, surprise: true }, 422, 'VALIDATION_FAILED');
  });

  it('refuses the same ID number, event and product again with a 409 naming the existing claim; another product is fine', async () => {
    const idNumber = residentId(7);
    const first = await register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber }));
    expect(first.status).toBe(201);
    const again = await expectRefused(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: idNumber.toLowerCase() }), 409, 'DUPLICATE_CLAIM');
    expect(again.message).toContain(first.body.number);
    expect(again.details).toMatchObject([{ claimId: first.body.id, number: first.body.number }]);
    const fire = await createEvent(app, people.assessor, 'FIRE');
    expect((await register(intakeBody({ product: 'PUBLIC_LIABILITY', event: fire, idNumber }))).status).toBe(201);
    expect((await register(intakeBody({ product: 'EMERGENCY_RESPONSE', event: fire, idNumber }))).status).toBe(201);
  });

  it('a withdrawn claim does not block a new one for the same person', async () => {
    const idNumber = residentId(8);
    const first = await register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber }));
    const withdrawn = await app.request('POST', `/claims/${first.body.id}/withdraw`, { token: people.assessor, body: { reason: '申请人撤回' } });
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    expect((await register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber }))).status).toBe(201);
  });

  it('concurrent intakes of the same person create one claim; the others are told which', async () => {
    const body = intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(9) });
    const replies = await Promise.all(Array.from({ length: 6 }, () => register(body)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 201)) expect(reply.body.error.code).toBe('DUPLICATE_CLAIM');
    expect(await app.sql('SELECT id FROM claims WHERE id_number = ?', [residentId(9)])).toHaveLength(1);
  });

  it('an intake retried with the same Idempotency-Key creates one claim and replays the first reply', async () => {
    const body = intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(10) });
    const first = await register(body, { 'idempotency-key': 'intake-10' });
    const second = await register(body, { 'idempotency-key': 'intake-10' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const parallel = await Promise.all(Array.from({ length: 4 }, () => register(intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(11) }), { 'idempotency-key': 'intake-11' })));
    // Not refused as duplicates of each other: one registers, the others wait and replay its reply.
    for (const reply of parallel) {
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual(parallel[0]!.body);
    }
    expect(await app.sql('SELECT id FROM claims WHERE id_number IN (?, ?)', [residentId(10), residentId(11)])).toHaveLength(2);
  });
});

describe('roles', () => {
  it('keepers see nothing of claims or events; only assessors register', async () => {
    await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
    const keeper = await app.user('保管员甲', 'keeper', ['WH-CITY-01']);
    for (const path of ['/claims', '/claims/1', '/claims/1/history', '/events', `/events/${stampede}`]) {
      expect((await app.request('GET', path, { token: keeper })).status, path).toBe(403);
    }
    const body = intakeBody({ product: 'STAMPEDE', event: stampede, idNumber: residentId(12) });
    for (const token of [keeper, people.finance, people.approver]) expect((await app.request('POST', '/claims', { token, body })).status).toBe(403);
    expect((await app.request('POST', `/events/${stampede}/settle`, { token: keeper })).status).toBe(403);
  });
});
