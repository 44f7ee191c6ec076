// Proves each posting rule refuses a bad request with every problem named by field and worded exactly, and that the asserted ledger-line invariants fail with a message that says which one broke.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import {
  type LossReason,
  allocationMovements,
  linesToMovements,
  movement,
  openingMovements,
  receiptMovements,
  stocktakeDifferences,
  stocktakeMovements,
  transferCancelMovements,
  transferReceiveMovements,
  transferShipMovements,
  warehouseNode,
  writeOffMovements,
} from './core.js';
import { CATEGORIES, d } from './fixtures.js';

function refusal(action: () => unknown): { message: string; problems: unknown[] } {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, problems: error.problems };
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const tent = { category: 'TENT', quantity: d('1') };
const shipment = transferShipMovements({ transferId: 'T1', fromWarehouse: 'A', toWarehouse: 'B', lines: [{ category: 'TENT', quantity: d('10') }, { category: 'WATER', lot: 'L1', quantity: d('5') }] }, CATEGORIES);

describe('document refusals', () => {
  it('receipt: warehouse, source name and source kind together', () => {
    expect(refusal(() => receiptMovements({ warehouse: '', source: { kind: 'X' as 'DONOR', name: ' a' }, lines: [tent] }, CATEGORIES))).toEqual({
      message: 'receipt has 3 problems',
      problems: [
        { field: 'warehouse', value: '', reason: 'must not be empty' },
        { field: 'source.name', value: ' a', reason: 'must not start or end with spaces' },
        { field: 'source.kind', value: 'X', reason: 'must be SUPPLIER or DONOR' },
      ],
    });
  });

  it('receipt and opening need the expiry of a new lot; a write-off and an allocation do not', () => {
    const water = { category: 'WATER', quantity: d('1'), lot: 'L1' };
    expect(refusal(() => receiptMovements({ warehouse: 'A', source: { kind: 'SUPPLIER', name: 'S' }, lines: [water] }, CATEGORIES)).problems).toEqual([
      { field: 'lines[0].expiresOn', value: null, reason: 'category WATER is kept in lots: an expiry date is required' },
    ]);
    expect(refusal(() => openingMovements({ warehouse: 'A', lines: [water] }, CATEGORIES)).message).toBe('opening balance has 1 problem');
    expect(writeOffMovements({ warehouse: 'A', reason: 'DAMAGE', lines: [water] }, CATEGORIES)).toHaveLength(1);
    expect(allocationMovements({ warehouse: 'A', destination: '某县', lines: [water] }, CATEGORIES)).toHaveLength(1);
  });

  it('opening: warehouse and empty lines', () => {
    expect(refusal(() => openingMovements({ warehouse: 'W\n', lines: [] }, CATEGORIES)).problems).toEqual([
      { field: 'warehouse', value: 'W\n', reason: 'must not start or end with spaces' },
      { field: 'lines', value: 0, reason: 'at least one line is required' },
    ]);
  });

  it('write-off: warehouse, reason and lines together', () => {
    expect(refusal(() => writeOffMovements({ warehouse: '', reason: 'THEFT' as LossReason, lines: [{ category: 'WATER', quantity: d('1') }] }, CATEGORIES))).toEqual({
      message: 'write-off has 3 problems',
      problems: [
        { field: 'warehouse', value: '', reason: 'must not be empty' },
        { field: 'reason', value: 'THEFT', reason: 'must be one of DAMAGE, EXPIRY, SHORTFALL, OTHER' },
        { field: 'lines[0].lot', value: null, reason: 'category WATER is kept in lots: a lot is required' },
      ],
    });
  });

  it('allocation: warehouse, destination and lines together', () => {
    expect(refusal(() => allocationMovements({ warehouse: ' A', destination: '', lines: [] }, CATEGORIES))).toEqual({
      message: 'allocation has 3 problems',
      problems: [
        { field: 'warehouse', value: ' A', reason: 'must not start or end with spaces' },
        { field: 'destination', value: '', reason: 'must not be empty' },
        { field: 'lines', value: 0, reason: 'at least one line is required' },
      ],
    });
  });
});

