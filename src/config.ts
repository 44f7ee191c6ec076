import { resolve } from 'node:path';
import { z } from 'zod';

/** Project root: config paths are built from here, never from import.meta.url (compiled code sits deeper). */
export const PROJECT_ROOT = process.cwd();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOAD_SAMPLE_DATA: z.enum(['true', 'false']).default('true'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(500_000),
  JSON_MAX_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  ALLOCATION_RESERVATION_HOURS: z.coerce.number().positive().max(24 * 365).default(48),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** External PostgreSQL; when absent an embedded one is started in dataDir. */
  databaseUrl?: string;
  embeddedPgPort: number;
  adminToken?: string;
  logLevel: string;
  loadSampleData: boolean;
  dbPoolMax: number;
  /** How long a request waits behind another running under the same Idempotency-Key before a 409. */
  idempotencyWaitMs: number;
  /** An allocation's reservation not dispatched within this many hours is released. */
  allocationReservationHours: number;
  limits: { importBytes: number; importRows: number; jsonBytes: number };
  paths: { imports: string; policies: string; reports: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(PROJECT_ROOT, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    adminToken: e.ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    loadSampleData: e.LOAD_SAMPLE_DATA === 'true',
    dbPoolMax: e.DB_POOL_MAX,
    idempotencyWaitMs: e.IDEMPOTENCY_WAIT_MS,
    allocationReservationHours: e.ALLOCATION_RESERVATION_HOURS,
    limits: { importBytes: e.IMPORT_MAX_BYTES, importRows: e.IMPORT_MAX_ROWS, jsonBytes: e.JSON_MAX_BYTES },
    paths: {
      imports: resolve(PROJECT_ROOT, 'imports'),
      policies: resolve(PROJECT_ROOT, 'policies'),
      reports: resolve(PROJECT_ROOT, 'reports'),
    },
  };
}
