/**
 * The reservation invariant as a /ledger/check check: each balance row's reserved equals the sum of
 * what open orders still hold there. Registered with the stock service, which runs it with its own.
 */
export const RESERVED_CHECK = {
  kind: 'RESERVED',
  sql: `WITH held AS (SELECT category, warehouse, lot, sum(open) AS qty FROM allocation_picks WHERE open > 0 GROUP BY 1, 2, 3),
          booked AS (SELECT category, warehouse, lot, reserved FROM stock_balances WHERE reserved <> 0)
        SELECT coalesce(h.category, b.category) AS category, coalesce(h.warehouse, b.warehouse) AS warehouse, nullif(coalesce(h.lot, b.lot), '') AS lot,
               coalesce(h.qty, 0)::text AS ledger, coalesce(b.reserved, 0)::text AS projection
        FROM held h FULL JOIN booked b ON b.category = h.category AND b.warehouse = h.warehouse AND b.lot = h.lot
        WHERE coalesce(h.qty, 0) <> coalesce(b.reserved, 0)`,
};
