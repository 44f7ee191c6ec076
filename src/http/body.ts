import type { Context } from 'koa';
import { readLimited } from '../imports/index.js';
import { MalformedError, TooLargeError } from '../shared/errors.js';
import { refuseUnstorableText } from './input-text.js';
import type { RouteSpec } from './route.js';

/** Reads the raw body once (the idempotency hash and the parsers both need the bytes). */
export async function readBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxBytes) throw new TooLargeError(`the request body is larger than the limit of ${maxBytes} bytes`, { maxBytes });
  return readLimited(ctx.req, maxBytes);
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new MalformedError(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Path, query and JSON body of a request, parsed by the route's schemas. Before any schema sees them,
 * every string is checked for text the database cannot store (NUL, lone surrogates): one generic 422
 * instead of a 500 from whichever route first hands such a string to PostgreSQL.
 */
export function readInput(ctx: Context, spec: RouteSpec, raw: Buffer): { query: unknown; body: unknown } {
  refuseUnstorableText('path', ctx.params ?? {});
  refuseUnstorableText('query', ctx.query);
  const query = spec.query ? spec.query.parse(ctx.query) : undefined;
  if (!spec.body) return { query, body: undefined };
  const json = parseJsonBody(raw);
  refuseUnstorableText('body', json);
  return { query, body: spec.body.parse(json) };
}
