/**
 * Allocations as one service object: kits, orders (reserve, override, cancel, expire), dispatch and
 * delivery, and the reads. Built once in services.ts; it registers the reservation check with the ledger.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../shared/actor.js';
import { readerOf } from '../stock/index.js';
import type { StockService } from '../stock/index.js';
import { RESERVED_CHECK } from './allocation.checks.js';
import { allocationOf, dispatchedSummary, listAllocations, pickList } from './allocation.queries.js';
import type { AllocationsQuery, SummaryQuery } from './allocation.schemas.js';
import { type AllocationSettings, AllocationsService } from './allocations.service.js';
import { DispatchService } from './dispatch.service.js';
import { dispatchReversed, lockDispatchedOrder } from './dispatch-reversal.js';
import { KitsService } from './kits.service.js';
import { pickListWorkbook } from './pick-list.xlsx.js';

export class AllocationService {
  readonly kits: KitsService;
  readonly orders: AllocationsService;
  readonly shipping: DispatchService;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly em: EntityManager,
    stock: StockService,
    readonly settings: AllocationSettings,
  ) {
    this.kits = new KitsService(em);
    this.orders = new AllocationsService(em, stock, settings);
    this.shipping = new DispatchService(em, stock);
    stock.registerCheck(RESERVED_CHECK);
    stock.onReversal({ before: lockDispatchedOrder, posted: (tx, reversal) => dispatchReversed(tx, reversal, settings.reservationHours) });
  }

  get(actor: Actor, id: string) {
    return allocationOf(readerOf(this.em), actor, id);
  }

  list(actor: Actor, query: AllocationsQuery) {
    return listAllocations(readerOf(this.em), actor, query);
  }

  summary(actor: Actor, query: SummaryQuery) {
    return dispatchedSummary(readerOf(this.em), actor, query);
  }

  pickList(actor: Actor, id: string, warehouse: string | undefined) {
    return pickList(readerOf(this.em), actor, id, warehouse);
  }

  async pickListXlsx(actor: Actor, id: string, warehouse: string | undefined): Promise<{ number: string; bytes: Buffer }> {
    const list = await pickList(readerOf(this.em), actor, id, warehouse);
    return { number: list.allocation.number, bytes: await pickListWorkbook(list) };
  }

  /**
   * Releases due reservations now and then every `everyMs`; the timer does not keep the process
   * alive. A failed sweep is reported and the next one tries again.
   */
  startExpiry(everyMs: number, onError: (error: unknown) => void): void {
    this.stopExpiry();
    this.timer = setInterval(() => void this.orders.expireDue().catch(onError), everyMs);
    this.timer.unref();
  }

  stopExpiry(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