describe('transfer refusals', () => {
  it('shipment: transfer id, both warehouses, same warehouse and a repeated line', () => {
    expect(
      refusal(() => transferShipMovements({ transferId: '', fromWarehouse: 'A', toWarehouse: 'A', lines: [tent, { category: 'TENT', quantity: d('2') }, { category: 'RICE_T', quantity: d('0.5') }] }, CATEGORIES)),
    ).toEqual({
      message: 'transfer shipment has 3 problems',
      problems: [
        { field: 'transferId', value: '', reason: 'must not be empty' },
        { field: 'toWarehouse', value: 'A', reason: 'a transfer must go to another warehouse' },
        { field: 'lines[1]', value: { category: 'TENT', lot: null }, reason: 'the same category and lot appear on an earlier line' },
      ],
    });
    expect(refusal(() => transferShipMovements({ transferId: 'T', fromWarehouse: '', toWarehouse: ' B', lines: [tent] }, CATEGORIES)).problems).toEqual([
      { field: 'fromWarehouse', value: '', reason: 'must not be empty' },
      { field: 'toWarehouse', value: ' B', reason: 'must not start or end with spaces' },
    ]);
  });

  it('a shipment may carry two lots of one category', () => {
    const lines = [
      { category: 'WATER', lot: 'L1', quantity: d('1') },
      { category: 'WATER', lot: 'L2', quantity: d('1') },
    ];
    expect(transferShipMovements({ transferId: 'T', fromWarehouse: 'A', toWarehouse: 'B', lines }, CATEGORIES)).toHaveLength(2);
  });

  it('receipt: the transfer and warehouse first, then every line problem and every unreported line', () => {
    expect(refusal(() => transferReceiveMovements({ transferId: ' ', toWarehouse: '', shipment, lines: [] }, CATEGORIES))).toEqual({
      message: 'transfer receipt has 2 problems',
      problems: [
        { field: 'transferId', value: ' ', reason: 'must not start or end with spaces' },
        { field: 'toWarehouse', value: '', reason: 'must not be empty' },
      ],
    });
    const lines = [
      { category: 'TENT', received: d('6'), damaged: d('5') },
      { category: 'TENT', received: d('1'), damaged: d('0') },
      { category: 'RICE_T', received: d('1'), damaged: d('0') },
    ];
    expect(refusal(() => transferReceiveMovements({ transferId: 'T1', toWarehouse: 'B', shipment, lines }, CATEGORIES))).toEqual({
      message: 'transfer receipt has 4 problems',
      problems: [
        { field: 'lines[0]', value: { received: '6', damaged: '5', shipped: '10' }, reason: 'received plus damaged is more than was shipped' },
        { field: 'lines[1]', value: { category: 'TENT', lot: null }, reason: 'this category and lot were already reported on an earlier line' },
        { field: 'lines[2]', value: { category: 'RICE_T', lot: null }, reason: 'this category and lot were not shipped on this transfer' },
        { field: 'lines', value: { category: 'WATER', lot: 'L1' }, reason: 'a shipped line was not reported; report received 0 if none arrived' },
      ],
    });
  });

  it('receipt: received plus damaged equal to the shipment is accepted, and a bad received count is not compared', () => {
    const settled = transferReceiveMovements(
      { transferId: 'T1', toWarehouse: 'B', shipment, lines: [{ category: 'TENT', received: d('6'), damaged: d('4') }, { category: 'WATER', lot: 'L1', received: d('0'), damaged: d('0') }] },
      CATEGORIES,
    );
    expect(settled.map((m) => [m.category, m.quantity.toString(), m.from.kind, m.to.kind === 'LOSS' ? m.to.reason : m.to.kind, m.expiresOn, m.unitCost])).toEqual([
      ['TENT', '6', 'TRANSIT', 'WH', null, null],
      ['TENT', '4', 'TRANSIT', 'DAMAGE', null, null],
      ['WATER', '5', 'TRANSIT', 'SHORTFALL', null, null],
    ]);
    const bad = refusal(() =>
      transferReceiveMovements({ transferId: 'T1', toWarehouse: 'B', shipment, lines: [{ category: 'TENT', received: d('-1'), damaged: d('20') }, { category: 'WATER', lot: 'L1', received: d('0'), damaged: d('0.5') }] }, CATEGORIES),
    );
    expect(bad.problems).toEqual([
      { field: 'lines[0].received', value: '-1', reason: 'must not be negative' },
      { field: 'lines[1].damaged', value: '0.5', reason: 'category WATER is counted in whole units' },
    ]);
  });

  it('receipt: names a shipped category the rules no longer know', () => {
    const withoutTent = new Map([...CATEGORIES].filter(([code]) => code !== 'TENT'));
    const lines = [
      { category: 'TENT', received: d('10'), damaged: d('0') },
      { category: 'WATER', lot: 'L1', received: d('5'), damaged: d('0') },
    ];
    expect(refusal(() => transferReceiveMovements({ transferId: 'T1', toWarehouse: 'B', shipment, lines }, withoutTent)).problems).toEqual([
      { field: 'lines[0].category', value: 'TENT', reason: 'unknown supply category' },
    ]);
  });

  it('cancellation: transfer and origin named, and an empty shipment asserted', () => {
    expect(refusal(() => transferCancelMovements({ transferId: '', fromWarehouse: '', shipment }))).toEqual({
      message: 'transfer cancellation has 2 problems',
      problems: [
        { field: 'transferId', value: '', reason: 'must not be empty' },
        { field: 'fromWarehouse', value: '', reason: 'must not be empty' },
      ],
    });
    expect(() => transferCancelMovements({ transferId: 'T1', fromWarehouse: 'A', shipment: [] })).toThrow('transfer T1 has no shipment to cancel');
    expect(() => transferCancelMovements({ transferId: 'T2', fromWarehouse: 'A', shipment })).toThrow('shipment line goes to TRANSIT:T1, not TRANSIT:T2');
    expect(() => transferCancelMovements({ transferId: 'T1', fromWarehouse: 'B', shipment })).toThrow('shipment line comes from WH:A, not WH:B');
    expect(() => transferCancelMovements({ transferId: 'T1', fromWarehouse: 'A', shipment: [shipment[0]!, shipment[0]!] })).toThrow('shipment of T1 repeats ["TENT",null]');
  });
});

