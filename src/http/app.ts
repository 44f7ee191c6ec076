import { createHash, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Server } from 'node:http';
import Koa, { type Context } from 'koa';
import type { Logger } from 'pino';
import type { IdempotencyStore } from '../db/idempotency.store.js';
import type { RequestObserver } from '../metrics.js';
import type { Actor } from '../shared/actor.js';
import { ConflictError, ForbiddenError, UnauthenticatedError, ValidationError, assert } from '../shared/errors.js';
import { AuthThrottle } from './auth-throttle.js';
import { CSRF_HEADER, SESSION_COOKIE, clearSessionCookies } from './session-cookies.js';
import { sameSecret } from '../users/index.js';
import { readBody, readInput } from './body.js';
import { errorBody, errorMiddleware, toErrorReply } from './errors.js';
import type { Reply, RouteSpec } from './route.js';

export interface AppDeps {
  routes: readonly RouteSpec[];
  log: Logger;
  authenticate(token: string): Promise<Actor | null>;
  /** Browser sessions (the console's cookie); omitted = bearer tokens only. */
  sessions?: { authenticate(session: string): Promise<{ actor: Actor; csrfToken: string } | null> };
  /** Serves the console's files at / (after the API routes). */
  console?: Koa.Middleware;
  idempotency: IdempotencyStore;
  limits: { jsonBytes: number; importBytes: number };
  /** Failed token checks per client address per window; omitted = 20 a minute. */
  authThrottle?: { failures: number; windowMs: number };
  /** Send Strict-Transport-Security (behind an HTTPS proxy only). */
  hsts?: boolean;
  /** Sees every reply a route handler returns before it is sent (tests check it against the route's declared reply). */
  onReply?(spec: RouteSpec, reply: Reply): Reply;
  /** Counts each request and its latency by route template and status (GET /metrics). */
  metrics?: RequestObserver;
}

/** Sent on every reply: JSON never renders as a page, is never framed, cached or sent on as a referrer. */
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

const MAX_IDEMPOTENCY_KEY = 200;

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  const throttle = new AuthThrottle(deps.authThrottle ?? { failures: 20, windowMs: 60_000 });
  // One router per first path segment: a request is matched against the few routes under its own
  // segment instead of testing every route's pattern in turn.
  const routers = new Map<string, Router>();
  for (const spec of deps.routes) {
    const segment = firstSegment(spec.path);
    assert(!segment.startsWith(':'), `a route's first path segment is fixed: ${spec.path}`);
    let router = routers.get(segment);
    if (router === undefined) routers.set(segment, (router = new Router()));
    router[spec.method](spec.path, (ctx) => {
      ctx.state.route = spec.path;
      return handle(ctx, spec, deps, throttle);
    });
  }
  const bySegment = (middleware: (router: Router) => Koa.Middleware): Koa.Middleware => {
    const table = new Map([...routers].map(([segment, router]) => [segment, middleware(router)]));
    return (ctx, next) => (table.get(firstSegment(ctx.path)) ?? passOn)(ctx, next);
  };

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = ctx.get('x-request-id').slice(0, 100) || randomUUID();
    ctx.state.requestId = requestId;
    // Made on first use: most requests log one line, at most, at the end.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (log ??= deps.log.child({ requestId })), enumerable: true });
    ctx.set('X-Request-Id', requestId);
    ctx.set(SECURITY_HEADERS);
    if (deps.hsts) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // Only method, path, status and user are logged: never the body, the query (it may hold an ID) or headers.
    await next();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The route template, never the raw path: ids in paths would make a series per claim.
    deps.metrics?.observeRequest(ctx.method, ctx.state.route ?? '(no route)', ctx.status, ms / 1000);
    if (deps.log.isLevelEnabled('info')) ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, user: ctx.state.actor?.name }, 'request');
  });
  app.use(errorMiddleware);
  app.use(bySegment((router) => router.routes() as Koa.Middleware));
  if (deps.console) app.use(deps.console);
  app.use(bySegment((router) => router.allowedMethods({ throw: false }) as Koa.Middleware));
  return app;
}

/** `/claims/:id/assess` → `claims`; lower-cased, as the routers match paths without regard to case. */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

const passOn: Koa.Middleware = (_ctx, next) => next();

async function authenticate(ctx: Context, spec: RouteSpec, deps: AppDeps, throttle: AuthThrottle): Promise<Actor | null> {
  if (spec.roles === 'public') return null;
  const address = ctx.ip || 'unknown';
  throttle.check(address);
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const session = !header && deps.sessions ? ctx.cookies.get(SESSION_COOKIE) : undefined;
  const actor = match ? await tokenActor(match[1]!, deps, throttle, address) : session ? await sessionActor(ctx, session, spec, deps, throttle, address) : null;
  if (!actor) throw new UnauthenticatedError();
  if (spec.roles !== 'any' && !spec.roles.includes(actor.role)) {
    throw new ForbiddenError(`role ${actor.role} may not ${spec.method.toUpperCase()} ${spec.path}; allowed: ${spec.roles.join(', ')}`, { roles: spec.roles });
  }
  ctx.state.actor = actor;
  return actor;
}

