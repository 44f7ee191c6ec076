// Proves that any sequence of generated documents keeps every category zero-sum across nodes, settles transfers exactly, and can be reversed to nothing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../src/shared/decimal.js';
import {
  LOSS_REASONS,
  type Balance,
  type CategoryRule,
  type LineInput,
  type MovementLine,
  allocationMovements,
  applyMovements,
  balanceOf,
  checkZeroSum,
  openingMovements,
  receiptMovements,
  reverseMovements,
  stocktakeDifferences,
  stocktakeMovements,
  transferCancelMovements,
  transferReceiveMovements,
  transferShipMovements,
  transitNode,
  writeOffMovements,
} from '../../../src/stock/index.js';
import { CATEGORIES } from './fixtures.js';

const WAREHOUSES = ['WH-A', 'WH-B', 'WH-C'];
const RULES = [...CATEGORIES.values()];

const lineArb: fc.Arbitrary<LineInput> = fc
  .record({ rule: fc.constantFrom(...RULES), units: fc.integer({ min: 1, max: 2_000_000 }), lot: fc.constantFrom('L1', 'L2', 'L3') })
  .map(({ rule, units, lot }) => ({
    category: rule.code,
    quantity: new Decimal(units).div(new Decimal(10).pow(rule.scale)),
    ...(rule.lotTracked ? { lot, expiresOn: '2030-01-31' } : {}),
  }));
const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 5 });
const warehouseArb = fc.constantFrom(...WAREHOUSES);

const documentArb = fc.oneof(
  fc.record({ type: fc.constant('RECEIPT' as const), wh: warehouseArb, donor: fc.boolean(), lines: linesArb }),
  fc.record({ type: fc.constant('OPENING' as const), wh: warehouseArb, lines: linesArb }),
  fc.record({ type: fc.constant('WRITE_OFF' as const), wh: warehouseArb, reason: fc.constantFrom(...LOSS_REASONS), lines: linesArb }),
  fc.record({ type: fc.constant('ALLOCATION' as const), wh: warehouseArb, destination: fc.constantFrom('某县', '防疫点'), lines: linesArb }),
  fc.record({ type: fc.constant('SHIP' as const), from: fc.nat(2), hop: fc.integer({ min: 1, max: 2 }), lines: linesArb }),
  fc.record({ type: fc.constant('SETTLE' as const), pick: fc.nat(), cancel: fc.boolean(), received: fc.nat(4), damaged: fc.nat(4) }),
  fc.record({ type: fc.constant('STOCKTAKE' as const), wh: warehouseArb, counts: linesArb, zeroFirst: fc.boolean() }),
  fc.record({ type: fc.constant('REVERSE' as const), pick: fc.nat() }),
);
type Doc = typeof documentArb extends fc.Arbitrary<infer T> ? T : never;

interface OpenTransfer {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly shipment: MovementLine[];
}

interface Ledger {
  balances: Map<string, Balance>;
  documents: MovementLine[][];
  open: OpenTransfer[];
  settled: string[];
  transfers: number;
}

const keyOf = (line: { category: string; lot?: string | null }) => `${line.category}|${line.lot ?? ''}`;
const uniqueByKey = <T extends { category: string; lot?: string | null }>(lines: T[]): T[] => [...new Map(lines.map((l) => [keyOf(l), l])).values()];
const fraction = (quantity: Decimal, quarters: number, rule: CategoryRule) => quantity.mul(quarters).div(4).toDecimalPlaces(rule.scale, Decimal.ROUND_DOWN);

function settle(ledger: Ledger, doc: Extract<Doc, { type: 'SETTLE' }>): MovementLine[] {
  if (ledger.open.length === 0) return [];
  const [transfer] = ledger.open.splice(doc.pick % ledger.open.length, 1);
  const { id, from, to, shipment } = transfer!;
  ledger.settled.push(id);
  if (doc.cancel) return transferCancelMovements({ transferId: id, fromWarehouse: from, shipment });
  const lines = shipment.map((line) => {
    const rule = CATEGORIES.get(line.category)!;
    const received = fraction(line.quantity, doc.received, rule);
    return { category: line.category, lot: line.lot, received, damaged: fraction(line.quantity.minus(received), doc.damaged, rule) };
  });
  return transferReceiveMovements({ transferId: id, toWarehouse: to, shipment, lines }, CATEGORIES);
}

