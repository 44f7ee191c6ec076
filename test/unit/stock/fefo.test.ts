// Proves lots are picked first-expiring-first-out, skipping unusable lots, and that shortages and unusable named lots are refused.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/shared/errors.js';
import { type LotStock, pickLots } from './core.js';
import { d } from './fixtures.js';

const TODAY = '2025-06-15';
const lot = (name: string, expiresOn: string, available: string, status: LotStock['status'] = 'AVAILABLE'): LotStock => ({ lot: name, expiresOn, status, available: d(available) });
const picked = (picks: ReturnType<typeof pickLots>) => picks.map((p) => [p.lot, p.quantity.toString()]);

function conflictOf(action: () => unknown): ConflictError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConflictError) return error;
    throw error;
  }
  throw new Error('expected a ConflictError');
}

describe('pickLots', () => {
  it('takes the soonest expiry first and moves on when a lot runs out', () => {
    const lots = [lot('C', '2026-03-01', '50'), lot('A', '2025-09-01', '30'), lot('B', '2025-12-01', '40')];
    expect(picked(pickLots(d('90'), lots, TODAY))).toEqual([
      ['A', '30'],
      ['B', '40'],
      ['C', '20'],
    ]);
  });

  it('stops at the first lot that covers the request', () => {
    expect(picked(pickLots(d('10'), [lot('B', '2025-12-01', '40'), lot('A', '2025-09-01', '30')], TODAY))).toEqual([['A', '10']]);
  });

  it('breaks ties on expiry by lot name', () => {
    const lots = [lot('L-2', '2025-09-01', '5'), lot('L-10', '2025-09-01', '5'), lot('L-1', '2025-09-01', '5')];
    expect(picked(pickLots(d('12'), lots, TODAY))).toEqual([
      ['L-1', '5'],
      ['L-10', '5'],
      ['L-2', '2'],
    ]);
  });

  it('skips quarantined, expired-status, past-expiry and empty lots, but still uses a lot expiring today', () => {
    const lots = [
      lot('Q', '2025-06-20', '100', 'QUARANTINED'),
      lot('X', '2025-06-30', '100', 'EXPIRED'),
      lot('OLD', '2025-06-14', '100'),
      lot('EMPTY', '2025-06-16', '0'),
      lot('TODAY', '2025-06-15', '3'),
      lot('LATER', '2025-07-01', '100'),
    ];
    expect(picked(pickLots(d('5'), lots, TODAY))).toEqual([
      ['TODAY', '3'],
      ['LATER', '2'],
    ]);
  });

  it('works in fractions for goods measured by weight', () => {
    expect(picked(pickLots(d('1.25'), [lot('R1', '2025-07-01', '0.5'), lot('R2', '2025-08-01', '2.125')], TODAY))).toEqual([
      ['R1', '0.5'],
      ['R2', '0.75'],
    ]);
  });

  it('refuses with INSUFFICIENT_STOCK naming what was requested and what was usable', () => {
    const error = conflictOf(() => pickLots(d('150'), [lot('A', '2025-09-01', '30'), lot('B', '2025-12-01', '40'), lot('Q', '2025-12-01', '500', 'QUARANTINED')], TODAY));
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.kind).toBe('conflict');
    expect(error.details).toEqual({ requested: '150', available: '70' });
  });

  it('refuses when no lot is usable at all', () => {
    expect(conflictOf(() => pickLots(d('1'), [], TODAY)).details).toEqual({ requested: '1', available: '0' });
  });
});

describe('pickLots with a named lot', () => {
  const lots = [lot('A', '2025-09-01', '30'), lot('B', '2025-12-01', '40'), lot('Q', '2025-12-01', '9', 'QUARANTINED'), lot('OLD', '2025-06-01', '9')];

  it('takes only from the named lot, even when another expires sooner', () => {
    expect(picked(pickLots(d('25'), lots, TODAY, 'B'))).toEqual([['B', '25']]);
  });

  it('refuses a named lot that is short, quarantined, expired or not held', () => {
    expect(conflictOf(() => pickLots(d('41'), lots, TODAY, 'B')).details).toEqual({ requested: '41', available: '40', lot: 'B' });
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'Q'))).toMatchObject({ code: 'LOT_UNAVAILABLE', details: { reason: 'QUARANTINED' } });
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'OLD'))).toMatchObject({ code: 'LOT_UNAVAILABLE', details: { reason: 'EXPIRED' } });
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'NONE'))).toMatchObject({ code: 'LOT_UNAVAILABLE', details: { reason: 'NOT_HELD' } });
  });
});
