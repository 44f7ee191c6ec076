// Child processes for the backup tests: the CLI and the service, run the way an operator runs them.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded-postgres.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- …` without npm in between (node --import tsx src/cli/main.ts …). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

export interface ServiceChild {
  base: string;
  /** The embedded PostgreSQL's application database, for assertions in SQL. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** `npm start` on a data folder (no sample data); resolves once /health answers. */
export async function startService(dataDir: string): Promise<ServiceChild> {
  const port = await freePort();
  const pgPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(pgPort), LOAD_SAMPLE_DATA: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the service exited during start-up: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`the service did not answer /health within 60 s: ${stderr}`);
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const password = (await readFile(join(dataDir, '.pg-password'), 'utf8')).trim();
  return {
    base,
    databaseUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/relief`,
    stop: () => new Promise<void>((resolve) => (exited ? resolve() : child.once('exit', () => resolve()).kill('SIGTERM'))),
  };
}
