/** The public face of allocations (调拨): kits, matching across warehouses, reservations, dispatch and delivery. */
export * from './core/geo.js';
export * from './core/kits.js';
export * from './core/matching.js';
export { AllocationService } from './allocation.service.js';
export type { AllocationSettings } from './allocations.service.js';
export type { AllocationView, PickList } from './allocation.queries.js';
export * from './allocation.schemas.js';
export { RESERVED_CHECK } from './allocation.checks.js';
