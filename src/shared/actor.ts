import { ForbiddenError } from './errors.js';

/** Who is asking: what every service receives instead of an HTTP request. */
export interface Actor {
  id: string;
  name: string;
  role: 'admin' | 'keeper' | 'dispatcher' | 'assessor' | 'approver' | 'finance';
  /** Warehouse codes a keeper may act for; empty for other roles. */
  warehouses: readonly string[];
}

export function canActForWarehouse(actor: Actor, warehouse: string): boolean {
  return actor.role === 'admin' || (actor.role === 'keeper' && actor.warehouses.includes(warehouse));
}

export function requireWarehouse(actor: Actor, warehouse: string): void {
  if (!canActForWarehouse(actor, warehouse)) {
    throw new ForbiddenError(`${actor.name} (${actor.role}) may not act for warehouse ${warehouse}`, { warehouse });
  }
}

export function requireRole(actor: Actor, ...roles: Actor['role'][]): void {
  if (!roles.includes(actor.role)) {
    throw new ForbiddenError(`role ${actor.role} may not do this; it needs one of: ${roles.join(', ')}`, { roles });
  }
}
