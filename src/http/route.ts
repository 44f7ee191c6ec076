import type { Context } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Actor } from '../shared/actor.js';

export type Role = Actor['role'];
export type Method = 'get' | 'post' | 'put' | 'delete';

export interface HandlerInput<B, Q> {
  actor: Actor;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** Raw request bytes, for CSV uploads. */
  raw: Buffer;
  log: Logger;
  requestId: string;
  /** The koa context, only for streamed responses (files) and `declaredCharset`; ordinary handlers return a value. */
  koa: Context;
}

export interface Reply {
  status: number;
  body: unknown;
}

/**
 * One route, declared once: the koa router registers it, the OpenAPI document describes it,
 * and the roles listed here are enforced before the handler runs.
 */
export interface RouteSpec<B = unknown, Q = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; 'any' = every authenticated user; 'public' = no token needed. */
  roles: readonly Role[] | 'any' | 'public';
  body?: z.ZodType<B>;
  /** The body is a CSV file (text/csv), read up to the import byte limit. */
  csvBody?: boolean;
  query?: z.ZodType<Q>;
  /** Status → description of the success replies; errors are documented once for all routes (an error status listed here gets the error shape). */
  responses: Record<number, string>;
  /**
   * The JSON body of the success statuses in `responses`, exactly as the client receives it (see src/http/replies/).
   * The tests check every reply a handler returns against it (test/support/reply-check.ts), so it cannot drift.
   */
  reply?: z.ZodType;
  /** Bodies of statuses in `responses` other than `reply`: an error status not in the error shape (GET /health's 503), or a second success (POST /allocations?dryRun=true's 200). */
  otherReplies?: Record<number, z.ZodType>;
  /** Response content type(s) when not JSON (an xlsx or CSV download, a page); the reply is then a file or text, not `reply`. */
  produces?: string | readonly string[];
  /** Overrides the operationId derived from method and path (see openapi.ts `operationIdOf`). */
  operationId?: string;
  /** A sign-in: its failures (401) count against the per-address limit of failed token checks. */
  signIn?: boolean;
  handle(input: HandlerInput<B, Q>): Promise<Reply>;
}

export function route<B = undefined, Q = undefined>(spec: RouteSpec<B, Q>): RouteSpec<unknown, unknown> {
  return spec as RouteSpec<unknown, unknown>;
}

/** The charset of `Content-Type: text/csv; charset=…`, if the client declared one. */
export const declaredCharset = (koa: Context): string | undefined => koa.request.charset || undefined;

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });

/** Every list takes limit and offset and replies {items, total}. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

export const searchQuery = pageQuery.extend({ q: z.string().trim().max(100).optional() });

export const dryRunQuery = z.object({
  dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
