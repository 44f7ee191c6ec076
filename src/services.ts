import type { MikroORM } from '@mikro-orm/postgresql';
import { AllocationService } from './allocation/index.js';
import { BackupService } from './backup/index.js';
import { CatalogService } from './catalog/index.js';
import { ClaimsService, EventsService, loadPolicies, type PolicyCatalog } from './claims/index.js';
import { type Config, loadConfig } from './config.js';
import { IdempotencyStore } from './db/idempotency.store.js';
import { LedgerDigestService } from './ledger-digest/index.js';
import { Metrics } from './metrics.js';
import { PayoutsService } from './payouts/index.js';
import { ReportsService } from './reports/index.js';
import { todayInCity } from './shared/dates.js';
import { StockService, enableGroupCommit } from './stock/index.js';
import { SessionsService, UsersService } from './users/index.js';

/** Every service, built once from the database; the HTTP routes and the CLI both take this object. */
export interface Services {
  orm: MikroORM;
  users: UsersService;
  /** Console sign-in: passwords and browser sessions. */
  sessions: SessionsService;
  catalog: CatalogService;
  idempotency: IdempotencyStore;
  /** Product terms from policies/, loaded and validated once at start-up. */
  policies: PolicyCatalog;
  events: EventsService;
  claims: ClaimsService;
  /** Payout batches, bank files, the bank's answers, returned payments, recoveries and the payout figures. */
  payouts: PayoutsService;
  /** The supply ledger: documents, balances, 台帐, audits, lots, quotas and the stock imports. */
  stock: StockService;
  /** Backups into BACKUP_DIR, on request and on schedule. */
  backups: BackupService;
  /** Allocations (调拨): kits, orders and reservations, dispatch and delivery. */
  allocations: AllocationService;
  /** Signed ledger digests (Merkle log over the movements), their log outside the database, and their verification. */
  ledgerDigest: LedgerDigestService;
  /** The Excel reports; a bad definition in reports/ throws here, naming the file and the field. */
  reports: ReportsService;
  /** GET /metrics: request counts and latencies (fed by the HTTP layer), the pool, postings, claims by status. */
  metrics: Metrics;
}

/** A bad policy file throws here, naming the file and the field, so the service does not start. */
export function buildServices(orm: MikroORM, config: Pick<Config, 'paths' | 'idempotencyWaitMs'> & Partial<Pick<Config, 'backup' | 'allocationReservationHours' | 'ledgerDigest' | 'sessionIdleMs' | 'postingGroupCommit'>>): Services {
  const em = orm.em;
  const policies = loadPolicies(config.paths.policies);
  const stock = new StockService(em);
  const postings = enableGroupCommit(em, config.postingGroupCommit ?? 2);
  const payouts = new PayoutsService(em, policies);
  return {
    orm,
    users: new UsersService(em),
    sessions: new SessionsService(em, config.sessionIdleMs ?? 30 * 60_000),
    catalog: new CatalogService(em),
    idempotency: new IdempotencyStore(em, config.idempotencyWaitMs),
    policies,
    events: new EventsService(em, policies),
    claims: new ClaimsService(em, policies),
    payouts,
    stock,
    ledgerDigest: new LedgerDigestService(em, config.ledgerDigest ?? loadConfig({}).ledgerDigest),
    // A report streams after its request ended, through a connection of its own (hence the URL).
    reports: new ReportsService(em, config.paths.reports, () => orm.config.get('clientUrl')!, (code) => {
      try {
        return policies.versionFor(code, todayInCity()).nameZh;
      } catch {
        return code;
      }
    }, (actor, code, year) => payouts.lossRatio(actor, code, { year })),
    // The backup reads through a connection of its own, so it needs the URL rather than the pool.
    backups: new BackupService(() => orm.config.get('clientUrl')!, config.backup ?? { dir: null, everyMs: null, keep: 7 }),
    allocations: new AllocationService(em, stock, { reservationHours: config.allocationReservationHours ?? 48 }),
    metrics: new Metrics(orm, postings.sent),
  };
}
