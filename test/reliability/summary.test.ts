// Proves that `npm run reliability` ends with one summary line naming operations, faults, inputs, invariants and failures.
import { describe, expect, it } from 'vitest';
import { summaryLine } from '../../reliability/suite.js';

describe('reliability summary line', () => {
  it('is one line with every count', () => {
    const line = summaryLine({ operations: 10, faults: 1, inputs: 20, invariants: 30, failures: ['x'], seconds: 5, seed: 7 });
    expect(line).toBe('reliability: 10 operations, 1 faults injected, 20 inputs tried, 30 invariants checked, 1 failures (seed 7, 5 s)');
    expect(line).not.toContain('\n');
  });
});
