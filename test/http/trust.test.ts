// Proves the HTTP hardening: security headers on every kind of reply, 429 with Retry-After after repeated bad tokens (lifted when the window ends, good tokens untouched before the limit), and logs that never carry a resident ID, account number or token.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createEvent, intakeBody, residentId, staff, type Staff } from './claims.fixtures.js';

const WINDOW_MS = 1500;
const lines: string[] = [];
const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });

let app: TestApp;
let people: Staff;
beforeAll(async () => {
  app = await startTestApp({ authThrottle: { failures: 5, windowMs: WINDOW_MS } }, { log: createLogger('trace', sink) });
  people = await staff(app);
});
afterAll(() => app.close());

describe('security headers', () => {
  const expectHeaders = (headers: Headers) => {
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(headers.get('cache-control')).toBe('no-store');
  };

  it('are on a JSON reply, an error reply and a 404', async () => {
    const me = await app.request('GET', '/me');
    expect(me.status).toBe(200);
    expectHeaders(me.headers);
    const refused = await app.request('POST', '/users', { body: { name: '' } });
    expect(refused.status).toBe(422);
    expectHeaders(refused.headers);
    const missing = await app.request('GET', '/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_ROUTE');
    expectHeaders(missing.headers);
  });
});

describe('failed token checks', () => {
  it('answer 429 TOO_MANY_ATTEMPTS with Retry-After past the limit, also for a good token, until the window ends', async () => {
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    for (let i = 0; i < 5; i += 1) expect((await app.request('GET', '/me', { token: `rl_wrong${i}` })).status).toBe(401);
    const blocked = await app.request('GET', '/me', { token: 'rl_wrong-again' });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ error: { code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/try again in \d+ s/), details: [] } });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await app.request('GET', '/me')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    expect((await app.request('GET', '/me')).status).toBe(200);
  });

  it('good tokens are never counted', async () => {
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    for (let i = 0; i < 20; i += 1) expect((await app.request('GET', '/me')).status).toBe(200);
    expect((await app.request('GET', '/me', { token: 'rl_wrong' })).status).toBe(401);
  });
});

describe('token expiry', () => {
  it('an expired token gets 401 TOKEN_EXPIRED saying when it expired; one not yet expired works', async () => {
    const created = await app.request('POST', '/users', { body: { name: '临时查勘员', role: 'assessor', tokenExpiresInDays: 1 } });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect((await app.request('GET', '/me', { token })).status).toBe(200);
    const issued = await app.request('POST', `/users/${encodeURIComponent('临时查勘员')}/tokens`, { body: { expiresInDays: 30 } });
    expect(issued.status).toBe(201);
    expect((await app.sql('SELECT count(*)::int AS n FROM api_tokens WHERE expires_at > now() + interval \'29 days\'', []))[0].n).toBe(1);
    await app.sql("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE expires_at < now() + interval '2 days'");
    const expired = await app.request('GET', '/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: 'TOKEN_EXPIRED', message: expect.stringMatching(/expired at \d{4}-\d\d-\d\dT/), details: [] });
    expect((await app.request('GET', '/me', { token: issued.body.token })).status).toBe(200);
    expect((await app.request('POST', '/users', { body: { name: '坏期限', role: 'assessor', tokenExpiresInDays: 0 } })).status).toBe(422);
  });
});

describe('logs', () => {
  it('never carry the resident ID, the account number or the token of a request', async () => {
    const typhoon = await createEvent(app, people.assessor, 'TYPHOON');
    const body = intakeBody({ product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(1), benefits: ['MEDICAL'] });
    const reply = await app.request('POST', '/claims', { token: people.assessor, body });
    expect(reply.status).toBe(201);
    await app.request('GET', `/claims/${reply.body.id}`, { token: people.finance });
    const child = createLogger('info', sink);
    child.info({ claimant: { idNumber: residentId(1), bank: { accountNumber: body.claimant.bank.accountNumber } }, req: { headers: { authorization: `Bearer ${people.assessor}` } } }, 'probe');
    const text = lines.join('');
    expect(text).toContain('"msg":"request"');
    expect(text).toContain('probe');
    expect(text).not.toContain(residentId(1));
    expect(text).not.toContain(body.claimant.bank.accountNumber);
    expect(text).not.toContain(people.assessor);
  });
});
