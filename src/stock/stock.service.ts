/**
 * The supply ledger's service object: the document workflows, the queries and audits, and the two
 * CSV imports (also used by the CLI and by the sample data on first start).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../shared/actor.js';
import { type ImportOptions, type ImportReport, runImport } from '../imports/index.js';
import { ChainHeads } from './posting/ledger.lock.js';
import { type LedgerCheck, checkLedger, verifyLedger } from './queries/ledger.audit.js';
import { balances, documentOf, ledger } from './queries/ledger.queries.js';
import { DocumentsService, type ReversalHook } from './documents/documents.service.js';
import { TransfersService } from './documents/transfers.service.js';
import { StocktakesService } from './documents/stocktakes.service.js';
import { LotsService } from './documents/lots.service.js';
import { QuotasService } from './documents/quotas.service.js';
import { PeriodsService } from './documents/periods.service.js';
import { openingStockImport } from './imports/opening.import.js';
import { quotaImport } from './imports/quota.import.js';
import { AUDIT_ROLES } from './stock.access.js';
import type { BalancesQuery, LedgerQuery } from './stock.schemas.js';
import { forkOf } from '../db/request-transaction.js';
import { readerOf } from './posting/ledger.sql.js';
import { AllocationLedger } from './posting/allocation.post.js';

export class StockService {
  readonly documents: DocumentsService;
  readonly transfers: TransfersService;
  readonly stocktakes: StocktakesService;
  readonly lots: LotsService;
  readonly quotas: QuotasService;
  readonly periods: PeriodsService;
  /** The seam allocations post through (src/allocation). */
  readonly allocationLedger: AllocationLedger;
  private readonly chains: ChainHeads;
  private readonly checks: LedgerCheck[] = [];
  private readonly reversalHooks: ReversalHook[] = [];

  constructor(private readonly em: EntityManager) {
    this.chains = new ChainHeads(readerOf(em));
    this.documents = new DocumentsService(em, this.chains, this.reversalHooks);
    this.transfers = new TransfersService(em, this.chains);
    this.stocktakes = new StocktakesService(em, this.chains);
    this.lots = new LotsService(em, this.chains);
    this.quotas = new QuotasService(em);
    this.periods = new PeriodsService(em);
    this.allocationLedger = new AllocationLedger(this.chains);
  }

  balances(actor: Actor, query: BalancesQuery) {
    return balances(forkOf(this.em), actor, query);
  }

  ledger(actor: Actor, query: LedgerQuery) {
    return ledger(forkOf(this.em), actor, query);
  }

  document(actor: Actor, id: string) {
    return documentOf(forkOf(this.em), actor, id);
  }

  /** The projections recomputed from the movements; `ok` with no discrepancies is the only healthy answer. */
  async check(actor: Actor | null) {
    if (actor) requireRole(actor, ...AUDIT_ROLES);
    return checkLedger(forkOf(this.em), this.checks);
  }

  /** Adds a check to /ledger/check (allocations add the reserved = open reservations check). */
  registerCheck(check: LedgerCheck): void {
    if (!this.checks.some((c) => c.kind === check.kind)) this.checks.push(check);
  }

  /** Runs `hook` in the transaction of every document reversal (allocations put a reversed dispatch back onto its order). */
  onReversal(hook: ReversalHook): void {
    this.reversalHooks.push(hook);
  }

  /** Every hash chain recomputed and compared with its head. */
  async verify(actor: Actor | null) {
    if (actor) requireRole(actor, ...AUDIT_ROLES);
    return verifyLedger(forkOf(this.em));
  }

  /** Opening stock CSV (仓库编码,物资编码,批次号,有效期至,数量,单价); actor null for the CLI and sample data, which may date it (`occurredAt`). */
  async importOpeningStock(actor: Actor | null, bytes: Buffer, options: ImportOptions, occurredAt?: string): Promise<ImportReport> {
    if (actor) requireRole(actor, 'admin');
    const userId = actor?.id ?? options.userId ?? null;
    return runImport(this.em, openingStockImport(this.chains, userId, options.source, occurredAt), bytes, { ...options, userId: userId ?? undefined });
  }

  /** Reserve quota CSV (仓库编码,物资编码,储备定额); actor null for the CLI. */
  async importQuotas(actor: Actor | null, bytes: Buffer, options: ImportOptions): Promise<ImportReport> {
    if (actor) requireRole(actor, 'admin');
    const userId = actor?.id ?? options.userId ?? null;
    return runImport(this.em, quotaImport(userId), bytes, { ...options, userId: userId ?? undefined });
  }

  /** True when no movement has been recorded yet (sample data loads opening stock only then). */
  async isEmpty(): Promise<boolean> {
    const [row] = await forkOf(this.em).execute<{ any: boolean }[]>('SELECT EXISTS (SELECT 1 FROM stock_documents) AS any');
    return !row!.any;
  }
}
