/**
 * Who does what with allocations. Dispatchers (调度员, the command center) plan, reserve, cancel and
 * confirm delivery; a second dispatcher or an admin approves an emergency override; keepers dispatch
 * from the warehouses they keep and see the orders that touch them; finance reads.
 */
export const PLANNING_ROLES = ['admin', 'dispatcher'] as const;
export const DISPATCH_ROLES = ['admin', 'keeper'] as const;
export const ALLOCATION_READERS = ['admin', 'dispatcher', 'keeper', 'finance'] as const;
export const KIT_WRITERS = ['admin', 'dispatcher'] as const;
