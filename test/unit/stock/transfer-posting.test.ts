// Proves a transfer ships into its transit node and leaves it only by receipt (received, damaged, shortfall) or cancellation.
import { describe, expect, it } from 'vitest';
import {
  applyMovements,
  balanceOf,
  checkZeroSum,
  lossNode,
  transferCancelMovements,
  transferReceiveMovements,
  transferShipMovements,
  transitNode,
  warehouseNode,
} from './core.js';
import { CATEGORIES, d, fieldsOf, problemsOf } from './fixtures.js';

const ship = {
  transferId: 'TR-1',
  fromWarehouse: 'WH-A',
  toWarehouse: 'WH-B',
  lines: [
    { category: 'TENT', quantity: d('10') },
    { category: 'WATER', quantity: d('100'), lot: 'W-1', expiresOn: '2026-05-01', unitCost: d('1.50') },
    { category: 'RICE_T', quantity: d('2.000') },
  ],
};
const shipment = transferShipMovements(ship, CATEGORIES);
const transit = transitNode('TR-1');

describe('transferShipMovements', () => {
  it('moves every line from the origin to the transit node', () => {
    expect(shipment.every((l) => l.from.kind === 'WH' && l.from.code === 'WH-A' && l.to.kind === 'TRANSIT' && l.to.transferId === 'TR-1')).toBe(true);
    expect(shipment[1]).toMatchObject({ lot: 'W-1', expiresOn: '2026-05-01', unitCost: d('1.5') });
  });

  it('refuses a transfer to the same warehouse and a repeated category and lot', () => {
    const problems = problemsOf(() => transferShipMovements({ ...ship, toWarehouse: 'WH-A', lines: [...ship.lines, { category: 'TENT', quantity: d('1') }] }, CATEGORIES));
    expect(fieldsOf(problems)).toEqual(['toWarehouse', 'lines[3]']);
  });
});

describe('transferReceiveMovements', () => {
  const receive = (lines: { category: string; lot?: string; received: string; damaged: string }[]) =>
    transferReceiveMovements(
      { transferId: 'TR-1', toWarehouse: 'WH-B', shipment, lines: lines.map((l) => ({ ...l, received: d(l.received), damaged: d(l.damaged) })) },
      CATEGORIES,
    );

  it('splits each line into received, damaged and shortfall and empties the transit node', () => {
    const lines = receive([
      { category: 'TENT', received: '7', damaged: '1' },
      { category: 'WATER', lot: 'W-1', received: '100', damaged: '0' },
      { category: 'RICE_T', received: '0', damaged: '0' },
    ]);
    expect(lines.map((l) => [l.category, l.to, l.quantity.toString()])).toEqual([
      ['TENT', warehouseNode('WH-B'), '7'],
      ['TENT', lossNode('DAMAGE'), '1'],
      ['TENT', lossNode('SHORTFALL'), '2'],
      ['WATER', warehouseNode('WH-B'), '100'],
      ['RICE_T', lossNode('SHORTFALL'), '2'],
    ]);
    expect(lines.every((l) => l.from.kind === 'TRANSIT')).toBe(true);
    expect(lines[3]).toMatchObject({ lot: 'W-1', expiresOn: '2026-05-01', unitCost: d('1.5') });
    const balances = applyMovements(new Map(), [...shipment, ...lines]);
    for (const category of ['TENT', 'WATER', 'RICE_T']) expect(balanceOf(balances, transit, category).isZero()).toBe(true);
    expect(balanceOf(balances, transit, 'WATER', 'W-1').isZero()).toBe(true);
    expect(checkZeroSum(balances).ok).toBe(true);
  });

  it('refuses received plus damaged above what was shipped', () => {
    const problems = problemsOf(() =>
      receive([
        { category: 'TENT', received: '10', damaged: '1' },
        { category: 'WATER', lot: 'W-1', received: '100', damaged: '0' },
        { category: 'RICE_T', received: '2.001', damaged: '0' },
      ]),
    );
    expect(problems).toEqual([
      { field: 'lines[0]', value: { received: '10', damaged: '1', shipped: '10' }, reason: 'received plus damaged is more than was shipped' },
      { field: 'lines[2]', value: { received: '2.001', damaged: '0', shipped: '2' }, reason: 'received plus damaged is more than was shipped' },
    ]);
  });

  it('refuses unshipped, repeated, negative and fractional lines, and shipped lines left unreported, all at once', () => {
    const problems = problemsOf(() =>
      receive([
        { category: 'TENT', received: '9.5', damaged: '-1' },
        { category: 'TENT', received: '1', damaged: '0' },
        { category: 'WATER', lot: 'W-9', received: '1', damaged: '0' },
      ]),
    );
    expect(fieldsOf(problems)).toEqual(['lines[0].received', 'lines[0].damaged', 'lines[1]', 'lines[2]', 'lines', 'lines']);
  });
});

describe('transferCancelMovements', () => {
  it('returns everything in transit to the origin', () => {
    const lines = transferCancelMovements({ transferId: 'TR-1', fromWarehouse: 'WH-A', shipment });
    expect(lines).toEqual(shipment.map((l) => ({ ...l, from: transit, to: warehouseNode('WH-A') })));
    expect(applyMovements(new Map(), [...shipment, ...lines]).size).toBe(0);
  });

  it('asserts when handed a shipment of another transfer or origin', () => {
    expect(() => transferCancelMovements({ transferId: 'TR-2', fromWarehouse: 'WH-A', shipment })).toThrow(/assertion failed/);
    expect(() => transferCancelMovements({ transferId: 'TR-1', fromWarehouse: 'WH-B', shipment })).toThrow(/assertion failed/);
  });
});
