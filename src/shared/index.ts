export { Decimal } from './decimal.js';
export * from './errors.js';
export * from './amounts.js';
export * from './dates.js';
export * from './actor.js';
