import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { MalformedError, TooLargeError } from '../shared/errors.js';
import { refuseUnstorableText } from './input-text.js';
import type { RouteSpec } from './route.js';

/** Reads the raw body once (the idempotency hash and the parsers both need the bytes). */
export async function readBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxBytes) throw new TooLargeError(`the request body is larger than the limit of ${maxBytes} bytes`, { maxBytes });
  return readStream(ctx.req, maxBytes);
}

/**
 * The request's bytes, with plain listeners rather than an async iterator (which costs more than the
 * rest of reading a small body). Past `maxBytes` the read fails with the same TooLargeError as
 * readLimited's and the rest of the body is discarded unread, so the 413 still reaches the client.
 */
function readStream(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | null) => {
      req.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      settle(new TooLargeError(`the file is larger than the limit of ${maxBytes} bytes`, { maxBytes }));
      req.resume();
    };
    const onEnd = () => settle(null);
    const onClose = () => settle(Object.assign(new Error('the request ended before its body was read'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    req.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
  });
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
