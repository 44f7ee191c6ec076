// Proves that no input gets a 5xx: NUL and lone surrogates in any body, query or path string are a 422 naming the field, every error (401, 403, 404, 405, 409, 413, 422) has one JSON shape with a details array, quantities and amounts are taken only in their canonical form, and a resident ID must name a real province — each refusal writing nothing.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONEY_FORM, QUANTITY_FORM, UNIT_COST_FORM } from '../../src/shared/amounts.js';
import type { TestApp, TestReply } from '../support/app.js';
import { startTestApp } from '../support/app.js';
import { residentIdCheckCharacter } from '../../src/claims/index.js';
import { createEvent, intakeBody, residentId } from './claims.fixtures.js';
import { newCategory, receipt, seedWarehouses } from './stock.fixtures.js';

let app: TestApp;
let assessor: string;
let finance: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  assessor = await app.user('查勘员', 'assessor');
  finance = await app.user('财务', 'finance');
});
afterAll(() => app.close());

const count = async (table: string) => Number((await app.sql(`SELECT count(*) AS n FROM ${table}`))[0].n);

/** The one error contract: status, JSON, {error: {code, message, details[]}}. */
function expectError(reply: TestReply, status: number, code: string): { code: string; message: string; details: any[] } {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(reply.body.error).toEqual({ code, message: expect.any(String), details: expect.any(Array) });
  expect(reply.body.error.message.length).toBeGreaterThan(0);
  return reply.body.error;
}

/** A raw JSON body, so that escapes like \u0000 and \ud800 reach the server exactly as written. */
const postJson = (path: string, json: string, token?: string) => app.request('POST', path, { token, raw: json, headers: { 'content-type': 'application/json' } });

describe('text the database cannot store', () => {
  it('refuses NUL and lone surrogates in a body string with 422 naming the field, and creates no user', async () => {
    const users = await count('users');
    const cases: [string, RegExp][] = [
      ['{"name":"\\u0000","role":"finance"}', /NUL/],
      ['{"name":"张\\u0000三","role":"finance"}', /NUL/],
      ['{"name":"\\ud800","role":"finance"}', /lone surrogate \\ud800/],
      ['{"name":"a\\udc00b","role":"finance"}', /lone surrogate \\udc00/],
      ['{"name":"\\ude00\\ud83d","role":"finance"}', /lone surrogate/],
    ];
    for (const [json, reason] of cases) {
      const error = expectError(await postJson('/users', json), 422, 'VALIDATION_FAILED');
      expect(error.details).toEqual([{ field: 'name', reason: expect.stringMatching(reason) }]);
    }
    expect(await count('users')).toBe(users);
    // A well-formed surrogate pair is ordinary text.
    expect((await postJson('/users', '{"name":"\\ud83d\\ude00 表情","role":"finance"}')).status).toBe(201);
  });

  it('names nested fields and array elements by their path, before any schema runs', async () => {
    const event = await createEvent(app, assessor, 'STAMPEDE');
    const body = intakeBody({ product: 'STAMPEDE', event, idNumber: residentId(1) }) as any;
    body.claimant.bank.bankName = '银行\ud800';
    body.description = 'x\u0000y';
    const claims = await count('claims');
    const error = expectError(await app.request('POST', '/claims', { token: assessor, body }), 422, 'VALIDATION_FAILED');
    expect(error.details).toEqual([
      { field: 'claimant.bank.bankName', reason: expect.stringMatching(/lone surrogate/) },
      { field: 'description', reason: expect.stringMatching(/NUL/) },
    ]);
    expect(await count('claims')).toBe(claims);

    const documents = await count('stock_documents');
    const lines = await app.request('POST', '/receipts', { body: { warehouse: 'WH-A', source: { kind: 'DONATION', name: '捐赠人' }, lines: [{ category: 'X', quantity: '1' }, { category: 'Y', quantity: '1', lot: 'L\u0000' }] } });
    expect(expectError(lines, 422, 'VALIDATION_FAILED').details).toEqual([{ field: 'lines[1].lot', reason: expect.stringMatching(/NUL/) }]);
    expect(await count('stock_documents')).toBe(documents);
  });

  it('refuses a bad key too, naming it with the bad character escaped', async () => {
    const error = expectError(await postJson('/users', '{"name":"键","role":"finance","a\\u0000":1}'), 422, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ field: 'a\\u0000', reason: expect.stringMatching(/^the key .*NUL/) }]);
    expect(await app.sql("SELECT id FROM users WHERE name = '键'")).toHaveLength(0);
  });

  it('refuses NUL in a query value with 422 naming the parameter, on routes with and without a query schema', async () => {
    for (const path of ['/categories?q=%00', '/categories?q=a%00b', '/claims?district=%00', '/me?x=%00']) {
      const error = expectError(await app.request('GET', path, { token: path.startsWith('/claims') ? finance : undefined }), 422, 'VALIDATION_FAILED');
      expect(error.details).toEqual([{ field: path.slice(path.indexOf('?') + 1, path.indexOf('=')), reason: expect.stringMatching(/NUL/) }]);
    }
    // Bytes that are not UTF-8 decode to U+FFFD, which is storable: an ordinary search, not an error.
    expect((await app.request('GET', '/categories?q=%ED%A0%80')).status).toBe(200);
    expect((await app.request('GET', '/categories?q=%FF')).status).toBe(200);
  });

  it('refuses NUL in a path value with 422 naming the parameter, and issues no token', async () => {
    const tokens = await count('api_tokens');
    const post = expectError(await app.request('POST', '/users/%00/tokens', { body: {} }), 422, 'VALIDATION_FAILED');
    expect(post.details).toEqual([{ field: 'name', reason: expect.stringMatching(/NUL/) }]);
    expect(await count('api_tokens')).toBe(tokens);
    for (const path of ['/claims/%00', '/categories/A%00', '/warehouses/%00']) {
      expect(expectError(await app.request('GET', path, { token: path.startsWith('/claims') ? finance : undefined }), 422, 'VALIDATION_FAILED').details[0].field).toMatch(/^(id|code)$/);
    }
    // A broken percent-encoding stays as typed: not found, not a crash.
    expectError(await app.request('GET', '/categories/%E0%A4%A'), 404, 'NOT_FOUND');
  });
});

