// Proves each single-warehouse builder moves the requested lines between the right nodes and refuses bad headers.
import { describe, expect, it } from 'vitest';
import {
  OPENING_NODE,
  type LossReason,
  type MovementLine,
  allocationMovements,
  applyMovements,
  destinationNode,
  donorNode,
  lossNode,
  openingMovements,
  receiptMovements,
  reverseMovements,
  supplierNode,
  warehouseNode,
  writeOffMovements,
} from './core.js';
import { CATEGORIES, d, fieldsOf, problemsOf } from './fixtures.js';

const WH = 'WH-CITY-01';

describe('receiptMovements', () => {
  it('moves procurement from the supplier into the warehouse, keeping lot, expiry and cost', () => {
    const lines = receiptMovements(
      {
        warehouse: WH,
        source: { kind: 'SUPPLIER', name: '某粮油公司' },
        lines: [
          { category: 'RICE_T', quantity: d('1.250'), unitCost: d('4200.00') },
          { category: 'WATER', quantity: d('500'), lot: 'W-2401', expiresOn: '2026-01-31' },
        ],
      },
      CATEGORIES,
    );
    expect(lines).toEqual<MovementLine[]>([
      { category: 'RICE_T', lot: null, expiresOn: null, quantity: d('1.25'), from: supplierNode('某粮油公司'), to: warehouseNode(WH), unitCost: d('4200') },
      { category: 'WATER', lot: 'W-2401', expiresOn: '2026-01-31', quantity: d('500'), from: supplierNode('某粮油公司'), to: warehouseNode(WH), unitCost: null },
    ]);
  });

  it('moves donations from the donor', () => {
    const [line] = receiptMovements({ warehouse: WH, source: { kind: 'DONOR', name: '某某基金会' }, lines: [{ category: 'TENT', quantity: d('20') }] }, CATEGORIES);
    expect(line!.from).toEqual(donorNode('某某基金会'));
  });

  it('refuses a bad warehouse, source and kind together', () => {
    const problems = problemsOf(() =>
      receiptMovements({ warehouse: '', source: { kind: 'BANK' as 'DONOR', name: ' x' }, lines: [{ category: 'TENT', quantity: d('1') }] }, CATEGORIES),
    );
    expect(fieldsOf(problems)).toEqual(['warehouse', 'source.name', 'source.kind']);
  });
});

describe('openingMovements', () => {
  it('brings existing stock in from OPENING and needs expiry for lots', () => {
    const [line] = openingMovements({ warehouse: WH, lines: [{ category: 'WATER', quantity: d('40'), lot: 'W-1', expiresOn: '2027-06-30' }] }, CATEGORIES);
    expect(line!.from).toEqual(OPENING_NODE);
    expect(line!.to).toEqual(warehouseNode(WH));
    expect(fieldsOf(problemsOf(() => openingMovements({ warehouse: WH, lines: [{ category: 'WATER', quantity: d('40'), lot: 'W-1' }] }, CATEGORIES)))).toEqual([
      'lines[0].expiresOn',
    ]);
  });
});

describe('writeOffMovements', () => {
  it.each<LossReason>(['DAMAGE', 'EXPIRY', 'SHORTFALL', 'OTHER'])('moves stock to LOSS:%s', (reason) => {
    const [line] = writeOffMovements({ warehouse: WH, reason, lines: [{ category: 'WATER', quantity: d('3'), lot: 'W-1' }] }, CATEGORIES);
    expect(line).toMatchObject({ from: warehouseNode(WH), to: lossNode(reason), lot: 'W-1', expiresOn: null });
  });

  it('refuses an unknown reason and a tracked line without its lot', () => {
    const problems = problemsOf(() => writeOffMovements({ warehouse: WH, reason: 'THEFT' as LossReason, lines: [{ category: 'WATER', quantity: d('3') }] }, CATEGORIES));
    expect(fieldsOf(problems)).toEqual(['reason', 'lines[0].lot']);
  });
});

describe('allocationMovements', () => {
  it('sends stock to the destination', () => {
    const lines = allocationMovements(
      { warehouse: WH, destination: '某县防汛指挥部', lines: [{ category: 'TENT', quantity: d('300') }, { category: 'WATER', quantity: d('1200'), lot: 'W-1', expiresOn: '2026-01-31' }] },
      CATEGORIES,
    );
    expect(lines.map((l) => [l.from, l.to, l.quantity.toString()])).toEqual([
      [warehouseNode(WH), destinationNode('某县防汛指挥部'), '300'],
      [warehouseNode(WH), destinationNode('某县防汛指挥部'), '1200'],
    ]);
  });

  it('refuses a missing destination', () => {
    expect(fieldsOf(problemsOf(() => allocationMovements({ warehouse: WH, destination: '', lines: [{ category: 'TENT', quantity: d('1') }] }, CATEGORIES)))).toEqual([
      'destination',
    ]);
  });
});

describe('reverseMovements', () => {
  const original = receiptMovements(
    {
      warehouse: WH,
      source: { kind: 'SUPPLIER', name: 'S' },
      lines: [
        { category: 'RICE_T', quantity: d('1.250'), unitCost: d('4200.00') },
        { category: 'WATER', quantity: d('500'), lot: 'W-2401', expiresOn: '2026-01-31', unitCost: d('1.20') },
      ],
    },
    CATEGORIES,
  );

  it('swaps from and to and keeps everything else', () => {
    const reversal = reverseMovements(original);
    expect(reversal).toEqual(original.map((line) => ({ ...line, from: line.to, to: line.from })));
  });

  it('undoes the original: applying both leaves no balance', () => {
    expect(applyMovements(new Map(), [...original, ...reverseMovements(original)]).size).toBe(0);
  });

  it('reversed twice is the original', () => {
    expect(reverseMovements(reverseMovements(original))).toEqual(original);
  });
});
