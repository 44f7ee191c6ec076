import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { DomainError, TooManyAttemptsError, type ErrorKind } from '../shared/errors.js';
import { fieldPath } from './input-text.js';

/** The one place that knows which HTTP status a domain error becomes. */
const STATUS: Record<ErrorKind, number> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  invalid: 422,
  too_many: 429,
  unavailable: 503,
};

/** Every error reply, of every status: `details` is always an array, empty when there is nothing to add. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
}

export function errorBody(code: string, message: string, details: unknown = []): ErrorBody {
  return { error: { code, message, details: details === undefined ? [] : Array.isArray(details) ? details : [details] } };
}

/** PostgreSQL constraint errors that escaped a service: a conflict with stored state, not a crash. */
function fromPostgres(error: unknown): { status: number; body: ErrorBody } | null {
  const pg = error as { code?: string; constraint?: string; detail?: string };
  if (typeof pg.code !== 'string' || !pg.code.startsWith('23')) return null;
  return { status: 409, body: errorBody('CONSTRAINT_VIOLATION', `refused by the database (${pg.constraint ?? pg.code})`, [{ constraint: pg.constraint ?? null }]) };
}

/** Errors koa or its middleware raise themselves (http-errors: `status` and `expose`), client errors only. */
function fromHttpError(error: unknown): { status: number; body: ErrorBody } | null {
  const http = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof http.status !== 'number' || http.status < 400 || http.status > 499 || http.expose !== true) return null;
  const code = http.status === 413 ? 'TOO_LARGE' : http.status === 400 ? 'MALFORMED' : `HTTP_${http.status}`;
  return { status: http.status, body: errorBody(code, String(http.message)) };
}

export function toErrorReply(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    return { status: STATUS[error.kind], body: errorBody(error.code, error.message, error.details) };
  }
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ field: fieldPath(issue.path) || '(body)', reason: issue.message }));
    return { status: 422, body: errorBody('VALIDATION_FAILED', `invalid request: ${details.map((d) => `${d.field}: ${d.reason}`).join('; ')}`, details) };
  }
  return fromPostgres(error) ?? fromHttpError(error) ?? { status: 500, body: errorBody('INTERNAL', 'internal error; the request id in the log has the details') };
}

/** Replies the router leaves without a body (no route, wrong method) get the same error shape as the rest. */
function routingReply(ctx: Context): ErrorBody | null {
  if (ctx.body !== undefined && ctx.body !== null) return null;
  if (ctx.status === 404) return errorBody('NO_ROUTE', `no route ${ctx.method} ${ctx.path}`);
  const allowed = ctx.response.get('Allow');
  if (ctx.status === 405) return errorBody('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${allowed}`, [{ field: 'method', reason: `one of ${allowed}` }]);
  if (ctx.status === 501) return errorBody('NOT_IMPLEMENTED', `the method ${ctx.method} is not implemented; allowed: ${allowed}`, [{ field: 'method', reason: `one of ${allowed}` }]);
  return null;
}

export async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    const routing = routingReply(ctx);
    if (routing) {
      const status = ctx.status;
      ctx.body = routing;
      ctx.status = status;
    }
  } catch (error) {
    const reply = toErrorReply(error);
    if (reply.status >= 500) ctx.state.log?.error({ err: error }, 'request failed');
    ctx.status = reply.status;
    ctx.body = reply.body;
    if (reply.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
    if (error instanceof TooManyAttemptsError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  }
}
