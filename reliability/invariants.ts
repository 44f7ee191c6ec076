/**
 * The ledger invariants, checked from outside: no negative balance (API and projection), every category
 * sums to zero over all nodes, each warehouse node's movement sum equals its projected balance,
 * virtual nodes have the sign their kind implies, reserved equals what open allocation orders hold,
 * and /ledger/check and /ledger/verify report ok.
 */
import { Decimal } from '../src/shared/decimal.js';
import type { Target } from './target.js';

export interface InvariantReport {
  checked: number;
  failures: string[];
}

export async function checkInvariants(target: Target): Promise<InvariantReport> {
  const failures: string[] = [];
  let checked = 0;
  const expect = (ok: boolean, message: () => string) => {
    checked++;
    if (!ok) failures.push(message());
  };

  const balances = await target.request('GET', '/balances?limit=10000');
  expect(balances.status === 200, () => `GET /balances → ${balances.status}`);
  for (const item of balances.body?.items ?? []) {
    expect(new Decimal(item.onHand).gte(0) && new Decimal(item.available).gte(0), () => `negative balance ${JSON.stringify(item)}`);
  }
  const negative = await target.sql('SELECT category, warehouse, lot, on_hand, reserved FROM stock_balances WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand');
  expect(negative.length === 0, () => `negative rows in stock_balances: ${JSON.stringify(negative)}`);

  const nodes = await target.sql<{ category: string; node: string; total: string }>(`
    SELECT category, node, sum(q)::text AS total FROM (
      SELECT category, to_node AS node, quantity AS q FROM stock_movements
      UNION ALL SELECT category, from_node, -quantity FROM stock_movements
    ) m GROUP BY category, node`);
  const perCategory = new Map<string, Decimal>();
  for (const row of nodes) perCategory.set(row.category, (perCategory.get(row.category) ?? new Decimal(0)).plus(row.total));
  for (const [category, total] of perCategory) expect(total.isZero(), () => `category ${category} sums to ${total} over all nodes, not 0`);
  for (const row of nodes) {
    const kind = row.node.split(':')[0];
    const total = new Decimal(row.total);
    if (kind === 'WH' || kind === 'TRANSIT' || kind === 'LOSS' || kind === 'DESTINATION') {
      expect(total.gte(0), () => `node ${row.node} holds ${total} of ${row.category}: negative`);
    } else if (kind === 'SUPPLIER' || kind === 'DONOR' || kind === 'OPENING') {
      expect(total.lte(0), () => `node ${row.node} gave ${total} of ${row.category}: a source cannot have received net`);
    }
  }

  const projected = await target.sql<{ category: string; warehouse: string; on_hand: string }>('SELECT category, warehouse, sum(on_hand)::text AS on_hand FROM stock_balances GROUP BY category, warehouse');
  const byWarehouseNode = new Map(nodes.filter((r) => r.node.startsWith('WH:')).map((r) => [`${r.category} ${r.node.slice(3)}`, new Decimal(r.total)]));
  for (const row of projected) {
    const fromMovements = byWarehouseNode.get(`${row.category} ${row.warehouse}`) ?? new Decimal(0);
    expect(fromMovements.eq(row.on_hand), () => `${row.category} in ${row.warehouse}: movements sum ${fromMovements}, balance ${row.on_hand}`);
  }

  // Reserved stock is exactly what open allocation orders still hold, row by row.
  const reservedOff = await target.sql(`
    WITH held AS (SELECT category, warehouse, lot, sum(open) AS qty FROM allocation_picks WHERE open > 0 GROUP BY 1, 2, 3)
    SELECT b.category, b.warehouse, b.lot, b.reserved::text, coalesce(h.qty, 0)::text AS held FROM stock_balances b
    LEFT JOIN held h ON h.category = b.category AND h.warehouse = b.warehouse AND h.lot = b.lot WHERE b.reserved <> coalesce(h.qty, 0)`);
  expect(reservedOff.length === 0, () => `reserved differs from open reservations: ${JSON.stringify(reservedOff).slice(0, 500)}`);
  const closedHolding = await target.sql(`SELECT a.number, a.status FROM allocations a JOIN allocation_picks p ON p.allocation_id = a.id
    WHERE p.open > 0 AND a.status NOT IN ('AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED')`);
  expect(closedHolding.length === 0, () => `closed orders still hold stock: ${JSON.stringify(closedHolding).slice(0, 500)}`);

  const check = await target.request('GET', '/ledger/check');
  expect(check.status === 200 && check.body.ok === true, () => `/ledger/check: ${check.status} ${JSON.stringify(check.body).slice(0, 500)}`);
  const verify = await target.request('GET', '/ledger/verify');
  expect(verify.status === 200 && verify.body.ok === true, () => `/ledger/verify: ${verify.status} ${JSON.stringify(verify.body).slice(0, 500)}`);
  return { checked, failures };
}
