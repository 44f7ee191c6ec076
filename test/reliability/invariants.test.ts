// Proves that concurrent random receipts, transfers, receipts of transfers, cancellations, write-offs, stocktakes, reversals and allocations (orders, dispatches, cancels, expiries) over HTTP leave the ledger whole: no negative balance, every category summing to zero over all nodes, reserved equal to open reservations, and /ledger/check and /ledger/verify ok.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../reliability/invariants.js';
import { runLoad } from '../../reliability/load.js';
import { STOCK_OPERATIONS } from '../../reliability/operations.js';
import { buildWorld } from '../../reliability/world.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { targetOf } from './target.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('invariant run (short)', () => {
  it('random concurrent stock operations keep every ledger invariant', async () => {
    const target = targetOf(app);
    const world = await buildWorld(target, { prefix: 'INV' });
    const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
    const load = await runLoad(target, world, STOCK_OPERATIONS, { seconds: 4, concurrency: 6, seed, idempotencyKeys: false });
    if (process.env.RELIABILITY_DEBUG) console.log(load.ops, load.requests, load.statuses);
    expect(load.failures, `seed ${seed}`).toEqual([]);
    expect(load.statuses).toMatchObject({ 'receipt 201': expect.any(Number) });
    const invariants = await checkInvariants(target);
    expect(invariants.failures, `seed ${seed}`).toEqual([]);
    expect(invariants.checked).toBeGreaterThan(10);
  }, 120_000);
});
