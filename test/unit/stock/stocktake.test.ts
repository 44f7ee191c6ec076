// Proves stocktake differences are counted − book at the snapshot, and that posting them keeps movements made after the snapshot.
import { describe, expect, it } from 'vitest';
import {
  STOCKTAKE_NODE,
  applyMovements,
  balanceOf,
  receiptMovements,
  stocktakeDifferences,
  stocktakeMovements,
  warehouseNode,
} from './core.js';
import { CATEGORIES, d, fieldsOf, problemsOf } from './fixtures.js';

const snapshot = [
  { category: 'TENT', lot: null, book: d('100') },
  { category: 'WATER', lot: 'W-1', book: d('40') },
  { category: 'RICE_T', lot: null, book: d('2.500') },
];
const shown = (lines: ReturnType<typeof stocktakeDifferences>) => lines.map((l) => [l.category, l.lot, l.book.toString(), l.counted.toString(), l.difference.toString()]);

describe('stocktakeDifferences', () => {
  it('compares counts with the snapshot, leaves uncounted lines alone and gives unknown lots book 0', () => {
    const lines = stocktakeDifferences(snapshot, [
      { category: 'TENT', lot: null, counted: d('97') },
      { category: 'WATER', lot: 'W-2', counted: d('6') },
      { category: 'RICE_T', lot: null, counted: d('2.500') },
    ]);
    expect(shown(lines)).toEqual([
      ['TENT', null, '100', '97', '-3'],
      ['WATER', 'W-2', '0', '6', '6'],
      ['RICE_T', null, '2.5', '2.5', '0'],
    ]);
  });

  it('refuses repeated and negative counts', () => {
    const counts = [
      { category: 'TENT', lot: null, counted: d('1') },
      { category: 'TENT', lot: null, counted: d('-1') },
    ];
    expect(fieldsOf(problemsOf(() => stocktakeDifferences(snapshot, counts)))).toEqual(['counts[1]', 'counts[1].counted']);
  });

  it('checks scale and lot rules when given the categories', () => {
    const counts = [
      { category: 'TENT', lot: null, counted: d('1.5') },
      { category: 'WATER', lot: null, counted: d('3') },
      { category: 'NOPE', lot: null, counted: d('3') },
    ];
    expect(fieldsOf(problemsOf(() => stocktakeDifferences(snapshot, counts, CATEGORIES)))).toEqual(['counts[0].counted', 'counts[1].lot', 'counts[2].category']);
  });
});

describe('stocktakeMovements', () => {
  it('brings gains in from STOCKTAKE, sends losses out to it and posts nothing for a match', () => {
    const lines = stocktakeMovements('WH-1', [
      { category: 'TENT', lot: null, book: d('100'), counted: d('97'), difference: d('-3') },
      { category: 'WATER', lot: 'W-2', book: d('0'), counted: d('6'), difference: d('6') },
      { category: 'RICE_T', lot: null, book: d('2.5'), counted: d('2.5'), difference: d('0') },
    ]);
    expect(lines.map((l) => [l.category, l.from, l.to, l.quantity.toString()])).toEqual([
      ['TENT', warehouseNode('WH-1'), STOCKTAKE_NODE, '3'],
      ['WATER', STOCKTAKE_NODE, warehouseNode('WH-1'), '6'],
    ]);
  });

  it('keeps a receipt made while counting: the difference is added to the current balance', () => {
    const shelf = warehouseNode('WH-1');
    const opening = receiptMovements({ warehouse: 'WH-1', source: { kind: 'SUPPLIER', name: 'S' }, lines: [{ category: 'TENT', quantity: d('100') }] }, CATEGORIES);
    const book = applyMovements(new Map(), opening);
    const frozen = [{ category: 'TENT', lot: null, book: balanceOf(book, shelf, 'TENT') }];
    // 20 more tents arrive while the count is going on; the counters counted 97 of the 100 on the shelf at the snapshot.
    const during = receiptMovements({ warehouse: 'WH-1', source: { kind: 'SUPPLIER', name: 'S' }, lines: [{ category: 'TENT', quantity: d('20') }] }, CATEGORIES);
    const current = applyMovements(book, during);
    const differences = stocktakeDifferences(frozen, [{ category: 'TENT', lot: null, counted: d('97') }]);
    const after = applyMovements(current, stocktakeMovements('WH-1', differences));
    expect(balanceOf(after, shelf, 'TENT').toString()).toBe('117');
  });
});
