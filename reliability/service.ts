/**
 * The service as an operator runs it: `node --import tsx src/main.ts` with DATA_DIR in a temporary
 * folder, PORT and EMBEDDED_PG_PORT asked of the OS and ADMIN_TOKEN set. It can be killed with -9
 * (its embedded PostgreSQL is then orphaned) and started again with the very same command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../src/db/embedded-postgres.js';
import { httpClient, type Target } from './target.js';

const READY_TIMEOUT_MS = 120_000;


export interface ChildService extends Target {
  base: string;
  dataDir: string;
  env: Record<string, string>;
  child: ChildProcess | null;
  /** SIGKILL of the node process only; PostgreSQL is left running as an orphan. */
  kill9(): Promise<void>;
  /** Starts the service again with the same command and environment; waits for /health. */
  restart(): Promise<void>;
  /** SIGTERM (clean stop of PostgreSQL too) and removal of the data folder. */
  close(): Promise<void>;
}

export async function startChildService(options: { loadSampleData?: boolean; log?: (line: string) => void } = {}): Promise<ChildService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-reliability-'));
  await chmod(dataDir, 0o755); // the embedded PostgreSQL runs as `postgres` when we are root
  const port = await freePort();
  const pgPort = await freePort();
  const adminToken = `rl_reliability_${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    DATA_DIR: join(dataDir, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_PG_PORT: String(pgPort),
    ADMIN_TOKEN: adminToken,
    LOAD_SAMPLE_DATA: String(options.loadSampleData ?? false),
    LOG_LEVEL: process.env.RELIABILITY_SERVICE_LOG ?? 'error',
    DB_POOL_MAX: '10',
    // Every request of the suite comes from 127.0.0.1, and the matrix sends bad tokens on purpose.
    AUTH_FAILURES_PER_WINDOW: '1000000',
  };
  const base = `http://127.0.0.1:${port}`;
  let pool: pg.Pool | null = null;

  const service: ChildService = {
    base, adminToken, dataDir, env, child: null,
    request: httpClient(base, adminToken),
    async sql(text, params = []) {
      if (!pool) {
        const password = (await readFile(join(env.DATA_DIR!, '.pg-password'), 'utf8')).trim();
        pool = new pg.Pool({ connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/relief`, max: 2 });
        pool.on('error', () => undefined); // a killed server drops connections; the next query reconnects
      }
      return (await pool.query(text, params as unknown[])).rows;
    },
    async kill9() {
      const child = service.child;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      service.child = null;
      if (pool) {
        const old = pool;
        pool = null;
        await old.end().catch(() => undefined);
      }
    },
    async restart() {
      service.child = await launch(env, base, options.log);
    },
    async close() {
      const child = service.child;
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (pool) await pool.end().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  service.child = await launch(env, base, options.log);
  return service;
}

async function launch(env: Record<string, string>, base: string, log?: (line: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    log?.(chunk.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const started = Date.now();
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} while starting:\n${output}`);
    try {
      const reply = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (reply.status === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not answer /health within ${READY_TIMEOUT_MS} ms:\n${output}`);
}
