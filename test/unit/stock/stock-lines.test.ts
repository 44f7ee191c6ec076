// Proves the request-side helpers of the ledger services: outgoing lines may leave the lot to FEFO, repeated lines and lot picks are handled, Excel dates are read, and every movement has at most one warehouse side.
import { describe, expect, it } from 'vitest';
import { lossNode, supplierNode, transitNode, warehouseNode } from './core.js';
import { warehouseSide } from '../../../src/stock/posting/ledger.post.js';
import { mergeByLot } from '../../../src/stock/posting/lots.picking.js';
import { normaliseDate } from '../../../src/stock/imports/opening.import.js';
import { collect, outgoingLineProblems, repeatedLineProblems } from '../../../src/stock/posting/stock.lines.js';
import { receiptMovements } from '../../../src/stock/core/posting.js';
import { CATEGORIES, d, fieldsOf } from './fixtures.js';

describe('outgoing lines', () => {
  it('let a lot-tracked line leave its lot to first-expiring-first-out, but check everything else', () => {
    expect(outgoingLineProblems([{ category: 'WATER', quantity: d('5') }], CATEGORIES)).toEqual([]);
    const problems = outgoingLineProblems(
      [
        { category: 'TENT', quantity: d('1.5') },
        { category: 'TENT', quantity: d('1'), lot: 'L1' },
        { category: 'WATER', quantity: d('1'), lot: 'W1', expiresOn: '2030-01-01' },
        { category: 'NOPE', quantity: d('1') },
        { category: 'RICE_T', quantity: d('0') },
      ],
      CATEGORIES,
    );
    expect(fieldsOf(problems)).toEqual(['lines[0].quantity', 'lines[1].lot', 'lines[2].expiresOn', 'lines[3].category', 'lines[4].quantity']);
  });

  it('finds the same category and lot repeated, naming the later line', () => {
    const problems = repeatedLineProblems([{ category: 'TENT' }, { category: 'WATER', lot: 'A' }, { category: 'WATER', lot: 'B' }, { category: 'TENT', lot: null }]);
    expect(fieldsOf(problems)).toEqual(['lines[3]']);
  });

  it('merges picks of the same lot, keeping the unit cost only when the picks agree', () => {
    const merged = mergeByLot([
      { category: 'WATER', lot: 'A', quantity: d('3'), unitCost: d('2.50') },
      { category: 'WATER', lot: 'B', quantity: d('1') },
      { category: 'WATER', lot: 'A', quantity: d('2'), unitCost: d('2.5') },
      { category: 'TENT', quantity: d('1'), unitCost: d('100') },
      { category: 'TENT', quantity: d('1'), unitCost: d('120') },
    ]);
    expect(merged.map((l) => [l.category, l.lot ?? null, l.quantity.toString(), l.unitCost?.toString() ?? null])).toEqual([
      ['WATER', 'A', '5', '2.5'],
      ['WATER', 'B', '1', null],
      ['TENT', null, '2', null],
    ]);
  });

  it('collect gathers a builder’s problems instead of throwing, and passes other errors on', () => {
    const problems: { field?: string }[] = [];
    expect(collect(problems as never, () => receiptMovements({ warehouse: 'W', source: { kind: 'SUPPLIER', name: 'S' }, lines: [{ category: 'TENT', quantity: d('0.5') }] }, CATEGORIES))).toBeNull();
    expect(fieldsOf(problems as never)).toEqual(['lines[0].quantity']);
    expect(() => collect([], () => { throw new Error('bug'); })).toThrow('bug');
  });
});

describe('dates from spreadsheets', () => {
  it('reads 2027/6/30, 2027-6-30 and 2027.06.30 as 2027-06-30 and refuses impossible dates', () => {
    expect(['2027/6/30', '2027-6-30', '2027.06.30', '2027-06-30'].map(normaliseDate)).toEqual(Array(4).fill('2027-06-30'));
    expect(['2027-02-30', '30/6/2027', '2027-13-01', ''].map(normaliseDate)).toEqual([null, null, null, null]);
  });
});

describe('warehouse side of a movement', () => {
  it('is the receiving warehouse (+), the giving one (−), or none between virtual nodes', () => {
    const base = { category: 'TENT', lot: null, expiresOn: null, quantity: d('1'), unitCost: null };
    expect(warehouseSide({ ...base, from: supplierNode('S'), to: warehouseNode('W1') })).toEqual({ warehouse: 'W1', sign: 1 });
    expect(warehouseSide({ ...base, from: warehouseNode('W1'), to: transitNode('7') })).toEqual({ warehouse: 'W1', sign: -1 });
    expect(warehouseSide({ ...base, from: transitNode('7'), to: lossNode('SHORTFALL') })).toBeNull();
    expect(() => warehouseSide({ ...base, from: warehouseNode('W1'), to: warehouseNode('W2') })).toThrow(/TRANSIT/);
  });
});
