import { Decimal } from 'decimal.js';

// decimal.js rounds to 20 significant digits by default, which silently breaks large money totals.
// Every entry point imports this module, so the setting is applied once before any arithmetic.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });

export { Decimal };
