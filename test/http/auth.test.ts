// Proves that every request is authenticated, that roles and warehouse scopes are enforced on the server, and that tokens are stored only as hashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { catalogCsv, warehousesCsv } from '../support/csv.js';

let app: TestApp;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  app = await startTestApp();
  await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() });
  await app.request('POST', '/imports/catalog', { raw: catalogCsv(4) });
  tokens.keeper = await app.user('保管员甲', 'keeper', ['WH-SN-01']);
  tokens.assessor = await app.user('查勘员乙', 'assessor');
  tokens.approver = await app.user('审批人丙', 'approver');
  tokens.finance = await app.user('财务丁', 'finance');
});
afterAll(() => app.close());

describe('authentication', () => {
  it('refuses a missing, malformed or unknown token with 401 and the error shape', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer rl_not-a-real-token' }];
    for (const headers of attempts) {
      const reply = await app.request('GET', '/categories', { token: null, headers });
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('UNAUTHENTICATED');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('stores tokens only as SHA-256 hashes', async () => {
    const rows = await app.sql<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const token of Object.values(tokens)) expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('a deactivated user is refused; a reissued token with revokeOthers replaces the old one', async () => {
    const token = await app.user('临时用户', 'finance');
    expect((await app.request('GET', '/me', { token })).status).toBe(200);
    const rotated = await app.request('POST', '/users/临时用户/tokens', { body: { revokeOthers: true } });
    expect(rotated.status).toBe(201);
    expect((await app.request('GET', '/me', { token })).status).toBe(401);
    expect((await app.request('GET', '/me', { token: rotated.body.token })).body).toMatchObject({ name: '临时用户', role: 'finance' });
    await app.request('POST', '/users/临时用户/deactivate');
    expect((await app.request('GET', '/me', { token: rotated.body.token })).status).toBe(401);
  });

  it('tokens are looked up once and reused, yet a deactivation or revocation refuses the very next request, also inside a request transaction', async () => {
    const token = await app.user('缓存用户', 'finance');
    expect((await app.request('GET', '/me', { token })).status).toBe(200);
    // Reused: a change behind the service's back is not seen at once (it is within the cache's few seconds).
    await app.sql(`UPDATE users SET role = 'approver' WHERE name = '缓存用户'`);
    expect((await app.request('GET', '/me', { token })).body).toMatchObject({ role: 'finance' });
    const rotated = await app.request('POST', '/users/缓存用户/tokens', { body: { revokeOthers: true }, headers: { 'idempotency-key': 'rotate-cached-user' } });
    expect(rotated.status).toBe(201);
    expect((await app.request('GET', '/me', { token })).status).toBe(401);
    expect((await app.request('GET', '/me', { token: rotated.body.token })).body).toMatchObject({ role: 'approver' });
    const deactivated = await app.request('POST', '/users/缓存用户/deactivate', { headers: { 'idempotency-key': 'deactivate-cached-user' } });
    expect(deactivated.status).toBe(200);
    expect((await app.request('GET', '/me', { token: rotated.body.token })).status).toBe(401);
  });

  it('ADMIN_TOKEN makes an admin with exactly that token', async () => {
    const chosen = 'a-chosen-admin-token-of-some-length';
    await app.services.users.ensureAdminToken(chosen);
    await app.services.users.ensureAdminToken(chosen);
    const me = await app.request('GET', '/me', { token: chosen });
    expect(me.body).toMatchObject({ role: 'admin' });
  });
});

describe('roles', () => {
  it('only admins create users and import the catalog; every role reads the catalog', async () => {
    for (const role of ['keeper', 'assessor', 'approver', 'finance']) {
      const token = tokens[role]!;
      const create = await app.request('POST', '/users', { token, body: { name: `x-${role}`, role: 'finance' } });
      expect(create.status, role).toBe(403);
      expect(create.body.error.code).toBe('FORBIDDEN');
      expect((await app.request('POST', '/imports/catalog', { token, raw: catalogCsv(1) })).status, role).toBe(403);
      expect((await app.request('GET', '/categories', { token })).status, role).toBe(200);
    }
  });

  it('validates new users: keepers need known warehouses, others take none', async () => {
    const noWarehouse = await app.request('POST', '/users', { body: { name: 'k0', role: 'keeper' } });
    expect(noWarehouse.status).toBe(422);
    const unknown = await app.request('POST', '/users', { body: { name: 'k1', role: 'keeper', warehouses: ['WH-NOPE'] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'warehouses', value: 'WH-NOPE' })]);
    const scopedAssessor = await app.request('POST', '/users', { body: { name: 'a1', role: 'assessor', warehouses: ['WH-SN-01'] } });
    expect(scopedAssessor.status).toBe(422);
    const badRole = await app.request('POST', '/users', { body: { name: 'r1', role: 'superuser' } });
    expect(badRole.status).toBe(422);
    const duplicate = await app.request('POST', '/users', { body: { name: '财务丁', role: 'finance' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('USER_EXISTS');
  });
});

describe('warehouse scope', () => {
  it('a keeper sees only the warehouses they keep', async () => {
    const list = await app.request('GET', '/warehouses', { token: tokens.keeper });
    expect(list.body).toMatchObject({ total: 1, items: [expect.objectContaining({ code: 'WH-SN-01' })] });
    expect((await app.request('GET', '/warehouses/WH-SN-01', { token: tokens.keeper })).status).toBe(200);
    const other = await app.request('GET', '/warehouses/WH-CITY-01', { token: tokens.keeper });
    expect(other.status).toBe(403);
    expect(other.body.error.details).toEqual([{ warehouse: 'WH-CITY-01' }]);
    expect((await app.request('GET', '/warehouses', { token: tokens.finance })).body.total).toBe(3);
  });
});
