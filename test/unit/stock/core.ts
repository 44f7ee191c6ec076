// The pure ledger core as the unit tests see it: the same exports as src/stock/index.ts minus the
// services, so a unit test loads in milliseconds instead of pulling in MikroORM and pg (which matters
// when Stryker re-runs the tests once per mutant).
export * from '../../../src/stock/core/nodes.js';
export * from '../../../src/stock/core/movement.js';
export * from '../../../src/stock/core/validation.js';
export * from '../../../src/stock/core/posting.js';
export * from '../../../src/stock/core/fefo.js';
export * from '../../../src/stock/core/stocktake.js';
export * from '../../../src/stock/core/chain.js';
export * from '../../../src/stock/core/balances.js';
export * from '../../../src/stock/core/periods.js';
