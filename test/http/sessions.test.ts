// Proves console sign-in: argon2 passwords set by an admin, an HttpOnly SameSite=Strict session cookie that gives the same actor as a token, CSRF checked on writes, sign-out, idle expiry, and failed sign-ins rate-limited like failed tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { catalogCsv, warehousesCsv } from '../support/csv.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ sessionIdleMs: 60_000 });
  await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
  await app.request('POST', '/imports/catalog', { raw: catalogCsv(4) });
  await app.user('保管员会话', 'keeper', ['WH-SN-01']);
  expect((await app.request('PUT', '/users/保管员会话/password', { body: { password: 'kuguan-2026' } })).status).toBe(200);
});
afterAll(() => app.close());

async function signIn(name: string, password: string) {
  const response = await fetch(`${app.base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const cookies = response.headers.getSetCookie();
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  return { status: response.status, body: await response.json(), cookies, cookie };
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ token: null, headers: { cookie, ...extra } });

describe('console sign-in', () => {
  it('stores the password as an argon2id hash, never in clear', async () => {
    const [row] = await app.sql<{ password_hash: string }>("SELECT password_hash FROM users WHERE name = '保管员会话'");
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row!.password_hash).not.toContain('kuguan-2026');
  });

  it('a wrong password or unknown name is 401 with no cookie', async () => {
    for (const [name, password] of [['保管员会话', 'wrong-password'], ['无此人', 'kuguan-2026']] as const) {
      const reply = await signIn(name, password);
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('SIGN_IN_FAILED');
      expect(reply.cookies).toEqual([]);
    }
  });

  it('the session cookie is HttpOnly and SameSite=Strict and gives the same actor as the token', async () => {
    const session = await signIn('保管员会话', 'kuguan-2026');
    expect(session.status).toBe(200);
    const sessionCookie = session.cookies.find((c) => c.startsWith('rl_session='))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Strict/);
    expect(session.cookies.find((c) => c.startsWith('rl_csrf='))).not.toMatch(/HttpOnly/);
    const me = await app.request('GET', '/me', withCookie(session.cookie));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: '保管员会话', role: 'keeper', warehouses: ['WH-SN-01'] });
    // The warehouse scope applies unchanged: another warehouse's balances are refused.
    expect((await app.request('GET', '/balances?warehouse=WH-SN-01', withCookie(session.cookie))).status).toBe(200);
    expect((await app.request('GET', '/balances?warehouse=WH-AG-01', withCookie(session.cookie))).status).toBe(403);
    expect((await app.request('GET', '/users', withCookie(session.cookie))).status).toBe(403);
  });

  it('a write with the cookie needs the CSRF header', async () => {
    const session = await signIn('保管员会话', 'kuguan-2026');
    const body = { warehouse: 'WH-SN-01', source: { kind: 'PROCUREMENT', name: '供应商' }, lines: [{ category: 'TENT-001', quantity: '2' }] };
    const categories = await app.request('GET', '/categories?limit=50');
    body.lines[0]!.category = categories.body.items.find((c: { lotTracked: boolean }) => !c.lotTracked).code;
    const without = await app.request('POST', '/receipts', { ...withCookie(session.cookie), body });
    expect(without.status).toBe(403);
    const wrong = await app.request('POST', '/receipts', { ...withCookie(session.cookie, { 'x-csrf-token': 'forged' }), body });
    expect(wrong.status).toBe(403);
    const right = await app.request('POST', '/receipts', { ...withCookie(session.cookie, { 'x-csrf-token': session.body.csrfToken }), body });
    expect(right.status, JSON.stringify(right.body)).toBe(201);
  });

  it('sign-out ends the session; a password reset ends the others', async () => {
    const first = await signIn('保管员会话', 'kuguan-2026');
    const second = await signIn('保管员会话', 'kuguan-2026');
    expect((await app.request('DELETE', '/session', withCookie(first.cookie))).status).toBe(200);
    const after = await app.request('GET', '/me', withCookie(first.cookie));
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('SESSION_ENDED');
    expect((await app.request('GET', '/me', withCookie(second.cookie))).status).toBe(200);
    expect((await app.request('PUT', '/users/保管员会话/password', { body: { password: 'kuguan-2027' } })).body.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect((await app.request('GET', '/me', withCookie(second.cookie))).status).toBe(401);
    expect((await signIn('保管员会话', 'kuguan-2026')).status).toBe(401);
    expect((await signIn('保管员会话', 'kuguan-2027')).status).toBe(200);
  });

  it('an idle session expires', async () => {
    const session = await signIn('保管员会话', 'kuguan-2027');
    expect((await app.request('GET', '/me', withCookie(session.cookie))).status).toBe(200);
    await app.sql("UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE ended_at IS NULL");
    expect((await app.request('GET', '/me', withCookie(session.cookie))).status).toBe(401);
  });

  it('a short password is refused; only admins set passwords', async () => {
    expect((await app.request('PUT', '/users/保管员会话/password', { body: { password: 'short' } })).status).toBe(422);
    const keeper = await app.user('保管员乙', 'keeper', ['WH-AG-01']);
    expect((await app.request('PUT', '/users/保管员会话/password', { token: keeper, body: { password: 'long-enough-1' } })).status).toBe(403);
  });
});

describe('failed sign-ins are rate-limited', () => {
  it('past the limit every sign-in from the address is refused with 429, right password or not', async () => {
    const limited = await startTestApp({ authThrottle: { failures: 3, windowMs: 60_000 } });
    try {
      await limited.user('财务限流', 'finance');
      await limited.request('PUT', '/users/财务限流/password', { body: { password: 'caiwu-2026' } });
      const attempt = (password: string) => fetch(`${limited.base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '财务限流', password }) });
      for (let i = 0; i < 3; i++) expect((await attempt('guess-' + i)).status).toBe(401);
      expect((await attempt('caiwu-2026')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
