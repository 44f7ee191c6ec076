import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { DomainError, type ErrorKind } from '../shared/errors.js';

/** The one place that knows which HTTP status a domain error becomes. */
const STATUS: Record<ErrorKind, number> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  invalid: 422,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** PostgreSQL constraint errors that escaped a service: a conflict with stored state, not a crash. */
function fromPostgres(error: unknown): { status: number; body: ErrorBody } | null {
  const pg = error as { code?: string; constraint?: string; detail?: string };
  if (typeof pg.code !== 'string' || !pg.code.startsWith('23')) return null;
  return { status: 409, body: { error: { code: 'CONSTRAINT_VIOLATION', message: `refused by the database (${pg.constraint ?? pg.code})`, details: { constraint: pg.constraint } } } };
}

/** lines.0.quantity → lines[0].quantity, the form the domain's own errors use. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`)).join('');
}

export function toErrorReply(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    return { status: STATUS[error.kind], body: { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } } };
  }
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ field: fieldPath(issue.path) || '(body)', reason: issue.message }));
    return { status: 422, body: { error: { code: 'VALIDATION_FAILED', message: `invalid request: ${details.map((d) => `${d.field}: ${d.reason}`).join('; ')}`, details } } };
  }
  return fromPostgres(error) ?? { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error; the request id in the log has the details' } } };
}

export async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NO_ROUTE', message: `no route ${ctx.method} ${ctx.path}` } };
    }
  } catch (error) {
    const reply = toErrorReply(error);
    if (reply.status >= 500) ctx.state.log?.error({ err: error }, 'request failed');
    ctx.status = reply.status;
    ctx.body = reply.body;
    if (reply.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
  }
}
