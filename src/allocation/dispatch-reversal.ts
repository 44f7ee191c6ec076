/**
 * A reversed dispatch goes back onto its order. When an ALLOCATION document is reversed (POST
 * /documents/:id/reverse), the goods are back in the warehouse: the order's picks count them as
 * dispatched no longer, and an order still open for dispatch (RESERVED, PARTIALLY_DISPATCHED or
 * DISPATCHED) holds them again (reserved once more, status RESERVED or PARTIALLY_DISPATCHED, its
 * reservation time restarted), so they can be dispatched again or released by cancel or expiry. An
 * order already cancelled or expired only counts them back; a delivered one refuses the reversal. Each
 * case leaves a DISPATCH_REVERSED entry in the order's history. Runs in the reversal's transaction:
 * the order is locked before the chain heads (lockDispatchedOrder), as dispatch and cancel lock them.
 */
import { ConflictError, assert } from '../shared/errors.js';
import type { LedgerTx, PostedReversal } from '../stock/index.js';
import type { AllocationStatus } from './allocation.schemas.js';
import { lockOrder } from './allocations.service.js';

const HOLDING_AGAIN: readonly AllocationStatus[] = ['RESERVED', 'PARTIALLY_DISPATCHED', 'DISPATCHED'];

/** The allocation an ALLOCATION document dispatched, if any. */
async function dispatchOf(tx: LedgerTx, documentId: string): Promise<{ allocation_id: string; warehouse: string } | undefined> {
  const [link] = await tx.execute<{ allocation_id: string; warehouse: string }[]>(
    'SELECT allocation_id::text, warehouse FROM allocation_dispatches WHERE document_id = ?::bigint', [documentId],
  );
  return link;
}

/** Before the ledger lock, as dispatch and cancel take them: the order first, then the chain heads. */
export async function lockDispatchedOrder(tx: LedgerTx, original: { documentId: string; type: string }): Promise<void> {
  if (original.type !== 'ALLOCATION') return;
  const link = await dispatchOf(tx, original.documentId);
  if (link) await lockOrder(tx, link.allocation_id);
}

export async function dispatchReversed(tx: LedgerTx, reversal: PostedReversal, reservationHours: number): Promise<void> {
  if (reversal.type !== 'ALLOCATION') return;
  const link = await dispatchOf(tx, reversal.documentId);
  if (!link) return;
  const order = await lockOrder(tx, link.allocation_id);
  if (order.status === 'DELIVERED') {
    throw new ConflictError('ALLOCATION_DELIVERED', `document ${reversal.documentId} dispatched allocation ${order.number}, whose delivery is confirmed; it cannot be reversed`, [
      { field: 'documentId', value: reversal.documentId, reason: `allocation ${order.number} is DELIVERED` },
    ]);
  }
  const holdAgain = HOLDING_AGAIN.includes(order.status);
  const [moved] = await tx.execute<{ lines: number; picks: number; balances: number; items: { category: string; lot: string | null; quantity: string }[] }[]>(
    `WITH x AS (SELECT category, coalesce(lot, '') AS lot, quantity FROM stock_movements WHERE document_id = ?::bigint),
     picks AS (
       UPDATE allocation_picks p SET dispatched = p.dispatched - x.quantity, open = p.open + CASE WHEN ?::boolean THEN x.quantity ELSE 0 END FROM x
       WHERE p.allocation_id = ?::bigint AND p.category = x.category AND p.warehouse = ? AND p.lot = x.lot AND p.dispatched >= x.quantity RETURNING 1),
     balances AS (
       UPDATE stock_balances b SET reserved = b.reserved + x.quantity FROM x
       WHERE ?::boolean AND b.category = x.category AND b.warehouse = ? AND b.lot = x.lot RETURNING 1)
     SELECT (SELECT count(*) FROM x)::int AS lines, (SELECT count(*) FROM picks)::int AS picks, (SELECT count(*) FROM balances)::int AS balances,
            (SELECT json_agg(json_build_object('category', category, 'lot', nullif(lot, ''), 'quantity', quantity::text) ORDER BY category, lot) FROM x) AS items`,
    [reversal.documentId, holdAgain, order.id, link.warehouse, holdAgain, link.warehouse],
  );
  assert(moved?.picks === moved?.lines && moved?.balances === (holdAgain ? moved?.lines : 0), `reversal of dispatch ${reversal.documentId}: picks and reservations of allocation ${order.number} follow every line`);
  const [after] = await tx.execute<{ status: AllocationStatus }[]>(
    `UPDATE allocations SET
       status = CASE WHEN NOT ?::boolean THEN status
                     WHEN EXISTS (SELECT 1 FROM allocation_picks WHERE allocation_id = ?::bigint AND dispatched > 0) THEN 'PARTIALLY_DISPATCHED' ELSE 'RESERVED' END,
       expires_at = CASE WHEN ?::boolean THEN greatest(expires_at, now() + (?::numeric * interval '1 hour')) ELSE expires_at END
     WHERE id = ?::bigint RETURNING status`,
    [holdAgain, order.id, holdAgain, String(reservationHours), order.id],
  );
  await tx.execute(
    `INSERT INTO allocation_history (allocation_id, action, status_before, status_after, user_id, details) VALUES (?::bigint, 'DISPATCH_REVERSED', ?, ?, ?::bigint, ?::jsonb)`,
    [order.id, order.status, after!.status, reversal.userId, JSON.stringify({ document: reversal.documentId, reversal: reversal.reversalId, warehouse: link.warehouse, reason: reversal.reason, heldAgain: holdAgain, lines: moved!.items })],
  );
}
