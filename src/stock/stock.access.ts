/**
 * Who may see what of the ledger. Keepers post and read for the warehouses they keep; admins
 * everywhere; finance reads everything (valuation, reports upward) but posts nothing; the claims
 * roles (assessor, approver) have no business with stock. Dispatchers (the command center) plan
 * allocations from city-wide stock levels: they read balances, lots and expiring lots of every
 * warehouse (STOCK_LEVEL_READERS), and nothing else of the ledger.
 */
import { type Actor, requireRole, requireWarehouse } from '../shared/actor.js';

export const POSTING_ROLES = ['admin', 'keeper'] as const;
export const READING_ROLES = ['admin', 'keeper', 'finance'] as const;
export const AUDIT_ROLES = ['admin', 'finance'] as const;
/** Who reads stock levels (balances, lots, expiring lots): the readers, and dispatchers in every warehouse, read-only. */
export const STOCK_LEVEL_READERS = [...READING_ROLES, 'dispatcher'] as const;

type ReaderRoles = readonly Actor['role'][];

/** Throws ForbiddenError unless the actor may read the given warehouse's stock. */
export function requireReadable(actor: Actor, warehouse: string, roles: ReaderRoles = READING_ROLES): void {
  requireRole(actor, ...roles);
  if (actor.role === 'keeper') requireWarehouse(actor, warehouse);
}

/**
 * The warehouses a read covers: the one asked for (if the actor may read it), else every warehouse
 * (null) for admins, finance (and dispatchers, where `roles` admits them), or the keeper's own.
 */
export function readScope(actor: Actor, warehouse: string | undefined, roles: ReaderRoles = READING_ROLES): string[] | null {
  requireRole(actor, ...roles);
  if (warehouse !== undefined) {
    requireReadable(actor, warehouse, roles);
    return [warehouse];
  }
  return actor.role === 'keeper' ? [...actor.warehouses] : null;
}

/** The scope as a query parameter: JSON text of the codes, or SQL NULL for every warehouse. */
export const scopeParam = (scope: string[] | null): string | null => (scope === null ? null : JSON.stringify(scope));
