// Starts one embedded PostgreSQL for the whole run, in a child process (see test/support/test-postgres.ts
// for why it must not live in vitest's own process), with a migrated template database; every test file
// then clones the template (fast) so files never see each other's data.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    /** A folder for the run's temporary files, removed when the run ends. */
    runTempDir: string;
  }
}

const READY_TIMEOUT_MS = 120_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/test-postgres.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('test PostgreSQL did not become ready in time')), READY_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolve(line.slice('ready '.length));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`test PostgreSQL exited (${code}) before it was ready; its error is above`));
    });
  });
  const runTempDir = await mkdtemp(join(tmpdir(), 'relief-run-'));
  project.provide('pgServerUrl', url);
  project.provide('runTempDir', runTempDir);
  return async () => {
    child.stdin!.end();
    await exited;
    await rm(runTempDir, { recursive: true, force: true });
  };
}
