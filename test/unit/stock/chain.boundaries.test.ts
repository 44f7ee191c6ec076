// Proves the chain's edge cases: a tampered quantity with more decimals than its column is written out exactly, sequence gaps are allowed but not repeats, and chaining keeps every field of the row.
import { describe, expect, it } from 'vitest';
import { GENESIS, type RecordedMovement, canonicalMovement, chainMovements, verifyChain, warehouseNode, donorNode } from './core.js';
import { d } from './fixtures.js';

const base: RecordedMovement = {
  id: 'm-1',
  documentId: 'doc-1',
  sequence: 1,
  category: 'RICE_T',
  lot: null,
  expiresOn: null,
  quantity: d('2'),
  from: donorNode('D'),
  to: warehouseNode('WH-1'),
  unitCost: d('3.5'),
  occurredAt: '2025-06-15',
  recordedAt: new Date('2025-06-15T00:00:00.000Z'),
  userId: 'u-1',
  reason: null,
};
const fields = (m: RecordedMovement) => JSON.parse(canonicalMovement(m)) as (string | null)[];

describe('canonical decimals', () => {
  it('writes a column-scale value at the column scale, and a tampered longer one exactly', () => {
    expect(fields(base).slice(7, 11)).toEqual(['2.000', 'DONOR:D', 'WH:WH-1', '3.50']);
    expect(fields({ ...base, quantity: d('1.2505'), unitCost: d('3.505') })[7]).toBe('1.2505');
    expect(fields({ ...base, quantity: d('1.2505'), unitCost: d('3.505') })[10]).toBe('3.505');
    expect(fields({ ...base, quantity: d('1.125') })[7]).toBe('1.125');
    expect(fields({ ...base, unitCost: d('3.55') })[10]).toBe('3.55');
  });
});

describe('chain order', () => {
  const rows = chainMovements(GENESIS, [base, { ...base, id: 'm-2', sequence: 5n }, { ...base, id: 'm-3', sequence: 6 }]);

  it('keeps every field of the movement beside its hash', () => {
    const { hash, ...rest } = rows[1]!;
    expect(rest).toEqual({ ...base, id: 'm-2', sequence: 5n });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(3);
  });

  it('accepts gaps in the sequence and reports the head', () => {
    expect(verifyChain(rows)).toEqual({ ok: true, checked: 3, lastHash: rows[2]!.hash });
  });

  it('accepts a chain whose first sequence is 0', () => {
    const fromZero = chainMovements(GENESIS, [{ ...base, sequence: 0 }, { ...base, id: 'm-2', sequence: 1 }]);
    expect(verifyChain(fromZero)).toEqual({ ok: true, checked: 2, lastHash: fromZero[1]!.hash });
  });

  it('asserts that no sequence repeats or goes back', () => {
    expect(() => verifyChain([rows[0]!, rows[0]!])).toThrow('rows must come in sequence order (1 after 1)');
    expect(() => verifyChain([rows[1]!, rows[0]!], rows[0]!.hash)).toThrow('rows must come in sequence order (1 after 5)');
  });

  it('reports the break at the first bad row with what it expected and found', () => {
    const broken = rows.map((row, i) => (i === 2 ? { ...row, hash: 'f'.repeat(64) } : row));
    const result = verifyChain(broken);
    expect(result).toEqual({ ok: false, checked: 2, lastHash: rows[1]!.hash, firstBroken: { sequence: '6', expected: rows[2]!.hash, actual: 'f'.repeat(64) } });
  });
});
