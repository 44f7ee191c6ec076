// Shared by the benchmarks: a throw-away embedded PostgreSQL with production settings (fsync on).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import '../src/shared/decimal.js';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { ensureDatabase } from '../src/db/orm.js';

export interface BenchDatabase {
  serverUrl: string;
  /** A new empty database on the bench server. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** EMBEDDED_PG_PORT when set (as for the service), else a port the OS says is free. */
export async function startBenchPostgres(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-bench-'));
  await chmod(dataDir, 0o755);
  const port = process.env.EMBEDDED_PG_PORT ? Number(process.env.EMBEDDED_PG_PORT) : await freePort();
  const server = await startEmbeddedPostgres({ dataDir, port });
  return {
    serverUrl: server.url,
    database: (name) => ensureDatabase(server.url, name),
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { withClient } from '../src/db/raw-connection.js';

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