describe('one error shape for every status', () => {
  it('401 without a token or with an unknown one', async () => {
    const missing = await app.request('GET', '/users', { token: null });
    expect(expectError(missing, 401, 'UNAUTHENTICATED').details).toEqual([]);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(expectError(await app.request('GET', '/users', { token: 'nope' }), 401, 'UNAUTHENTICATED').details).toEqual([]);
  });

  it('400 malformed JSON', async () => {
    const users = await count('users');
    expect(expectError(await postJson('/users', '{"name":'), 400, 'MALFORMED').details).toEqual([]);
    expect(await count('users')).toBe(users);
  });

  it('403 names the roles allowed', async () => {
    expect(expectError(await app.request('GET', '/users', { token: finance }), 403, 'FORBIDDEN').details).toEqual([{ roles: ['admin'] }]);
  });

  it('404 of an unknown route and of an unknown record', async () => {
    expect(expectError(await app.request('GET', '/nowhere'), 404, 'NO_ROUTE').details).toEqual([]);
    expect(expectError(await app.request('POST', '/nowhere', { body: {} }), 404, 'NO_ROUTE').details).toEqual([]);
    expect(expectError(await app.request('GET', '/categories/NO-SUCH'), 404, 'NOT_FOUND').details).toEqual([{ what: 'category', key: 'NO-SUCH' }]);
  });

  it('405 for a method a route does not take, as JSON with the Allow header', async () => {
    const reply = await app.request('DELETE', '/users');
    const error = expectError(reply, 405, 'METHOD_NOT_ALLOWED');
    expect(reply.headers.get('allow')).toBe('POST, HEAD, GET');
    expect(error.details).toEqual([{ field: 'method', reason: 'one of POST, HEAD, GET' }]);
    expectError(await app.request('PUT', '/me', { body: {} }), 405, 'METHOD_NOT_ALLOWED');
  });

  it('409 USER_EXISTS names the field', async () => {
    await app.user('重名', 'finance');
    const users = await count('users');
    const error = expectError(await app.request('POST', '/users', { body: { name: '重名', role: 'assessor' } }), 409, 'USER_EXISTS');
    expect(error.details).toEqual([{ field: 'name', value: '重名', reason: 'already taken' }]);
    expect(await count('users')).toBe(users);
  });

  it('413 for a body over the limit, declared or streamed', async () => {
    const users = await count('users');
    const declared = expectError(await app.request('POST', '/users', { body: { name: 'x'.repeat(3 * 1024 * 1024), role: 'finance' } }), 413, 'TOO_LARGE');
    expect(declared.details).toEqual([{ maxBytes: app.config.limits.jsonBytes }]);
    // Streamed in chunks without a Content-Length: refused once past the limit, still answered with the JSON error.
    const streamed = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const url = new URL(app.base);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/users', headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 48) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end('", "role": "finance"}');
      };
      req.write('{"name": "');
      pump();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body.error).toMatchObject({ code: 'TOO_LARGE', details: [{ maxBytes: app.config.limits.jsonBytes }] });
    expect(await count('users')).toBe(users);
  });

  it('431 for a request line over 16 KiB, answered before koa with the same JSON shape', async () => {
    const reply = await app.request('GET', `/categories?q=${'x'.repeat(20_000)}`);
    expect(reply.status).toBe(431);
    expect(reply.body).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.stringContaining('16 KiB'), details: [] } });
  });

  it('422 from a schema lists each field', async () => {
    const error = expectError(await app.request('POST', '/users', { body: { name: '', role: 'nobody' } }), 422, 'VALIDATION_FAILED');
    expect(error.details.map((d) => d.field)).toEqual(['name', 'role']);
  });
});

