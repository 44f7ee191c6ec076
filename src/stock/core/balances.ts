/**
 * The pure projection of the ledger: stock of a node = everything in − everything out. The database
 * keeps the same figures; this is what tests and the ledger check compare them with.
 */
import { Decimal } from '../../shared/decimal.js';
import { type Node, formatNode } from './nodes.js';
import type { MovementLine } from './movement.js';

export interface Balance {
  readonly node: Node;
  readonly category: string;
  readonly lot: string | null;
  readonly quantity: Decimal;
}

/** Keyed by balanceKey(node, category, lot). */
export type Balances = ReadonlyMap<string, Balance>;

// A JSON array cannot be confused whatever the category code or lot name contains.
export function balanceKey(node: Node, category: string, lot: string | null): string {
  return JSON.stringify([formatNode(node), category, lot]);
}

function add(balances: Map<string, Balance>, node: Node, category: string, lot: string | null, delta: Decimal): void {
  const key = balanceKey(node, category, lot);
  const quantity = (balances.get(key)?.quantity ?? new Decimal(0)).plus(delta);
  // A balance that nets to zero is no balance: dropping it lets "all settled" mean "empty".
  if (quantity.isZero()) balances.delete(key);
  else balances.set(key, { node, category, lot, quantity });
}

/** A new map with the movements applied; the given one is left as it was. */
export function applyMovements(balances: Balances, movements: Iterable<MovementLine>): Map<string, Balance> {
  const next = new Map(balances);
  for (const m of movements) {
    add(next, m.from, m.category, m.lot, m.quantity.negated());
    add(next, m.to, m.category, m.lot, m.quantity);
  }
  return next;
}

export function balanceOf(balances: Balances, node: Node, category: string, lot: string | null = null): Decimal {
  return balances.get(balanceKey(node, category, lot))?.quantity ?? new Decimal(0);
}

export interface ZeroSumCheck {
  readonly ok: boolean;
  /** Categories whose balances over all nodes do not add up to zero, with the total found. */
  readonly unbalanced: readonly { readonly category: string; readonly total: Decimal }[];
}

/**
 * Every movement takes from one node what it gives another, so each category must sum to zero over
 * all nodes. Anything else means a line was lost, altered or written outside the posting rules.
 * Accepts this projection's map or the rows of a balance query, so the database can be checked too.
 */
export function checkZeroSum(balances: Balances | Iterable<Balance>): ZeroSumCheck {
  const rows: Iterable<Balance> = balances instanceof Map ? balances.values() : (balances as Iterable<Balance>);
  const totals = new Map<string, Decimal>();
  for (const balance of rows) {
    totals.set(balance.category, (totals.get(balance.category) ?? new Decimal(0)).plus(balance.quantity));
  }
  const unbalanced = [...totals]
    .filter(([, total]) => !total.isZero())
    .map(([category, total]) => ({ category, total }))
    .sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
  return { ok: unbalanced.length === 0, unbalanced };
}
