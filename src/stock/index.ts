/** The public face of the supply ledger; other folders import only from here. */
export * from './core/nodes.js';
export * from './core/movement.js';
export * from './core/validation.js';
export * from './core/posting.js';
export * from './core/fefo.js';
export * from './core/stocktake.js';
export * from './core/chain.js';
export * from './core/balances.js';
export * from './core/periods.js';
export { StockService } from './stock.service.js';
export type { PostedReversal, ReversalHook } from './documents/documents.service.js';
export { STOCK_LEVEL_READERS } from './stock.access.js';
export { SYSTEM_USER } from './posting/ledger.post.js';
export * from './stock.schemas.js';
export { AllocationLedger, type AllocationShipment, type LedgerLock } from './posting/allocation.post.js';
export { enableGroupCommit, inLedgerTransaction, readerOf, type LedgerTx } from './posting/ledger.sql.js';
