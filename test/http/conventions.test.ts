// Proves the conventions every route follows: error shapes and statuses, idempotent POSTs, health, and an OpenAPI document that covers every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../src/http/openapi.js';
import { allRoutes } from '../../src/http/routes/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('error shapes', () => {
  it('400 malformed, 404 unknown, 413 too large, 422 invalid, each as {error: {code, message}}', async () => {
    const malformed = await app.request('POST', '/users', { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'MALFORMED' });

    const noRoute = await app.request('GET', '/nowhere');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('NO_ROUTE');

    const tooLarge = await app.request('POST', '/users', { body: { name: 'x'.repeat(3 * 1024 * 1024), role: 'finance' } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('TOO_LARGE');

    const invalid = await app.request('POST', '/users', { body: { name: '', role: 'finance', extra: 1 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['name']));

    const badQuery = await app.request('GET', '/categories?limit=100000');
    expect(badQuery.status).toBe(422);
    expect(badQuery.body.error.details[0].field).toBe('limit');
  });

  it('every reply carries a request id', async () => {
    const reply = await app.request('GET', '/health', { token: null, headers: { 'x-request-id': 'trace-123' } });
    expect(reply.headers.get('x-request-id')).toBe('trace-123');
    expect((await app.request('GET', '/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('idempotency', () => {
  it('the same key and body replays the first reply and does the work once', async () => {
    const send = () => app.request('POST', '/users', { body: { name: '重试用户', role: 'assessor' }, headers: { 'idempotency-key': 'create-1' } });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await app.sql("SELECT id FROM users WHERE name = '重试用户'")).toHaveLength(1);
  });

  it('the same key with a different body is a 409', async () => {
    const reply = await app.request('POST', '/users', { body: { name: '另一个', role: 'assessor' }, headers: { 'idempotency-key': 'create-1' } });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a refused request is replayed as the same refusal', async () => {
    const send = () => app.request('POST', '/users', { body: { name: 'k', role: 'keeper' }, headers: { 'idempotency-key': 'bad-1' } });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(422);
    expect(second.status).toBe(422);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('concurrent retries with one key create one user', async () => {
    const send = () => app.request('POST', '/users', { body: { name: '并发用户', role: 'finance' }, headers: { 'idempotency-key': 'race-1' } });
    const replies = await Promise.all(Array.from({ length: 8 }, send));
    // One creates it; the others wait for its commit and replay its reply (the same token, shown once).
    for (const reply of replies) {
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual(replies[0]!.body);
    }
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    expect(await app.sql("SELECT id FROM users WHERE name = '并发用户'")).toHaveLength(1);
  });

  it('keys belong to one user: another user may use the same key', async () => {
    const other = await app.user('管理员二', 'admin');
    const reply = await app.request('POST', '/users', { token: other, body: { name: '第三个', role: 'assessor' }, headers: { 'idempotency-key': 'create-1' } });
    expect(reply.status).toBe(201);
    expect(reply.body.user.name).toBe('第三个');
  });
});

describe('health and OpenAPI', () => {
  it('health reports the database without a token', async () => {
    const reply = await app.request('GET', '/health', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'ok', database: { ok: true } });
  });

  it('the OpenAPI document describes every route the service serves', async () => {
    const doc = (await app.request('GET', '/openapi.json', { token: null })).body;
    expect(doc.openapi).toMatch(/^3\./);
    const routes = allRoutes(app.services, app.config);
    expect(routes.length).toBeGreaterThan(10);
    for (const spec of routes) {
      const operation = doc.paths[openApiPath(spec.path)]?.[spec.method];
      expect(operation, `${spec.method} ${spec.path}`).toBeDefined();
      expect(operation.summary).toBe(spec.summary);
    }
    expect(doc.paths['/users'].post.requestBody.content['application/json'].schema.properties.role.enum).toContain('keeper');
  });
});