async function tokenActor(token: string, deps: AppDeps, throttle: AuthThrottle, address: string): Promise<Actor> {
  const actor = await deps.authenticate(token).catch((error: unknown) => {
    if (error instanceof UnauthenticatedError) throttle.recordFailure(address);
    throw error;
  });
  if (!actor) {
    throttle.recordFailure(address);
    throw new UnauthenticatedError('the API token is unknown or revoked');
  }
  return actor;
}

/**
 * The console's cookie: the same actor as a token of that user. A state-changing request must also carry
 * the session's CSRF token in a header, which another site's page cannot read or set.
 */
async function sessionActor(ctx: Context, session: string, spec: RouteSpec, deps: AppDeps, throttle: AuthThrottle, address: string): Promise<Actor> {
  const found = await deps.sessions!.authenticate(session);
  if (!found) {
    throttle.recordFailure(address);
    clearSessionCookies(ctx);
    throw new UnauthenticatedError('the session has ended (signed out or idle too long); sign in again', 'SESSION_ENDED');
  }
  if (spec.method !== 'get' && !sameSecret(ctx.get(CSRF_HEADER), found.csrfToken)) {
    throw new ForbiddenError(`a request made with the session cookie must carry the ${CSRF_HEADER} header`, [{ field: CSRF_HEADER, reason: 'missing or wrong' }]);
  }
  return found.actor;
}

async function handle(ctx: Context, spec: RouteSpec, deps: AppDeps, throttle: AuthThrottle): Promise<void> {
  const actor = await authenticate(ctx, spec, deps, throttle);
  // Sign-in is public but counts its failures against the same per-address limit as failed tokens.
  if (spec.signIn) throttle.check(ctx.ip || 'unknown');
  const raw = spec.method === 'post' || spec.method === 'put' ? await readBody(ctx, spec.csvBody ? deps.limits.importBytes : deps.limits.jsonBytes) : Buffer.alloc(0);
  const run = async (): Promise<Reply> => {
    const { query, body } = readInput(ctx, spec, raw);
    const state = ctx.state;
    const reply = spec.handle({ actor: actor!, body, query, params: ctx.params as Record<string, string>, raw, get log() { return state.log as Logger; }, requestId: state.requestId, koa: ctx });
    return spec.signIn
      ? reply.catch((error: unknown) => {
          if (error instanceof UnauthenticatedError) throttle.recordFailure(ctx.ip || 'unknown');
          throw error;
        })
      : reply;
  };
  const key = ctx.get('idempotency-key');
  const handled = spec.method === 'post' && key && actor ? await withIdempotency(ctx, deps, actor, key, raw, run) : await run();
  const reply = deps.onReply ? deps.onReply(spec, handled) : handled;
  if (reply.body !== undefined) {
    ctx.status = reply.status;
    ctx.body = reply.body;
  }
}

/**
 * A keyed POST runs in one transaction with its key (see IdempotencyStore): the reply is stored and the
 * effect committed together, or neither. A refusal (4xx) rolled back; it is remembered under the key so a
 * retry gets the same answer. A crash (5xx) leaves the key free, so a retry does the work once.
 */
async function withIdempotency(ctx: Context, deps: AppDeps, actor: Actor, key: string, raw: Buffer, run: () => Promise<Reply>): Promise<Reply> {
  if (key.length > MAX_IDEMPOTENCY_KEY) {
    throw new ValidationError('Idempotency-Key is too long', [{ field: 'Idempotency-Key', reason: `at most ${MAX_IDEMPOTENCY_KEY} characters` }]);
  }
  // The content type belongs to the request: the same bytes under another charset are another request.
  const hash = createHash('sha256').update(`${ctx.method} ${ctx.path}?${ctx.querystring}\n${ctx.get('content-type')}\n`).update(raw).digest('hex');
  try {
    const outcome = await deps.idempotency.run(actor.id, key, ctx.method, ctx.path, hash, run);
    if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
    return outcome.reply;
  } catch (error) {
    const failure = toErrorReply(error);
    const keyConflict = error instanceof ConflictError && (error.code === 'IDEMPOTENCY_KEY_REUSED' || error.code === 'IDEMPOTENCY_IN_PROGRESS');
    if (failure.status < 500 && !keyConflict) await deps.idempotency.remember(actor.id, key, ctx.method, ctx.path, hash, failure);
    throw error;
  }
}

/**
 * Requests Node refuses before koa sees them (headers over its 16 KiB limit, broken HTTP) still get
 * the one error contract instead of a bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const [status, text, code, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB; send long values in a POST body']
      : [400, 'Bad Request', 'MALFORMED', 'the request is not valid HTTP'];
    const body = JSON.stringify(errorBody(code, message));
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
