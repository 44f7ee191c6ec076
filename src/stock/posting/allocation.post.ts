/**
 * The ledger side of allocations (调拨), as a small seam: src/allocation locks and posts through the
 * same machinery as every other document (chain-head lock, one posting statement, hash chain) instead
 * of copying it. Reserving and releasing stock stay with src/allocation; this only moves goods out.
 */
import type { Decimal } from '../../shared/decimal.js';
import { todayInCity } from '../../shared/dates.js';
import { type ChainHeads, type LedgerLock, occurredAtProblems, warehouseProblems } from './ledger.lock.js';
import { type DocumentHeader, postDocument } from './ledger.post.js';
import type { LedgerTx } from './ledger.sql.js';
import { allocationMovements } from '../core/posting.js';
import { throwIfProblems } from '../core/validation.js';

export type { LedgerLock } from './ledger.lock.js';

export interface AllocationShipment {
  readonly warehouse: string;
  /** The destination node's name (DESTINATION:<name>). */
  readonly destination: string;
  readonly lines: readonly { category: string; lot: string | null; expiresOn: string | null; quantity: Decimal }[];
  /** The allocation number, so the 台帐 row points back to the order. */
  readonly reference: string;
  readonly reason: string | null;
  readonly userId: string | null;
}

export class AllocationLedger {
  constructor(private readonly chains: ChainHeads) {}

  /** Locks the chain heads of `categories` in category order, as every posting does, for a posting (ship). */
  lock(tx: LedgerTx, categories: Iterable<string>, warehouses: Iterable<string>, documentCount = 0): Promise<LedgerLock> {
    return this.chains.lock(tx, categories, warehouses, documentCount);
  }

  /**
   * Locks, in category order, the chain heads that exist, without creating missing ones: a category
   * without a head has never had stock, so there is nothing of it to reserve or release. (Creating heads
   * here would be undone when a refused order rolls back its savepoint, while ChainHeads remembers them.)
   */
  async lockExisting(tx: LedgerTx, categories: Iterable<string>): Promise<void> {
    await tx.prepared('allocation_lock_heads', 'SELECT category FROM stock_chains WHERE category = ANY ($1::text[]) ORDER BY category FOR UPDATE', [[...new Set(categories)].sort()]);
  }

  /** Posts one ALLOCATION document from a warehouse to the destination node, dated today; the lock must hold its categories and a document id. */
  async ship(tx: LedgerTx, lock: LedgerLock, shipment: AllocationShipment): Promise<{ documentId: string }> {
    const occurredAt = todayInCity();
    const problems = [...warehouseProblems(lock, shipment.warehouse, 'warehouse'), ...occurredAtProblems(lock, occurredAt)];
    throwIfProblems('allocation dispatch', problems);
    const movements = allocationMovements({ warehouse: shipment.warehouse, destination: shipment.destination, lines: shipment.lines }, lock.rules);
    const header: DocumentHeader = { type: 'ALLOCATION', warehouse: shipment.warehouse, reference: shipment.reference, reason: shipment.reason, occurredAt, userId: shipment.userId };
    const posted = await postDocument(tx, lock, header, movements);
    return { documentId: posted.id };
  }
}
