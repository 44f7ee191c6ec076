import type { EntityManager } from '@mikro-orm/postgresql';
import { requireRole, type Actor } from '../shared/actor.js';
import { todayInCity } from '../shared/dates.js';
import type { PolicyCatalog } from '../claims/index.js';
import { createBatch, cancelBatch, getBatch, listBatches } from './batches.service.js';
import { exportBankFile } from './bank-file.service.js';
import { confirmBatch } from './confirmation.service.js';
import { readReturnFile } from './return-file.js';
import { claimPayments, returnPayment } from './payments.service.js';
import { collectRecovery, listRecoveries, recordRecovery } from './recoveries.service.js';
import { lossRatio, payoutSummary } from './payout-figures.service.js';
import type { BatchListQuery, CollectInput, CreateBatchInput, LineOutcome, LossRatioQuery, RecoveryInput, RecoveryListQuery, ReturnPaymentInput, SummaryQuery } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

/**
 * Payouts as one object for the routes and the CLI. Batches, bank files, the bank's answers, returned
 * payments and recoveries are finance's work alone; the figures reported upward are read by finance
 * and administrators. Each operation checks the role itself, so no caller can skip it.
 */
export class PayoutsService {
  private readonly ctx: PayoutsContext;

  constructor(em: EntityManager, policies: PolicyCatalog, today: () => string = () => todayInCity()) {
    this.ctx = { em, policies, today };
  }

  createBatch(actor: Actor, input: CreateBatchInput) {
    requireRole(actor, 'finance');
    return createBatch(this.ctx, actor, input);
  }

  cancelBatch(actor: Actor, key: string, reason?: string) {
    requireRole(actor, 'finance');
    return cancelBatch(this.ctx, actor, key, reason);
  }

  listBatches(actor: Actor, query: BatchListQuery) {
    requireRole(actor, 'finance');
    return listBatches(this.ctx, query);
  }

  getBatch(actor: Actor, key: string) {
    requireRole(actor, 'finance');
    return getBatch(this.ctx, actor, key);
  }

  bankFile(actor: Actor, key: string, format: 'xlsx' | 'csv') {
    requireRole(actor, 'finance');
    return exportBankFile(this.ctx, actor, key, format);
  }

  confirm(actor: Actor, key: string, lines: readonly LineOutcome[]) {
    requireRole(actor, 'finance');
    return confirmBatch(this.ctx, actor, key, lines);
  }

  async confirmFromReturnFile(actor: Actor, key: string, bytes: Buffer, charset: string | undefined, maxRows: number) {
    requireRole(actor, 'finance');
    return confirmBatch(this.ctx, actor, key, await readReturnFile(bytes, charset, maxRows));
  }

  /** A claim's payments ledger (finance, and administrators who read the figures). */
  claimPayments(actor: Actor, claimKey: string) {
    requireRole(actor, 'finance', 'admin');
    return claimPayments(this.ctx, claimKey);
  }

  returnPayment(actor: Actor, paymentId: string, input: ReturnPaymentInput) {
    requireRole(actor, 'finance');
    return returnPayment(this.ctx, actor, paymentId, input);
  }

  listRecoveries(actor: Actor, query: RecoveryListQuery) {
    requireRole(actor, 'finance', 'admin');
    return listRecoveries(this.ctx, query);
  }

  recordRecovery(actor: Actor, input: RecoveryInput) {
    requireRole(actor, 'finance');
    return recordRecovery(this.ctx, actor, input);
  }

  collectRecovery(actor: Actor, key: string, input: CollectInput) {
    requireRole(actor, 'finance');
    return collectRecovery(this.ctx, actor, key, input);
  }

  summary(actor: Actor, query: SummaryQuery) {
    requireRole(actor, 'finance', 'admin');
    return payoutSummary(this.ctx, query);
  }

  lossRatio(actor: Actor, code: string, query: LossRatioQuery) {
    requireRole(actor, 'finance', 'admin');
    return lossRatio(this.ctx, code, query);
  }
}
