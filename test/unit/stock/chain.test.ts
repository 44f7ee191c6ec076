// Proves movements hash to fixed golden values, and the hash chain verifies an untouched ledger and points at the first row after an edit, insertion or deletion.
import { describe, expect, it } from 'vitest';
import {
  GENESIS,
  type RecordedMovement,
  canonicalMovement,
  chainMovements,
  donorNode,
  movementHash,
  receiptMovements,
  verifyChain,
  warehouseNode,
} from './core.js';
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

// Golden values: computed once and checked with `printf '%s' "$GENESIS$CANONICAL" | sha256sum`, so any
// change in how a movement is written out or hashed fails here, not silently in a stored chain.
describe('golden hashes', () => {
  const fixedMovement: RecordedMovement = {
    id: 'm-2',
    documentId: 'doc-1',
    sequence: 2,
    category: 'RICE_T',
    lot: 'W-1',
    expiresOn: '2026-01-31',
    quantity: d('1.25'),
    from: donorNode('某某基金会'),
    to: warehouseNode('WH-1'),
    unitCost: d('4200'),
    occurredAt: '2025-06-15',
    recordedAt: new Date('2025-06-15T02:03:04.005Z'),
    userId: 'u-7',
    reason: '捐赠入库',
  };
  const bareMovement: RecordedMovement = { ...fixedMovement, id: 'm-3', sequence: 3n, lot: null, expiresOn: null, quantity: d('7'), unitCost: null, reason: null };

  it('writes the documented canonical form: a JSON array of every content field at fixed scale', () => {
    expect(canonicalMovement(fixedMovement)).toBe(
      '["movement/v1","m-2","doc-1","2","RICE_T","W-1","2026-01-31","1.250","DONOR:某某基金会","WH:WH-1","4200.00","2025-06-15","2025-06-15T02:03:04.005Z","u-7","捐赠入库"]',
    );
    expect(canonicalMovement(bareMovement)).toBe(
      '["movement/v1","m-3","doc-1","3","RICE_T",null,null,"7.000","DONOR:某某基金会","WH:WH-1",null,"2025-06-15","2025-06-15T02:03:04.005Z","u-7",null]',
    );
  });

  it('hashes a fixed movement to a fixed SHA-256, chained from genesis and then from that hash', () => {
    expect(GENESIS).toBe('0000000000000000000000000000000000000000000000000000000000000000');
    expect(movementHash(GENESIS, fixedMovement)).toBe('7ab4ca0561edb21710695b0f5208bd3a5ef7dc17accc623287c0124979e2b85b');
    expect(chainMovements(GENESIS, [fixedMovement, bareMovement]).map((row) => row.hash)).toEqual([
      '7ab4ca0561edb21710695b0f5208bd3a5ef7dc17accc623287c0124979e2b85b',
      'cec63fc951e93ca70d9f21c0d3ff6c4a07bc3b261e4ca6be0b651efc7dd11e3b',
    ]);
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
