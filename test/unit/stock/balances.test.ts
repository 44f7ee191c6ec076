// Proves the balance projection nets each (node, category, lot) and that the zero-sum check, given hand-written rows, names exactly the categories that do not net to zero.
import { describe, expect, it } from 'vitest';
import {
  type Balance,
  OPENING_NODE,
  applyMovements,
  balanceKey,
  balanceOf,
  checkZeroSum,
  movement,
  openingMovements,
  reverseMovements,
  warehouseNode,
  writeOffMovements,
} from './core.js';
import { CATEGORIES, d } from './fixtures.js';

const shelf = warehouseNode('WH-1');
const opening = openingMovements(
  {
    warehouse: 'WH-1',
    lines: [
      { category: 'WATER', quantity: d('10'), lot: 'W-1', expiresOn: '2026-01-01' },
      { category: 'WATER', quantity: d('4'), lot: 'W-2', expiresOn: '2026-02-01' },
      { category: 'RICE_T', quantity: d('1.5') },
    ],
  },
  CATEGORIES,
);

describe('applyMovements', () => {
  it('keeps one balance per node, category and lot', () => {
    const balances = applyMovements(new Map(), opening);
    expect(balanceOf(balances, shelf, 'WATER', 'W-1').toString()).toBe('10');
    expect(balanceOf(balances, shelf, 'WATER', 'W-2').toString()).toBe('4');
    expect(balanceOf(balances, OPENING_NODE, 'WATER', 'W-1').toString()).toBe('-10');
    expect(balanceOf(balances, shelf, 'RICE_T').toString()).toBe('1.5');
    expect(balanceOf(balances, shelf, 'WATER').toString()).toBe('0');
  });

  it('leaves its input untouched and drops balances that net to zero', () => {
    const before = applyMovements(new Map(), opening);
    const writeOff = writeOffMovements({ warehouse: 'WH-1', reason: 'EXPIRY', lines: [{ category: 'WATER', quantity: d('10'), lot: 'W-1' }] }, CATEGORIES);
    const after = applyMovements(before, writeOff);
    expect(balanceOf(before, shelf, 'WATER', 'W-1').toString()).toBe('10');
    expect(after.has(balanceKey(shelf, 'WATER', 'W-1'))).toBe(false);
  });

  it('returns to the balances it started from after a reversal', () => {
    const start = applyMovements(new Map(), opening);
    const extra = writeOffMovements({ warehouse: 'WH-1', reason: 'DAMAGE', lines: [{ category: 'RICE_T', quantity: d('0.25') }] }, CATEGORIES);
    expect(applyMovements(start, [...extra, ...reverseMovements(extra)])).toEqual(start);
  });
});

describe('checkZeroSum', () => {
  // Rows written out by hand, as a balance query would return them, not derived from movements (which
  // balance by construction): the check must add per category across nodes and lots, and nothing else.
  const row = (node: Balance['node'], category: string, lot: string | null, quantity: string): Balance => ({ node, category, lot, quantity: d(quantity) });

  it('accepts categories that cancel across nodes and lots, whatever the other categories hold', () => {
    const rows = [
      row(shelf, 'WATER', 'W-1', '10'),
      row(warehouseNode('WH-2'), 'WATER', 'W-2', '4'),
      row(OPENING_NODE, 'WATER', 'W-1', '-14'),
      row(shelf, 'RICE_T', null, '1.5'),
      row(OPENING_NODE, 'RICE_T', null, '-1.5'),
    ];
    expect(checkZeroSum(rows)).toEqual({ ok: true, unbalanced: [] });
    expect(checkZeroSum([])).toEqual({ ok: true, unbalanced: [] });
  });

  it('names each category that does not cancel, sorted by code, even when the errors cancel between categories', () => {
    const rows = [
      row(shelf, 'WATER', 'W-1', '10'),
      row(OPENING_NODE, 'WATER', 'W-1', '-9'),
      row(shelf, 'TENT', null, '5'),
      row(OPENING_NODE, 'TENT', null, '-6'),
      row(shelf, 'RICE_T', null, '0.001'),
    ];
    expect(checkZeroSum(rows)).toEqual({
      ok: false,
      unbalanced: [
        { category: 'RICE_T', total: d('0.001') },
        { category: 'TENT', total: d('-1') },
        { category: 'WATER', total: d('1') },
      ],
    });
  });

  it('names a category whose balances do not cancel, as a database check would find it', () => {
    const rows = [...applyMovements(new Map(), opening).values()].filter((b) => !(b.node.kind === 'OPENING' && b.lot === 'W-2'));
    expect(checkZeroSum(rows)).toEqual({ ok: false, unbalanced: [{ category: 'WATER', total: d('4') }] });
    const map = new Map(rows.map((b) => [balanceKey(b.node, b.category, b.lot), b]));
    expect(checkZeroSum(map)).toEqual({ ok: false, unbalanced: [{ category: 'WATER', total: d('4') }] });
  });
});

describe('movement', () => {
  it('asserts the invariants of a ledger line', () => {
    const line = opening[0]!;
    expect(() => movement({ ...line, quantity: d('0') })).toThrow(/assertion failed/);
    expect(() => movement({ ...line, quantity: d('0.0001') })).toThrow(/assertion failed/);
    expect(() => movement({ ...line, to: line.from })).toThrow(/assertion failed/);
    expect(() => movement({ ...line, lot: null })).toThrow(/assertion failed/);
  });
});