describe('canonical quantities and amounts', () => {
  const NOT_CANONICAL = [' 1', '1 ', '+1', '00001', '01.5', '1e3', '1E3', '1.', '.5', '1,000', '0x10', '-0', '１', '', 12];

  it(`refuses a quantity not written like "12.5", saying so, and posts nothing`, async () => {
    const rice = await newCategory(app, 'rice');
    const documents = await count('stock_documents');
    for (const quantity of NOT_CANONICAL) {
      const error = expectError(await receipt(app, 'WH-A', [{ category: rice, quantity: quantity as string }]), 422, 'VALIDATION_FAILED');
      expect(error.details, JSON.stringify(quantity)).toEqual([{ field: 'lines[0].quantity', reason: QUANTITY_FORM }]);
      expect(error.message).toContain('expected a quantity like "12.5"');
    }
    // Negative quantities are written canonically but are out of range: refused by the posting rules, with the other lines' problems.
    const negative = expectError(await receipt(app, 'WH-A', [{ category: rice, quantity: '-3' }]), 422, 'VALIDATION_FAILED');
    expect(negative.details).toEqual([{ field: 'lines[0].quantity', value: '-3', reason: 'must be greater than zero' }]);
    expect(await count('stock_documents')).toBe(documents);
  });

  it('refuses a unit cost not in canonical form', async () => {
    const rice = await newCategory(app, 'rice');
    const documents = await count('stock_documents');
    for (const unitCost of ['+1.00', '01.00', '1e2', ' 1.00']) {
      const error = expectError(await receipt(app, 'WH-A', [{ category: rice, quantity: '1', unitCost }]), 422, 'VALIDATION_FAILED');
      expect(error.details).toEqual([{ field: 'lines[0].unitCost', reason: UNIT_COST_FORM }]);
    }
    expect(await count('stock_documents')).toBe(documents);
  });

  it('keeps the canonical forms it always took: "12.500", "0.5", "12", trailing zeros', async () => {
    const rice = await newCategory(app, 'rice');
    const reply = await receipt(app, 'WH-A', [
      { category: rice, quantity: '12.500', unitCost: '45200.00' },
      { category: rice, quantity: '0.5', unitCost: '0.5' },
      { category: rice, quantity: '12', unitCost: '12' },
    ]);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const [row] = await app.sql('SELECT sum(quantity)::text AS q FROM stock_movements WHERE category = ?', [rice]);
    expect(row.q).toBe('25.000');
  });

  it('refuses money not written like "45200.00", including a sign, and records no advance', async () => {
    const payments = await count('claim_payments');
    for (const amount of [' 100.00', '100.00 ', '+100.00', '-100.00', '0100.00', '00.50', '1e3', '100', '100.0', '100.000', 100]) {
      const error = expectError(await app.request('POST', '/claims/1/advance', { token: finance, body: { amount } }), 422, 'VALIDATION_FAILED');
      expect(error.details, JSON.stringify(amount)).toEqual([{ field: 'amount', reason: MONEY_FORM }]);
    }
    // "0.50" is canonical: it passes the form and reaches the service, which finds no claim.
    expectError(await app.request('POST', '/claims/1/advance', { token: finance, body: { amount: '0.50' } }), 404, 'NOT_FOUND');
    expect(await count('claim_payments')).toBe(payments);
  });

  it('refuses a CSV quantity not in canonical form, through the same parser', async () => {
    const rice = await newCategory(app, 'rice');
    const quotas = await count('stock_quotas');
    for (const quantity of ['+1', '00001', '1e3', '1.']) {
      const reply = await app.request('POST', '/imports/quotas', { raw: `仓库,物资编码,定额\nWH-A,${rice},${quantity}\n` });
      const error = expectError(reply, 422, 'IMPORT_REJECTED');
      expect(error.details).toEqual([expect.objectContaining({ line: 2, value: quantity })]);
    }
    expect(await count('stock_quotas')).toBe(quotas);
  });
});

describe('resident ID region', () => {
  it('refuses an ID of a region that does not exist with 422 INVALID_ID_NUMBER naming it, and registers nothing', async () => {
    const event = await createEvent(app, assessor, 'STAMPEDE');
    const claims = await count('claims');
    for (const region of ['000000', '990000', '720000']) {
      const first17 = `${region}19800101001`;
      const idNumber = first17 + residentIdCheckCharacter(first17);
      const error = expectError(await app.request('POST', '/claims', { token: assessor, body: intakeBody({ product: 'STAMPEDE', event, idNumber }) }), 422, 'INVALID_ID_NUMBER');
      expect(error.details).toEqual([{ field: 'claimant.idNumber', value: idNumber, reason: expect.stringMatching(new RegExp(`^the region code ${region} in the ID number names no province`)) }]);
    }
    expect(await count('claims')).toBe(claims);
  });
});
