import type { Context } from 'koa';
import { readLimited } from '../imports/index.js';
import { MalformedError, TooLargeError } from '../shared/errors.js';

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
