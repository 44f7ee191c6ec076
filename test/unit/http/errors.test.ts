// Proves the one mapping from domain errors to HTTP replies: each kind its status, validation details kept, unknown errors reduced to a bare 500.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { toErrorReply } from '../../../src/http/errors.js';
import { openApiPath } from '../../../src/http/openapi.js';
import { ConflictError, DomainError, ForbiddenError, MalformedError, NotFoundError, TooLargeError, UnauthenticatedError, ValidationError } from '../../../src/shared/errors.js';

describe('toErrorReply', () => {
  it('maps each kind to its status', () => {
    const cases: [DomainError, number][] = [
      [new MalformedError('x'), 400], [new UnauthenticatedError(), 401], [new ForbiddenError('x'), 403], [new NotFoundError('category', 'A'), 404],
      [new ConflictError('C', 'x'), 409], [new TooLargeError('x'), 413], [new ValidationError('x', []), 422],
    ];
    for (const [error, status] of cases) expect(toErrorReply(error).status).toBe(status);
  });

  it('keeps the code, message and details of a domain error', () => {
    const reply = toErrorReply(new ValidationError('bad rows', [{ line: 3, field: '编码', value: 'x', reason: 'required' }]));
    expect(reply.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'bad rows', details: [{ line: 3, field: '编码', value: 'x', reason: 'required' }] } });
  });

  it('turns a zod error into 422 naming each field', () => {
    const parsed = z.object({ amount: z.string().regex(/^\d+\.\d{2}$/) }).safeParse({ amount: 1 });
    const reply = toErrorReply(parsed.error);
    expect(reply.status).toBe(422);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'amount' })]);
  });

  it('a database constraint becomes a 409; anything else a bare 500 without internals', () => {
    expect(toErrorReply(Object.assign(new Error('x'), { code: '23505', constraint: 'users_name_key' })).status).toBe(409);
    const reply = toErrorReply(new TypeError('secret internals'));
    expect(reply.status).toBe(500);
    expect(JSON.stringify(reply.body)).not.toContain('secret');
  });
});

describe('openApiPath', () => {
  it('turns koa parameters into OpenAPI templates', () => {
    expect(openApiPath('/claims/:id/history')).toBe('/claims/{id}/history');
  });
});
