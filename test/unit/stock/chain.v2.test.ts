// Proves the movement/v2 canonical form: every shown field of a movement and of its document changes it, decimals are written in their shortest exact form (so "1.500" and "1.5" agree), nulls and Chinese text are written as JSON, and fixed movements hash to fixed golden values.
import { describe, expect, it } from 'vitest';
import { GENESIS, type StoredDocument, type StoredMovement, canonicalDocumentV2, canonicalMovementV2, movementHashV2 } from './core.js';

const document: StoredDocument = {
  id: '41', type: 'RECEIPT', warehouse: 'WH-1', counterpartWarehouse: null, sourceKind: 'DONATION', sourceName: '某某基金会 "救灾" 专项', reference: 'JZ-2026/001',
  reason: '捐赠入库\n第二行', transferId: null, stocktakeId: null, reversesDocumentId: null, occurredAt: '2026-11-20', createdAt: '2026-12-01T02:03:04.005000Z', userId: '7',
};
const movement: StoredMovement = {
  id: '00000000-0000-4000-8000-000000000001', documentId: '41', line: '1', sequence: '12', category: 'JY-YY-0018', lot: 'W-1', expiresOn: '2027-01-31',
  quantity: '1.250', fromNode: 'DONOR:某某基金会 "救灾" 专项', toNode: 'WH:WH-1', warehouse: 'WH-1', unitCost: '4200.00', occurredAt: '2026-11-20',
  recordedAt: '2026-12-01T02:03:04.005000Z', userId: '7', reason: '捐赠入库\n第二行', warehouseBalance: '101.250', warehousePosition: '3', categoryBalance: '1001.250',
  categoryPosition: '9', document,
};
const bare: StoredMovement = {
  ...movement, id: '00000000-0000-4000-8000-000000000002', line: '2', sequence: '13', lot: null, expiresOn: null, quantity: '7.000', unitCost: null, reason: null,
  fromNode: 'WH:WH-1', toNode: 'LOSS:DAMAGE', warehouseBalance: '0.000', warehousePosition: '4', categoryBalance: '994.250', categoryPosition: '10',
  document: { ...document, type: 'WRITE_OFF', sourceKind: null, sourceName: null, reference: null, reason: null, userId: null },
};

describe('canonicalMovementV2', () => {
  it('writes the documented form: JSON strings or null, the document header last, decimals without trailing zeros', () => {
    expect(canonicalMovementV2(movement)).toBe(
      '["movement/v2","00000000-0000-4000-8000-000000000001","41","1","12","JY-YY-0018","W-1","2027-01-31","1.25","DONOR:某某基金会 \\"救灾\\" 专项","WH:WH-1","WH-1","4200",' +
        '"2026-11-20","2026-12-01T02:03:04.005000Z","7","捐赠入库\\n第二行","101.25","3","1001.25","9",' +
        '["41","RECEIPT","WH-1",null,"DONATION","某某基金会 \\"救灾\\" 专项","JZ-2026/001","捐赠入库\\n第二行",null,null,null,"2026-11-20","2026-12-01T02:03:04.005000Z","7"]]',
    );
    expect(canonicalMovementV2(bare)).toContain('"JY-YY-0018",null,null,"7","WH:WH-1","LOSS:DAMAGE","WH-1",null,');
    expect(canonicalMovementV2(bare)).toContain('"0","4","994.25","10"');
  });

  it('reads a decimal the same with or without trailing zeros, and keeps what is not a decimal as written', () => {
    const trimmed = { ...movement, quantity: '1.25', unitCost: '4200', warehouseBalance: '101.25', categoryBalance: '1001.25' };
    expect(canonicalMovementV2(trimmed)).toBe(canonicalMovementV2(movement));
    expect(canonicalMovementV2({ ...movement, quantity: '1.2500001' })).not.toBe(canonicalMovementV2(movement));
    expect(canonicalMovementV2({ ...movement, quantity: 'NaN?' })).toContain('"NaN?"');
  });

  it('changes with every shown field of the movement', () => {
    const base = canonicalMovementV2(movement);
    const edits: Partial<StoredMovement>[] = [
      { id: 'x' }, { documentId: '42' }, { line: '2' }, { sequence: '13' }, { category: 'X' }, { lot: 'W-2' }, { lot: null }, { expiresOn: '2027-02-01' }, { quantity: '1.251' },
      { fromNode: 'SUPPLIER:x' }, { toNode: 'WH:WH-2' }, { warehouse: null }, { unitCost: null }, { unitCost: '4200.01' }, { occurredAt: '2026-11-21' },
      { recordedAt: '2026-12-01T02:03:04.005001Z' }, { userId: '8' }, { userId: null }, { reason: '正常损耗' }, { warehouseBalance: '102.25' }, { warehousePosition: '4' },
      { categoryBalance: '1002.25' }, { categoryPosition: '8' },
    ];
    for (const edit of edits) expect(canonicalMovementV2({ ...movement, ...edit }), JSON.stringify(edit)).not.toBe(base);
  });

  it('changes with every field of its document header', () => {
    const base = canonicalMovementV2(movement);
    const edits: Partial<StoredDocument>[] = [
      { id: '40' }, { type: 'OPENING' }, { warehouse: 'WH-2' }, { counterpartWarehouse: 'WH-2' }, { sourceKind: 'PROCUREMENT' }, { sourceName: '某某公司' }, { reference: null },
      { reason: '捐赠' }, { transferId: '1' }, { stocktakeId: '1' }, { reversesDocumentId: '1' }, { occurredAt: '2026-11-19' }, { createdAt: '2026-12-01T02:03:04.006000Z' },
      { userId: '8' },
    ];
    for (const edit of edits) expect(canonicalMovementV2({ ...movement, document: { ...document, ...edit } }), JSON.stringify(edit)).not.toBe(base);
    expect(canonicalDocumentV2(document)).not.toBe(canonicalDocumentV2({ ...document, reason: null }));
  });
});

// Golden values: computed once and checked with `printf '%s' "$GENESIS$CANONICAL" | sha256sum`; the
// database's stock_movement_canonical must write the same text (test/db/ledger-hash-v2.test.ts).
describe('golden hashes (movement/v2)', () => {
  it('hashes fixed movements to fixed SHA-256 values, chained from genesis and then from that hash', () => {
    const first = movementHashV2(GENESIS, movement);
    expect(first).toBe('ff15e047b858f4b4597a00c96e9291d148855e0c055e5dc8ac855e6e15cdce2d');
    expect(movementHashV2(first, bare)).toBe('44a39fee6a0faeee7132d8df837f142ef35c8ac7ac2b86b13c86d8b163c572d6');
  });
});
