import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import '../../src/shared/decimal.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openOrm } from '../../src/db/orm.js';
import { answerClientErrors, createApp } from '../../src/http/app.js';
import { allRoutes } from '../../src/http/routes/index.js';
import { serveConsole } from '../../src/http/console.js';
import { buildServices, type Services } from '../../src/services.js';
import { freshDatabase } from './database.js';
import { asService } from './roles.js';
import { checkReply } from './reply-check.js';

export interface TestReply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Raw body (CSV bytes); sent as text/csv. */
  raw?: Buffer | string;
  headers?: Record<string, string>;
}

export interface TestApp {
  services: Services;
  config: Config;
  adminToken: string;
  /** The service's base URL, for requests the helper does not cover (binary downloads). */
  base: string;
  /** Raw SQL on the test database as the superuser (for tampering tests and assertions). */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  /** Raw SQL as the service's own role, the one the service runs as (for its refusals). */
  serviceSql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestReply<T>>;
  /** Creates a user through the API and returns its token. */
  user(name: string, role: string, warehouses?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The real service (routes, auth, idempotency) on a fresh database, listening on an ephemeral port. */
export async function startTestApp(overrides: Partial<Config> = {}, options: { log?: Logger } = {}): Promise<TestApp> {
  const url = await freshDatabase();
  // Every test client is 127.0.0.1: the failed-token limit is lifted unless a test sets its own.
  // Digest key and log in the run's temporary folder, one pair per test app.
  const digestDir = join(inject('runTempDir'), `digest-${new URL(url).pathname.slice(1)}`);
  const ledgerDigest = { keyFile: join(digestDir, 'ledger-signing-key.pem'), logFile: join(digestDir, 'ledger-digests.jsonl'), everyMs: 86_400_000 };
  const config: Config = { ...loadConfig({}), databaseUrl: url, loadSampleData: false, authThrottle: { failures: 1_000_000, windowMs: 60_000 }, ledgerDigest, ...overrides };
  // The service runs as the service role, as it does in production; the tests' own SQL is the superuser's.
  const orm = await openOrm({ url: asService(url), poolMax: 10, migrate: false });
  const superOrm = await openOrm({ url, poolMax: 2, migrate: false });
  const services = buildServices(orm, config);
  const log = options.log ?? pino({ level: process.env.RELIEF_TEST_LOG ?? 'silent' });
  const app = createApp({ routes: allRoutes(services, config), log, authenticate: (t) => services.users.authenticate(t), sessions: services.sessions, console: serveConsole(), idempotency: services.idempotency, limits: config.limits, authThrottle: config.authThrottle, hsts: config.hsts, metrics: services.metrics, onReply: checkReply });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    answerClientErrors(s);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adminToken = (await services.users.bootstrapAdmin())!;

  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<TestReply> => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? adminToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.raw !== undefined) {
      headers['content-type'] ??= 'text/csv';
      body = typeof options.raw === 'string' ? options.raw : new Uint8Array(options.raw);
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(base + path, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
  };

  return {
    services, config, adminToken, base, request,
    sql: (text, params = []) => superOrm.em.fork().getConnection().execute(text, params as any[]),
    serviceSql: (text, params = []) => orm.em.fork().getConnection().execute(text, params as any[]),
    async user(name, role, warehouses) {
      const reply = await request('POST', '/users', { body: { name, role, ...(warehouses ? { warehouses } : {}) } });
      if (reply.status !== 201) throw new Error(`cannot create user ${name}: ${JSON.stringify(reply.body)}`);
      return reply.body.token as string;
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await orm.close(true);
      await superOrm.close(true);
    },
  };
}
