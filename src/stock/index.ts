/** The public face of the supply ledger; other folders import only from here. */
export * from './nodes.js';
export * from './movement.js';
export * from './validation.js';
export * from './posting.js';
export * from './fefo.js';
export * from './stocktake.js';
export * from './chain.js';
export * from './balances.js';
export { StockService } from './stock.service.js';
export { SYSTEM_USER } from './ledger.post.js';
export * from './stock.schemas.js';
export { AllocationLedger, type AllocationShipment, type LedgerLock } from './allocation.post.js';
export { inLedgerTransaction, readerOf, type LedgerTx } from './ledger.sql.js';