describe('stocktake refusals', () => {
  it('without categories: negative and non-numeric counts and repeated lines', () => {
    expect(refusal(() => stocktakeDifferences([], [{ category: 'TENT', lot: null, counted: d('-1') }, { category: 'TENT', lot: null, counted: d('NaN') }]))).toEqual({
      message: 'stocktake count has 3 problems',
      problems: [
        { field: 'counts[0].counted', value: '-1', reason: 'must be a decimal number, not negative' },
        { field: 'counts[1]', value: { category: 'TENT', lot: null }, reason: 'this category and lot were already counted on an earlier line' },
        { field: 'counts[1].counted', value: 'NaN', reason: 'must be a decimal number, not negative' },
      ],
    });
    expect(refusal(() => stocktakeDifferences([], [{ category: 'TENT', lot: null, counted: 3 as never }])).problems).toEqual([
      { field: 'counts[0].counted', value: '3', reason: 'must be a decimal number, not negative' },
    ]);
    expect(refusal(() => stocktakeDifferences([], [])).problems).toEqual([{ field: 'counts', value: 0, reason: 'at least one line is required' }]);
  });

  it('with categories: unknown category, scale and lot rules', () => {
    expect(refusal(() => stocktakeDifferences([], [{ category: 'NOPE', lot: null, counted: d('1') }, { category: 'WATER', lot: null, counted: d('1.5') }], CATEGORIES)).problems).toEqual([
      { field: 'counts[0].category', value: 'NOPE', reason: 'unknown supply category' },
      { field: 'counts[1].counted', value: '1.5', reason: 'category WATER is counted in whole units' },
      { field: 'counts[1].lot', value: null, reason: 'category WATER is kept in lots: a lot is required' },
    ]);
  });

  it('counts two lots of one category apart, zero included', () => {
    const differences = stocktakeDifferences(
      [{ category: 'WATER', lot: 'L1', book: d('5') }],
      [
        { category: 'WATER', lot: 'L1', counted: d('0') },
        { category: 'WATER', lot: 'L2', counted: d('2') },
      ],
      CATEGORIES,
    );
    expect(differences.map((x) => [x.lot, x.book.toString(), x.counted.toString(), x.difference.toString()])).toEqual([
      ['L1', '5', '0', '-5'],
      ['L2', '0', '2', '2'],
    ]);
  });

  it('asserts a snapshot with one line per category and lot, and refuses a bad warehouse', () => {
    const twice = [
      { category: 'TENT', lot: null, book: d('1') },
      { category: 'TENT', lot: null, book: d('2') },
    ];
    expect(() => stocktakeDifferences(twice, [{ category: 'TENT', lot: null, counted: d('1') }])).toThrow('snapshot repeats ["TENT",null]');
    expect(refusal(() => stocktakeMovements(' W', []))).toEqual({ message: 'stocktake has 1 problem', problems: [{ field: 'warehouse', value: ' W', reason: 'must not start or end with spaces' }] });
  });
});

describe('ledger line invariants', () => {
  const line = shipment[0]!;

  it('says which invariant broke', () => {
    expect(() => movement({ ...line, quantity: d('-1') })).toThrow('movement quantity must be positive, got -1');
    expect(() => movement({ ...line, quantity: d('Infinity') })).toThrow('got Infinity');
    expect(() => movement({ ...line, quantity: d('0.0001') })).toThrow('movement quantity 0.0001 has too many decimals');
    expect(() => movement({ ...line, unitCost: d('-0.01') })).toThrow('unit cost must be fen-exact and not negative');
    expect(() => movement({ ...line, unitCost: d('0.001') })).toThrow('unit cost must be fen-exact and not negative');
    expect(() => movement({ ...line, unitCost: d('NaN') })).toThrow('unit cost must be fen-exact and not negative');
    expect(() => movement({ ...line, to: line.from })).toThrow('movement from WH:A to itself');
    expect(() => movement({ ...line, expiresOn: '2030-01-01' })).toThrow('an expiry date belongs to a lot');
  });

  it('takes the smallest quantity, a free unit cost and a lot without expiry, and returns a frozen copy', () => {
    const built = movement({ ...line, quantity: d('0.001'), unitCost: d('0'), lot: 'L', expiresOn: null });
    expect(built.quantity.toString()).toBe('0.001');
    expect(built.unitCost!.toString()).toBe('0');
    expect(Object.isFrozen(built)).toBe(true);
  });

  it('fills missing lot, expiry and cost with null', () => {
    expect(linesToMovements([{ category: 'TENT', quantity: d('2') }], warehouseNode('A'), warehouseNode('B'))).toEqual([
      { category: 'TENT', lot: null, expiresOn: null, quantity: d('2'), from: warehouseNode('A'), to: warehouseNode('B'), unitCost: null },
    ]);
  });
});
