/**
 * Who may see what of the ledger. Keepers post and read for the warehouses they keep; admins
 * everywhere; finance reads everything (valuation, reports upward) but posts nothing; the claims
 * roles (assessor, approver) have no business with stock.
 */
import { type Actor, requireRole, requireWarehouse } from '../shared/actor.js';

export const POSTING_ROLES = ['admin', 'keeper'] as const;
export const READING_ROLES = ['admin', 'keeper', 'finance'] as const;
export const AUDIT_ROLES = ['admin', 'finance'] as const;

/** Throws ForbiddenError unless the actor may read the given warehouse's stock. */
export function requireReadable(actor: Actor, warehouse: string): void {
  requireRole(actor, ...READING_ROLES);
  if (actor.role === 'keeper') requireWarehouse(actor, warehouse);
}

/**
 * The warehouses a read covers: the one asked for (if the actor may read it), else every warehouse
 * (null) for admins and finance, or the keeper's own.
 */
export function readScope(actor: Actor, warehouse: string | undefined): string[] | null {
  requireRole(actor, ...READING_ROLES);
  if (warehouse !== undefined) {
    requireReadable(actor, warehouse);
    return [warehouse];
  }
  return actor.role === 'keeper' ? [...actor.warehouses] : null;
}

/** The scope as a query parameter: JSON text of the codes, or SQL NULL for every warehouse. */
export const scopeParam = (scope: string[] | null): string | null => (scope === null ? null : JSON.stringify(scope));