function stocktake(ledger: Ledger, doc: Extract<Doc, { type: 'STOCKTAKE' }>): MovementLine[] {
  const snapshot = [...ledger.balances.values()]
    .filter((b) => b.node.kind === 'WH' && b.node.code === doc.wh)
    .map((b) => ({ category: b.category, lot: b.lot, book: b.quantity }));
  const counts = uniqueByKey(doc.counts).map((line, i) => ({ category: line.category, lot: line.lot ?? null, counted: doc.zeroFirst && i === 0 ? new Decimal(0) : line.quantity }));
  return stocktakeMovements(doc.wh, stocktakeDifferences(snapshot, counts, CATEGORIES));
}

function post(ledger: Ledger, doc: Doc): MovementLine[] {
  switch (doc.type) {
    case 'RECEIPT':
      return receiptMovements({ warehouse: doc.wh, source: { kind: doc.donor ? 'DONOR' : 'SUPPLIER', name: '某公司' }, lines: doc.lines }, CATEGORIES);
    case 'OPENING':
      return openingMovements({ warehouse: doc.wh, lines: doc.lines }, CATEGORIES);
    case 'WRITE_OFF':
      return writeOffMovements({ warehouse: doc.wh, reason: doc.reason, lines: doc.lines }, CATEGORIES);
    case 'ALLOCATION':
      return allocationMovements({ warehouse: doc.wh, destination: doc.destination, lines: doc.lines }, CATEGORIES);
    case 'SHIP': {
      const from = WAREHOUSES[doc.from]!;
      const to = WAREHOUSES[(doc.from + doc.hop) % WAREHOUSES.length]!;
      const id = `TR-${(ledger.transfers += 1)}`;
      const shipment = transferShipMovements({ transferId: id, fromWarehouse: from, toWarehouse: to, lines: uniqueByKey(doc.lines) }, CATEGORIES);
      ledger.open.push({ id, from, to, shipment });
      return shipment;
    }
    case 'SETTLE':
      return settle(ledger, doc);
    case 'STOCKTAKE':
      return stocktake(ledger, doc);
    case 'REVERSE': {
      // Transfer documents are settled by receipt or cancellation, never reversed, so only others are picked.
      const reversible = ledger.documents.filter((lines) => lines.every((l) => l.from.kind !== 'TRANSIT' && l.to.kind !== 'TRANSIT'));
      return reversible.length === 0 ? [] : reverseMovements(reversible[doc.pick % reversible.length]!);
    }
  }
}

describe('ledger properties', () => {
  it('keeps every category zero-sum after every document, and settled transfers leave nothing in transit', () => {
    fc.assert(
      fc.property(fc.array(documentArb, { maxLength: 40 }), (docs) => {
        const ledger: Ledger = { balances: new Map(), documents: [], open: [], settled: [], transfers: 0 };
        for (const doc of docs) {
          const lines = post(ledger, doc);
          if (lines.length > 0) ledger.documents.push(lines);
          ledger.balances = applyMovements(ledger.balances, lines);
          expect(checkZeroSum(ledger.balances)).toEqual({ ok: true, unbalanced: [] });
        }
        for (const id of ledger.settled) {
          expect([...ledger.balances.values()].filter((b) => b.node.kind === 'TRANSIT' && b.node.transferId === id)).toEqual([]);
        }
        for (const transfer of ledger.open) {
          for (const line of transfer.shipment) expect(balanceOf(ledger.balances, transitNode(transfer.id), line.category, line.lot)).toEqual(line.quantity);
        }
        const undone = applyMovements(ledger.balances, ledger.documents.reverse().flatMap(reverseMovements));
        expect(undone.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
