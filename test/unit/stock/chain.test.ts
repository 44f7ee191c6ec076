// Proves the hash chain verifies an untouched ledger and points at the first row after an edit, insertion or deletion.
import { describe, expect, it } from 'vitest';
import {
  GENESIS,
  type RecordedMovement,
  canonicalMovement,
  chainMovements,
  movementHash,
  receiptMovements,
  verifyChain,
} from '../../../src/stock/index.js';
import { CATEGORIES, d } from './fixtures.js';

const lines = receiptMovements(
  {
    warehouse: 'WH-1',
    source: { kind: 'DONOR', name: '某某基金会' },
    lines: [
      { category: 'TENT', quantity: d('10') },
      { category: 'RICE_T', quantity: d('1.25'), unitCost: d('4200') },
      { category: 'WATER', quantity: d('100'), lot: 'W-1', expiresOn: '2026-01-31' },
      { category: 'TENT', quantity: d('5') },
    ],
  },
  CATEGORIES,
);
const recorded: RecordedMovement[] = lines.map((line, index) => ({
  ...line,
  id: `m-${index + 1}`,
  documentId: 'doc-1',
  sequence: index + 1,
  occurredAt: '2025-06-15',
  recordedAt: new Date('2025-06-15T02:03:04.005Z'),
  userId: 'u-7',
  reason: index === 0 ? null : '捐赠入库',
}));
const rows = chainMovements(GENESIS, recorded);

describe('canonicalMovement', () => {
  it('writes decimals at fixed scale so a value read back from the database hashes the same', () => {
    const same = { ...recorded[1]!, quantity: d('1.250'), unitCost: d('4200.00') };
    expect(canonicalMovement(same)).toBe(canonicalMovement(recorded[1]!));
    expect(canonicalMovement(recorded[1]!)).toContain('"1.250"');
    expect(canonicalMovement(recorded[1]!)).toContain('"4200.00"');
    expect(canonicalMovement(recorded[1]!)).toContain('"2025-06-15T02:03:04.005Z"');
  });

  it('changes with every content field', () => {
    const base = canonicalMovement(recorded[2]!);
    const edits: Partial<RecordedMovement>[] = [
      { id: 'x' },
      { documentId: 'x' },
      { sequence: 99 },
      { category: 'X' },
      { lot: 'W-2' },
      { expiresOn: '2026-02-01' },
      { quantity: d('100.001') },
      { unitCost: d('0') },
      { occurredAt: '2025-06-16' },
      { recordedAt: new Date('2025-06-15T02:03:04.006Z') },
      { userId: 'x' },
      { reason: 'x' },
    ];
    for (const edit of edits) expect(canonicalMovement({ ...recorded[2]!, ...edit })).not.toBe(base);
    expect(canonicalMovement({ ...recorded[2]!, from: recorded[2]!.to, to: recorded[2]!.from })).not.toBe(base);
  });

  it('keeps a sub-fen tampering visible instead of rounding it away', () => {
    expect(canonicalMovement({ ...recorded[1]!, unitCost: d('4200.001') })).not.toBe(canonicalMovement(recorded[1]!));
  });
});

describe('verifyChain', () => {
  it('accepts the untouched chain and returns its head', () => {
    expect(rows[0]!.hash).toBe(movementHash(GENESIS, recorded[0]!));
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyChain(rows)).toEqual({ ok: true, checked: 4, lastHash: rows[3]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastHash: GENESIS });
  });

  it('detects an edited quantity at that row', () => {
    const edited = rows.map((row, i) => (i === 1 ? { ...row, quantity: d('12.5') } : row));
    const result = verifyChain(edited);
    expect(result).toMatchObject({ ok: false, checked: 1, lastHash: rows[0]!.hash, firstBroken: { sequence: '2', actual: rows[1]!.hash } });
    expect(result.firstBroken!.expected).not.toBe(rows[1]!.hash);
  });

  it('detects a removed row at the row after it', () => {
    const result = verifyChain(rows.filter((_, i) => i !== 1));
    expect(result).toMatchObject({ ok: false, checked: 1, firstBroken: { sequence: '3', actual: rows[2]!.hash } });
  });

  it('detects an edit that also recomputes the edited row hash', () => {
    const forged = { ...rows[1]!, quantity: d('12.5') };
    const rehashed = rows.map((row, i) => (i === 1 ? { ...forged, hash: movementHash(rows[0]!.hash, forged) } : row));
    expect(verifyChain(rehashed).firstBroken?.sequence).toBe('3');
  });

  it('detects a chain started from another genesis', () => {
    expect(verifyChain(rows, 'f'.repeat(64)).firstBroken?.sequence).toBe('1');
  });

  it('continues a chain verified in pages from the previous page head', () => {
    const first = verifyChain(rows.slice(0, 2));
    expect(verifyChain(rows.slice(2), first.lastHash)).toMatchObject({ ok: true, checked: 2 });
  });

  it('asserts that rows come in sequence order', () => {
    expect(() => verifyChain([rows[0]!, { ...rows[1]!, sequence: 1 }])).toThrow(/sequence order/);
  });
});
