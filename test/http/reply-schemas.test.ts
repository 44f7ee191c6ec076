// Proves every route declares its reply (a JSON schema or a file type), the document publishes it with dates as format date and decimals as patterned strings, and a reply that drifts from its schema fails the tests that produce it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { TAGS, openApiPath, operationIdOf } from '../../src/http/openapi.js';
import { ok, route, type RouteSpec } from '../../src/http/route.js';
import { allRoutes, openApiDocument } from '../../src/http/routes/index.js';
import { loadConfig } from '../../src/config.js';
import type { Services } from '../../src/services.js';
import { checkReply, replyProblems } from '../support/reply-check.js';

const routes = allRoutes({} as Services, loadConfig({}));
const doc = openApiDocument() as any;
const resolve = (schema: any): any => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);

describe('every route declares its reply', () => {
  it('a JSON schema, or the file type it sends', () => {
    const missing = routes.filter((spec) => !spec.reply && !spec.produces).map((spec) => `${spec.method.toUpperCase()} ${spec.path}`);
    expect(missing).toEqual([]);
  });

  it('a known tag and a unique camelCase operationId', () => {
    expect(routes.filter((spec) => !(spec.tag in TAGS)).map((spec) => spec.path)).toEqual([]);
    const ids = routes.map(operationIdOf);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(operationIdOf({ method: 'get', path: '/claims/:id/history' })).toBe('getClaimsByIdHistory');
  });

  it('the document refers to each route\'s schema, and to the one error shape for its error statuses', () => {
    for (const spec of routes) {
      const operation = doc.paths[openApiPath(spec.path)][spec.method];
      const success = Object.keys(spec.responses).filter((s) => Number(s) < 400);
      for (const status of success) {
        const content = operation.responses[status].content;
        if (spec.produces) {
          for (const type of [spec.produces].flat()) expect(content[type].schema.format, `${spec.path} ${type}`).toBe(/csv|sheet|png/.test(type) ? 'binary' : undefined);
        }
        else expect(content['application/json'].schema.$ref, `${spec.method} ${spec.path}`).toMatch(/^#\/components\/schemas\/\w+$/);
      }
      const errors = Object.keys(operation.responses).filter((s) => Number(s) >= 400 && !spec.otherReplies?.[Number(s)]);
      expect(errors.length, spec.path).toBeGreaterThan(0);
      for (const status of errors) {
        const response = operation.responses[status].$ref ? doc.components.responses[operation.responses[status].$ref.split('/').pop()] : operation.responses[status];
        expect(response.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
      }
    }
  });

  it('dates are format date, timestamps format date-time, money and quantities strings with a pattern', () => {
    const claim = doc.components.schemas.Claim.properties;
    expect(claim.incidentOn).toMatchObject({ type: 'string', format: 'date' });
    expect(claim.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(claim.paid).toMatchObject({ type: 'string', pattern: expect.stringContaining('\\.\\d{2}') });
    const line = doc.components.schemas.StockDocument.properties.lines.items.properties;
    expect(line.quantity).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(line.expiresOn.anyOf ?? [line.expiresOn]).toContainEqual(expect.objectContaining({ format: 'date' }));
    const balances = resolve(doc.paths['/balances'].get.responses['200'].content['application/json'].schema);
    expect(balances.properties.items.items.properties.onHand.pattern).toBeDefined();
    expect(doc.paths['/payout-batches/{id}/bank-file.csv'].get.responses['200'].content['text/csv'].schema).toEqual({ type: 'string', format: 'binary' });
  });
});

describe('a reply that drifts from its schema', () => {
  const spec = route({
    method: 'get', path: '/drift', tag: 'system', roles: 'public', summary: 'drifts',
    reply: z.strictObject({ amount: z.string().regex(/^\d+\.\d{2}$/), on: z.iso.date() }), responses: { 200: 'x' },
    handle: async () => ok({ amount: '12.5', on: '2026-07-31', extra: true }),
  }) as RouteSpec;

  it('is named field by field', () => {
    expect(replyProblems(spec, ok({ amount: '12.50', on: '2026-07-31' }))).toEqual([]);
    const problems = replyProblems(spec, ok({ amount: '12.5', on: '2026-07-31', extra: true }));
    expect(problems.join('\n')).toMatch(/amount/);
    expect(problems.join('\n')).toMatch(/extra/);
    expect(replyProblems(spec, { status: 201, body: {} })[0]).toMatch(/not declared/);
    // Without a schema the route's own tests go on; the first test of this file names it.
    expect(replyProblems({ ...spec, reply: undefined }, ok({ anything: 1 }))).toEqual([]);
  });

  let server: Server | null = null;
  afterAll(() => new Promise((done) => (server ? server.close(done) : done(undefined))));

  it('becomes a 500 REPLY_SCHEMA_MISMATCH in the tests, so the test that made it fails', async () => {
    const app = createApp({
      routes: [spec], log: pino({ level: 'silent' }), authenticate: async () => null, idempotency: {} as never,
      limits: { jsonBytes: 1024, importBytes: 1024 }, onReply: checkReply,
    });
    server = await new Promise<Server>((done) => { const s = app.listen(0, '127.0.0.1', () => done(s)); });
    const reply = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/drift`);
    expect(reply.status).toBe(500);
    expect((await reply.json()).error.code).toBe('REPLY_SCHEMA_MISMATCH');
  });
});
