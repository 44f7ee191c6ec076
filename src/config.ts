import { resolve } from 'node:path';
import { z } from 'zod';

/** Project root: config paths are built from here, never from import.meta.url (compiled code sits deeper). */
export const PROJECT_ROOT = process.cwd();

/** A duration: a whole number with a unit, s, m, h or d (`30m`, `24h`). */
const DURATION = /^[1-9][0-9]{0,6}[smhd]$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(text: string): number {
  if (!DURATION.test(text)) throw new Error(`not a duration: ${text} (write e.g. 30m, 6h, 1d)`);
  return Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS];
}

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_OWNER_URL: z.string().url().optional(),
  ALLOW_SUPERUSER: z.enum(['0', '1', 'true', 'false']).default('0'),
  LEDGER_SIGNING_KEY: z.string().min(1).optional(),
  LEDGER_DIGEST_LOG: z.string().min(1).optional(),
  LEDGER_DIGEST_EVERY: z.string().regex(DURATION, 'LEDGER_DIGEST_EVERY is a duration such as 1d or 6h').default('1d'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOAD_SAMPLE_DATA: z.enum(['true', 'false']).default('true'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  POSTING_GROUP_COMMIT: z.coerce.number().int().min(0).max(64).default(2),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(500_000),
  JSON_MAX_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_EVERY: z.string().regex(DURATION, 'BACKUP_EVERY is a duration such as 30m, 6h or 1d').optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  AUTH_FAILURES_PER_WINDOW: z.coerce.number().int().min(1).max(1_000_000).default(20),
  AUTH_FAILURE_WINDOW: z.string().regex(DURATION, 'AUTH_FAILURE_WINDOW is a duration such as 1m').default('1m'),
  HSTS: z.enum(['true', 'false']).default('false'),
  SESSION_IDLE: z.string().regex(DURATION, 'SESSION_IDLE is a duration such as 30m').default('30m'),
  ALLOCATION_RESERVATION_HOURS: z.coerce.number().positive().max(24 * 365).default(48),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** External PostgreSQL; when absent an embedded one is started in dataDir. */
  databaseUrl?: string;
  /** The owner's URL for migrations and grants when DATABASE_URL is the service's ordinary role. */
  databaseOwnerUrl?: string;
  /** Run even when the service's database role is a superuser (ALLOW_SUPERUSER=1). */
  allowSuperuser: boolean;
  /** The ledger digests: signing key (PEM or a file; default a key file in DATA_DIR), the log outside the database, how often. */
  ledgerDigest: { signingKey?: string; keyFile: string; logFile: string; everyMs: number };
  embeddedPgPort: number;
  adminToken?: string;
  logLevel: string;
  loadSampleData: boolean;
  dbPoolMax: number;
  /**
   * Group commit of postings: how many batches of postings may be with the database at once (each one
   * transaction, one commit); 0 sends every posting alone.
   */
  postingGroupCommit: number;
  /** How long a request waits behind another running under the same Idempotency-Key before a 409. */
  idempotencyWaitMs: number;
  /** An allocation's reservation not dispatched within this many hours is released. */
  allocationReservationHours: number;
  limits: { importBytes: number; importRows: number; jsonBytes: number };
  /** Where backups go (POST /backups and the schedule); `everyMs` null = no scheduled backups. */
  backup: { dir: string | null; everyMs: number | null; keep: number };
  paths: { imports: string; policies: string; reports: string };
  /** Failed token checks allowed per client address in one window before it gets 429 until the window ends. */
  authThrottle: { failures: number; windowMs: number };
  /** Send Strict-Transport-Security (only behind HTTPS: the service itself speaks plain HTTP). */
  hsts: boolean;
  /** A console session ends after this long without a request. */
  sessionIdleMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.BACKUP_EVERY && !e.BACKUP_DIR) throw new Error('invalid configuration in the environment:\n  BACKUP_EVERY needs BACKUP_DIR (the folder the backups go to)');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(PROJECT_ROOT, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    allowSuperuser: e.ALLOW_SUPERUSER === '1' || e.ALLOW_SUPERUSER === 'true',
    ledgerDigest: {
      signingKey: e.LEDGER_SIGNING_KEY,
      keyFile: resolve(PROJECT_ROOT, e.DATA_DIR, 'ledger-signing-key.pem'),
      logFile: resolve(PROJECT_ROOT, e.LEDGER_DIGEST_LOG ?? resolve(PROJECT_ROOT, e.DATA_DIR, 'ledger-digests.jsonl')),
      everyMs: durationMs(e.LEDGER_DIGEST_EVERY),
    },
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    loadSampleData: e.LOAD_SAMPLE_DATA === 'true',
    dbPoolMax: e.DB_POOL_MAX,
    postingGroupCommit: e.POSTING_GROUP_COMMIT,
    idempotencyWaitMs: e.IDEMPOTENCY_WAIT_MS,
    allocationReservationHours: e.ALLOCATION_RESERVATION_HOURS,
    limits: { importBytes: e.IMPORT_MAX_BYTES, importRows: e.IMPORT_MAX_ROWS, jsonBytes: e.JSON_MAX_BYTES },
    backup: { dir: e.BACKUP_DIR ? resolve(PROJECT_ROOT, e.BACKUP_DIR) : null, everyMs: e.BACKUP_EVERY ? durationMs(e.BACKUP_EVERY) : null, keep: e.BACKUP_KEEP },
    authThrottle: { failures: e.AUTH_FAILURES_PER_WINDOW, windowMs: durationMs(e.AUTH_FAILURE_WINDOW) },
    hsts: e.HSTS === 'true',
    sessionIdleMs: durationMs(e.SESSION_IDLE),
    paths: {
      imports: resolve(PROJECT_ROOT, 'imports'),
      policies: resolve(PROJECT_ROOT, 'policies'),
      reports: resolve(PROJECT_ROOT, 'reports'),
    },
  };
}
