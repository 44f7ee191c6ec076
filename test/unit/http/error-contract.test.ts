// Proves that every error reply, whatever its source (domain error, zod, PostgreSQL constraint, koa's own http errors, a crash), has {error: {code, message, details}} with details an array.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorBody, toErrorReply } from '../../../src/http/errors.js';
import { ConflictError, MalformedError, NotFoundError, TooLargeError, UnauthenticatedError, ValidationError } from '../../../src/shared/errors.js';

const shape = { code: expect.any(String), message: expect.any(String), details: expect.any(Array) };

describe('the error contract', () => {
  it('wraps object details in an array and gives an empty array when there are none', () => {
    expect(toErrorReply(new UnauthenticatedError()).body.error.details).toEqual([]);
    expect(toErrorReply(new MalformedError('x')).body.error.details).toEqual([]);
    expect(toErrorReply(new ConflictError('C', 'x')).body.error.details).toEqual([]);
    expect(toErrorReply(new NotFoundError('claim', '7')).body.error.details).toEqual([{ what: 'claim', key: '7' }]);
    expect(toErrorReply(new TooLargeError('x', { maxBytes: 10 })).body.error.details).toEqual([{ maxBytes: 10 }]);
    expect(toErrorReply(new ValidationError('x', [{ field: 'a', reason: 'r' }])).body.error.details).toEqual([{ field: 'a', reason: 'r' }]);
    expect(errorBody('C', 'm')).toEqual({ error: { code: 'C', message: 'm', details: [] } });
  });

  it('a zod error, a constraint violation, an exposed http error and a crash all keep the shape', () => {
    const zod = z.object({ a: z.string() }).safeParse({}).error!;
    const replies = [
      toErrorReply(zod),
      toErrorReply(Object.assign(new Error('x'), { code: '23505', constraint: 'users_name_key' })),
      toErrorReply(Object.assign(new Error('Payload Too Large'), { status: 413, expose: true })),
      toErrorReply(Object.assign(new Error('Method Not Allowed'), { status: 405, expose: true })),
      toErrorReply(new TypeError('Reduce of empty array with no initial value')),
      toErrorReply('not even an error'),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([422, 409, 413, 405, 500, 500]);
    for (const reply of replies) expect(reply.body.error).toEqual(shape);
    expect(replies[1]!.body.error.details).toEqual([{ constraint: 'users_name_key' }]);
    expect(replies[2]!.body.error.code).toBe('TOO_LARGE');
    expect(replies[4]!.body.error).toEqual({ code: 'INTERNAL', message: expect.not.stringContaining('Reduce'), details: [] });
  });

  it('an http error that is not for the client (5xx or unexposed) is a bare 500', () => {
    expect(toErrorReply(Object.assign(new Error('db down'), { status: 503, expose: false })).status).toBe(500);
    expect(toErrorReply(Object.assign(new Error('secret'), { status: 400, expose: false })).body.error.message).not.toContain('secret');
  });
});
