// Proves embedded PostgreSQL survives what operators hit: restarts keep data, a service killed with -9 leaves an orphan that the next start recovers from, the CLI attaches to a running service's database, and a taken port is reported clearly.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';

let dataDir: string;
// Ports asked of the OS (beforeAll), never drawn from the ephemeral range at random.
let port: number;

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function startChild(): Promise<{ child: ChildProcess; url: string }> {
  // One process, as `npm start` runs it (node --import tsx), so SIGKILL hits the owner itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-child.ts', dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /ready (\S+)/.exec(chunk.toString());
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relief-lifecycle-'));
  await chmod(dataDir, 0o755);
  port = await freePort();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('embedded PostgreSQL lifecycle', () => {
  it('a second start on the same data keeps what the first wrote', async () => {
    const first = await startEmbeddedPostgres({ dataDir, port, fast: true });
    await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await first.stop();
    const second = await startEmbeddedPostgres({ dataDir, port, fast: true });
    expect((await query(second.url, 'SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    await second.stop();
  });

  it('another process attaches to a running service’s database and leaves it running', async () => {
    const { child } = await startChild();
    try {
      const attached = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
      expect(new URL(attached.url).port).toBe(String(port));
      expect((await query(attached.url, 'SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
      await attached.stop();
      expect((await query(attached.url, 'SELECT 1 AS up')).rows).toEqual([{ up: 1 }]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('after the service is killed with -9, the next start stops the orphan and recovers', async () => {
    const { child } = await startChild();
    const postmaster = Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(alive(postmaster)).toBe(true);
    const recovered = await startEmbeddedPostgres({ dataDir, port, fast: true });
    expect(alive(postmaster)).toBe(false);
    expect((await query(recovered.url, 'SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    await recovered.stop();
  });

  it('as root, a data folder the postgres user cannot reach is refused, naming the folder and the fix', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'relief-private-')); // mkdtemp makes it 0700
    try {
      const start = startEmbeddedPostgres({ dataDir: join(privateDir, 'data'), port: await freePort(), fast: true });
      if (process.getuid?.() === 0) {
        await expect(start).rejects.toThrow(new RegExp(`cannot enter ${privateDir}.*chmod o\\+x ${privateDir}`));
      } else {
        await (await start).stop(); // not root: PostgreSQL runs as this user, who owns the folder
      }
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  });

  it('a port taken by another program is reported with what to do', async () => {
    const blocker = createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    const freshDir = await mkdtemp(join(tmpdir(), 'relief-port-'));
    await chmod(freshDir, 0o755);
    try {
      await expect(startEmbeddedPostgres({ dataDir: freshDir, port: taken, fast: true })).rejects.toThrow(/port \d+ .* already in use .*EMBEDDED_PG_PORT/);
    } finally {
      blocker.close();
      await rm(freshDir, { recursive: true, force: true });
    }
  });
});
