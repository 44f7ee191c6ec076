// Proves kit scaling rounds every line up to its category's scale (never down: no one goes without) and that a kit's own problems are named per line.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { kitProblems, mergeDemands, scaleKit } from '../../../src/allocation/index.js';

const kit = { code: 'FLOOD-100', version: 1, name: '防汛安置包', per: 100, lines: [{ category: 'TENT', quantity: new Decimal(10) }, { category: 'RICE', quantity: new Decimal('0.125') }] };
const scales: Record<string, number> = { TENT: 0, RICE: 3 };

describe('scaleKit', () => {
  it('scales per people and rounds each line up to its scale', () => {
    const lines = scaleKit(kit, 150, (c) => scales[c]!);
    expect(lines.map((l) => `${l.category}:${l.quantity.toString()}`)).toEqual(['TENT:15', 'RICE:0.188']);
    expect(scaleKit(kit, 1, (c) => scales[c]!).map((l) => l.quantity.toString())).toEqual(['1', '0.002']);
    expect(scaleKit(kit, 100, (c) => scales[c]!).map((l) => l.quantity.toString())).toEqual(['10', '0.125']);
  });

  it('merges lines of the same category', () => {
    const merged = mergeDemands([{ category: 'A', quantity: new Decimal(1) }, { category: 'B', quantity: new Decimal(2) }, { category: 'A', quantity: new Decimal('0.5') }]);
    expect(merged.map((l) => `${l.category}:${l.quantity.toString()}`)).toEqual(['A:1.5', 'B:2']);
  });

  it('names a repeated category, a zero quantity and a bad per', () => {
    const problems = kitProblems({ per: 0, lines: [{ category: 'A', quantity: new Decimal(1) }, { category: 'A', quantity: new Decimal(0) }] });
    expect(problems.map((p) => p.field)).toEqual(['per', 'lines[1].category', 'lines[1].quantity']);
  });
});
