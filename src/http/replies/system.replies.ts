/** Replies of the system, users, catalog and report-catalogue routes. */
import { z } from 'zod';
import { Role, code, count, dateTime, decimal, id, named, page } from './shared.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const BackupStatus = z.strictObject({
  configured: z.boolean(),
  everySeconds: z.number().nullable(),
  keep: count,
  running: z.boolean(),
  lastGood: z.strictObject({ file: z.string(), snapshotAt: dateTime, bytes: count, ageSeconds: count }).nullable(),
  lastFailure: z.strictObject({ at: dateTime, message: z.string() }).nullable(),
});
export const Health = z.strictObject({ status: z.literal('ok'), database: z.strictObject({ ok: z.literal(true), latencyMs: count }), backup: BackupStatus });
export const Degraded = z.strictObject({ status: z.literal('degraded'), database: z.strictObject({ ok: z.literal(false), error: z.string() }) });

export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.object({}).loose(), paths: z.record(z.string(), z.unknown()) }).meta({ description: 'an OpenAPI 3.1 document' });

export const Backup = z.strictObject({
  file: z.string(),
  bytes: count,
  manifest: z.strictObject({
    format: z.literal('relief-backup/1'),
    snapshotAt: dateTime,
    finishedAt: dateTime,
    postgresVersion: z.string(),
    migrations: z.array(z.string()),
    tables: z.array(z.strictObject({ name: z.string(), columns: z.array(z.string()), rows: count, sha256 })),
    sequences: z.array(z.strictObject({ name: z.string(), lastValue: id, isCalled: z.boolean() })),
    ledger: z.strictObject({
      chainHeads: z.array(z.strictObject({ category: code, lastSequence: id, lastHash: z.string() })),
      chains: count,
      chainHeadsSha256: sha256,
      signedDigest: z.null(),
    }),
    compression: z.literal('gzip'),
    sha256,
    bytes: count,
  }),
});
export const Backups = z.strictObject({ items: z.array(z.strictObject({ file: z.string(), bytes: count, snapshotAt: dateTime, sha256, migrations: count, rows: count })) });

export const Me = z.strictObject({ id, name: z.string(), role: Role, warehouses: z.array(code) });
export const User = named('User', z.strictObject({ id, name: z.string(), role: Role, warehouses: z.array(code), active: z.boolean(), createdAt: dateTime }));
export const UserPage = page(User);
const token = z.string().meta({ description: 'the API token, shown only this once', examples: ['rl_3q9XkP…'] });
export const CreatedUser = z.strictObject({ user: User, token });
export const Token = z.strictObject({ token });
export const SignedIn = z.strictObject({ user: Me, csrfToken: z.string().meta({ description: 'send it back in the X-CSRF-Token header of every request other than GET made with the session cookie' }) });
export const SignedOut = z.strictObject({ signedOut: z.literal(true) });
export const PasswordSet = z.strictObject({ name: z.string(), passwordSet: z.literal(true), sessionsEnded: count });

export const Category = named(
  'Category',
  z.strictObject({
    code: code.meta({ examples: ['TENT-581-1'] }),
    name: z.string().meta({ examples: ['救灾帐篷'] }),
    classPath: z.array(z.string()),
    unit: z.string().meta({ examples: ['顶'] }),
    scale: z.int().min(0).max(3).meta({ description: 'decimals a quantity may have' }),
    lotTracked: z.boolean(),
    spec: z.string().nullable(),
  }),
);
export const CategoryPage = page(Category);
export const Warehouse = named(
  'Warehouse',
  z.strictObject({
    code,
    name: z.string(),
    level: z.enum(['CITY', 'DISTRICT', 'AGREEMENT']),
    district: z.string(),
    address: z.string(),
    lat: decimal,
    lon: decimal,
    active: z.boolean(),
  }),
);
export const WarehousePage = page(Warehouse);

/** GET /reports: the reports this user may run and their parameters. */
export const ReportCatalogue = z.strictObject({
  items: z.array(
    z.strictObject({
      name: z.string().meta({ examples: ['stock-balance'] }),
      title: z.string().meta({ examples: ['库存余额表'] }),
      parameters: z.array(
        z.strictObject({ name: z.string(), label: z.string(), type: z.enum(['date', 'code', 'integer', 'text']), required: z.boolean(), default: z.union([z.string(), z.number()]).optional() }),
      ),
    }),
  ),
});
