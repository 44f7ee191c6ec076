// Proves FEFO picking at its boundaries: a request met exactly, a named lot taken whole or expiring today, the ordering rules, the asserted inputs, and the exact refusal messages.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/shared/errors.js';
import { type LotStock, pickLots } from './core.js';
import { d } from './fixtures.js';

const TODAY = '2025-06-15';
const lot = (name: string, expiresOn: string, available: string, status: LotStock['status'] = 'AVAILABLE'): LotStock => ({ lot: name, expiresOn, status, available: d(available) });

function conflictOf(action: () => unknown): ConflictError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConflictError) return error;
    throw error;
  }
  throw new Error('expected a ConflictError');
}

describe('pickLots boundaries', () => {
  it('takes a request equal to all usable stock, with each lot’s expiry, and stops without an empty pick', () => {
    const picks = pickLots(d('70'), [lot('B', '2025-12-01', '40'), lot('A', '2025-09-01', '30'), lot('C', '2026-01-01', '5')], TODAY);
    expect(picks).toEqual([
      { lot: 'A', expiresOn: '2025-09-01', quantity: d('30') },
      { lot: 'B', expiresOn: '2025-12-01', quantity: d('40') },
    ]);
  });

  it('orders by expiry before name, and by code units rather than locale', () => {
    const picks = pickLots(d('3'), [lot('A', '2025-10-01', '1'), lot('b', '2025-09-01', '1'), lot('B', '2025-09-01', '1')], TODAY);
    expect(picks.map((p) => p.lot)).toEqual(['B', 'b', 'A']);
  });

  it('breaks an expiry tie by lot name whatever order the lots come in', () => {
    const names = ['A', 'B', 'C', 'D'];
    const permutations = (items: string[]): string[][] =>
      items.length <= 1 ? [items] : items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
    for (const order of permutations(names)) {
      const lots = order.map((name) => lot(name, '2025-09-01', '1'));
      expect(pickLots(d('4'), lots, TODAY).map((p) => p.lot)).toEqual(names);
    }
  });

  it('names no lot in the details of a FEFO shortfall', () => {
    const error = conflictOf(() => pickLots(d('2'), [lot('A', '2025-09-01', '1')], TODAY));
    expect(Object.keys(error.details as object)).toEqual(['requested', 'available']);
  });

  it('refuses a shortfall by a thousandth, with the message naming requested and usable', () => {
    const error = conflictOf(() => pickLots(d('1.001'), [lot('R', '2025-07-01', '1')], TODAY));
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.message).toBe('requested 1.001 but only 1 available in usable lots');
  });

  it('asserts a positive request and lots named once', () => {
    expect(() => pickLots(d('0'), [], TODAY)).toThrow(/requested quantity must be positive, got 0/);
    expect(() => pickLots(d('-1'), [], TODAY)).toThrow(/must be positive/);
    expect(() => pickLots(d('1'), [lot('A', '2025-09-01', '1'), lot('A', '2025-10-01', '1')], TODAY)).toThrow(/each lot appears once/);
  });
});

describe('pickLots with a named lot, at its boundaries', () => {
  it('takes the whole of a named lot, and one expiring today', () => {
    expect(pickLots(d('30'), [lot('A', '2025-09-01', '30')], TODAY, 'A')).toEqual([{ lot: 'A', expiresOn: '2025-09-01', quantity: d('30') }]);
    expect(pickLots(d('1'), [lot('T', TODAY, '2')], TODAY, 'T')).toEqual([{ lot: 'T', expiresOn: TODAY, quantity: d('1') }]);
  });

  it('words each refusal', () => {
    const lots = [lot('A', '2025-09-01', '30'), lot('E', '2025-09-01', '9', 'EXPIRED'), lot('OLD', '2025-06-14', '9'), lot('NEG', '2025-09-01', '-2')];
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'Z')).message).toBe('lot Z is not held here');
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'E'))).toMatchObject({ message: 'lot E is expired', details: { lot: 'E', reason: 'EXPIRED' } });
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'OLD'))).toMatchObject({
      message: 'lot OLD expired on 2025-06-14',
      details: { lot: 'OLD', reason: 'EXPIRED', expiresOn: '2025-06-14' },
    });
    const short = conflictOf(() => pickLots(d('31'), lots, TODAY, 'A'));
    expect(short).toMatchObject({ code: 'INSUFFICIENT_STOCK', message: 'requested 31 but only 30 available in lot A' });
    expect(conflictOf(() => pickLots(d('1'), lots, TODAY, 'NEG')).details).toEqual({ requested: '1', available: '0', lot: 'NEG' });
  });
});
