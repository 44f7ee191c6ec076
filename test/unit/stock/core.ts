// The pure ledger core as the unit tests see it: the same exports as src/stock/index.ts minus the
// services, so a unit test loads in milliseconds instead of pulling in MikroORM and pg (which matters
// when Stryker re-runs the tests once per mutant).
export * from '../../../src/stock/nodes.js';
export * from '../../../src/stock/movement.js';
export * from '../../../src/stock/validation.js';
export * from '../../../src/stock/posting.js';
export * from '../../../src/stock/fefo.js';
export * from '../../../src/stock/stocktake.js';
export * from '../../../src/stock/chain.js';
export * from '../../../src/stock/balances.js';
