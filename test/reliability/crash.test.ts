// Proves that the service killed with -9 in the middle of a load with an Idempotency-Key on every POST, then restarted the README way, has every 2xx exactly once, answers every retried key with its first reply (or does the work once), leaves no key "in progress", and keeps the ledger invariants.
import { describe, expect, it } from 'vitest';
import { crashRun } from '../../reliability/crash.js';

describe('crash run (short)', () => {
  it('kill -9 mid-load, restart, retry every key: exactly once, replayed, nothing stuck, invariants hold', async () => {
    const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
    const report = await crashRun({ crashes: 1, loadMs: 1500, concurrency: 4, seed });
    expect(report.faults).toBe(1);
    expect(report.retried).toBeGreaterThan(0);
    expect(report.invariantsChecked).toBeGreaterThan(10);
    expect(report.failures, `seed ${seed}; ${report.stuckKeys} keys stuck in progress`).toEqual([]);
  }, 180_000);
});
