// Proves, for random document sequences that never take more from a warehouse than it holds, that the posting rules and the balance projection agree with an independent model of every node, that the zero-sum check passes them and names any category that is tampered with, and that transfers settle exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../src/shared/decimal.js';
import {
  LOSS_REASONS,
  type Balance,
  type CategoryRule,
  type LineInput,
  type MovementLine,
  type Node,
  allocationMovements,
  applyMovements,
  checkZeroSum,
  openingMovements,
  receiptMovements,
  reverseMovements,
  stocktakeDifferences,
  stocktakeMovements,
  transferCancelMovements,
  transferReceiveMovements,
  transferShipMovements,
  writeOffMovements,
} from './core.js';
import { CATEGORIES } from './fixtures.js';

const WAREHOUSES = ['WH-A', 'WH-B', 'WH-C'];
const RULES = [...CATEGORIES.values()];
const ZERO = new Decimal(0);

// ---- documents as generated: outgoing lines are picks of what the warehouse holds, resolved when posted

const lineArb: fc.Arbitrary<LineInput> = fc
  .record({ rule: fc.constantFrom(...RULES), units: fc.integer({ min: 1, max: 2_000_000 }), lot: fc.constantFrom('L1', 'L2', 'L3') })
  .map(({ rule, units, lot }) => ({
    category: rule.code,
    quantity: new Decimal(units).div(new Decimal(10).pow(rule.scale)),
    ...(rule.lotTracked ? { lot, expiresOn: '2030-01-31' } : {}),
  }));
const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 5 });
const warehouseArb = fc.nat(WAREHOUSES.length - 1);
/** Which holding of the warehouse (modulo how many it has) and how many quarters of it leave. */
const picksArb = fc.array(fc.record({ pick: fc.nat(), quarters: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 });

const documentArb = fc.oneof(
  fc.record({ type: fc.constant('RECEIPT' as const), wh: warehouseArb, donor: fc.boolean(), lines: linesArb }),
  fc.record({ type: fc.constant('OPENING' as const), wh: warehouseArb, lines: linesArb }),
  fc.record({ type: fc.constant('WRITE_OFF' as const), wh: warehouseArb, reason: fc.constantFrom(...LOSS_REASONS), picks: picksArb }),
  fc.record({ type: fc.constant('ALLOCATION' as const), wh: warehouseArb, destination: fc.constantFrom('某县', '防疫点'), picks: picksArb }),
  fc.record({ type: fc.constant('SHIP' as const), wh: warehouseArb, hop: fc.integer({ min: 1, max: 2 }), picks: picksArb }),
  fc.record({ type: fc.constant('SETTLE' as const), pick: fc.nat(), cancel: fc.boolean(), received: fc.nat(4), damaged: fc.nat(4) }),
  fc.record({ type: fc.constant('STOCKTAKE' as const), wh: warehouseArb, counts: linesArb, zeroFirst: fc.boolean() }),
  fc.record({ type: fc.constant('REVERSE' as const), pick: fc.nat() }),
);
type Doc = typeof documentArb extends fc.Arbitrary<infer T> ? T : never;

// ---- the independent model: a plain map of (node text, category, lot) → quantity, moved by document meaning

type Model = Map<string, Decimal>;
interface Delta {
  readonly node: string;
  readonly category: string;
  readonly lot: string | null;
  readonly quantity: Decimal;
}

const modelKey = (node: string, category: string, lot: string | null) => `${node}|${category}|${lot ?? ''}`;

/** Written here rather than taken from the core, so a wrong node text in the core shows up as a difference. */
function nodeText(node: Node): string {
  switch (node.kind) {
    case 'WH':
      return `WH:${node.code}`;
    case 'SUPPLIER':
    case 'DONOR':
    case 'DESTINATION':
      return `${node.kind}:${node.name}`;
    case 'TRANSIT':
      return `TRANSIT:${node.transferId}`;
    case 'LOSS':
      return `LOSS:${node.reason}`;
    case 'OPENING':
    case 'STOCKTAKE':
      return node.kind;
  }
}

const move = (from: string, to: string, category: string, lot: string | null, quantity: Decimal): Delta[] => [
  { node: from, category, lot, quantity: quantity.negated() },
  { node: to, category, lot, quantity },
];

function applyDeltas(model: Model, deltas: readonly Delta[]): void {
  for (const delta of deltas) {
    const key = modelKey(delta.node, delta.category, delta.lot);
    const quantity = (model.get(key) ?? ZERO).plus(delta.quantity);
    if (quantity.isZero()) model.delete(key);
    else model.set(key, quantity);
  }
}

function modelOf(balances: ReadonlyMap<string, Balance>): Model {
  const model: Model = new Map();
  for (const b of balances.values()) applyDeltas(model, [{ node: nodeText(b.node), category: b.category, lot: b.lot, quantity: b.quantity }]);
  return model;
}

/** What a warehouse holds according to the model, in a stable order. */
function holdings(model: Model, wh: string): { category: string; lot: string | null; quantity: Decimal }[] {
  return [...model.entries()]
    .filter(([key]) => key.startsWith(`WH:${wh}|`))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, quantity]) => {
      const [, category, lot] = key.split('|');
      return { category: category!, lot: lot === '' ? null : lot!, quantity };
    });
}

const fraction = (quantity: Decimal, quarters: number, rule: CategoryRule) => quantity.mul(quarters).div(4).toDecimalPlaces(rule.scale, Decimal.ROUND_DOWN);

/** Outgoing lines that never take more than the warehouse holds: each (category, lot) at most once, never zero. */
function resolvePicks(model: Model, wh: string, picks: readonly { pick: number; quarters: number }[]): LineInput[] {
  const held = holdings(model, wh);
  if (held.length === 0) return [];
  const lines = new Map<string, LineInput>();
  for (const { pick, quarters } of picks) {
    const holding = held[pick % held.length]!;
    const quantity = fraction(holding.quantity, quarters, CATEGORIES.get(holding.category)!);
    const key = modelKey('', holding.category, holding.lot);
    if (quantity.gt(0) && !lines.has(key)) lines.set(key, { category: holding.category, lot: holding.lot, quantity });
  }
  return [...lines.values()];
}

// ---- the ledger under test, and the document-by-document expectations

interface OpenTransfer {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly lines: readonly LineInput[];
  readonly shipment: MovementLine[];
}

interface Posted {
  readonly lines: MovementLine[];
  readonly deltas: Delta[];
  readonly reversible: boolean;
}

interface Ledger {
  balances: Map<string, Balance>;
  model: Model;
  posted: Posted[];
  open: OpenTransfer[];
  settled: string[];
  transfers: number;
}

const NONE: Posted = { lines: [], deltas: [], reversible: false };

function settle(ledger: Ledger, doc: Extract<Doc, { type: 'SETTLE' }>): Posted {
  if (ledger.open.length === 0) return NONE;
  const [transfer] = ledger.open.splice(doc.pick % ledger.open.length, 1);
  const { id, from, to, lines, shipment } = transfer!;
  ledger.settled.push(id);
  if (doc.cancel) {
    const deltas = lines.flatMap((l) => move(`TRANSIT:${id}`, `WH:${from}`, l.category, l.lot ?? null, l.quantity));
    return { lines: transferCancelMovements({ transferId: id, fromWarehouse: from, shipment }), deltas, reversible: false };
  }
  const reports = lines.map((line) => {
    const rule = CATEGORIES.get(line.category)!;
    const received = fraction(line.quantity, doc.received, rule);
    return { category: line.category, lot: line.lot ?? null, received, damaged: fraction(line.quantity.minus(received), doc.damaged, rule) };
  });
  const deltas = reports.flatMap((r, i) => [
    ...move(`TRANSIT:${id}`, `WH:${to}`, r.category, r.lot, r.received),
    ...move(`TRANSIT:${id}`, 'LOSS:DAMAGE', r.category, r.lot, r.damaged),
    ...move(`TRANSIT:${id}`, 'LOSS:SHORTFALL', r.category, r.lot, lines[i]!.quantity.minus(r.received).minus(r.damaged)),
  ]);
  return { lines: transferReceiveMovements({ transferId: id, toWarehouse: to, shipment, lines: reports }, CATEGORIES), deltas, reversible: false };
}

function stocktake(ledger: Ledger, doc: Extract<Doc, { type: 'STOCKTAKE' }>): Posted {
  const wh = WAREHOUSES[doc.wh]!;
  const snapshot = holdings(ledger.model, wh).map((h) => ({ category: h.category, lot: h.lot, book: h.quantity }));
  const counts = [...new Map(doc.counts.map((l) => [modelKey('', l.category, l.lot ?? null), l])).values()].map((line, i) => ({
    category: line.category,
    lot: line.lot ?? null,
    counted: doc.zeroFirst && i === 0 ? ZERO : line.quantity,
  }));
  const deltas = counts.flatMap((count) => {
    const book = ledger.model.get(modelKey(`WH:${wh}`, count.category, count.lot)) ?? ZERO;
    const found = count.counted.minus(book);
    if (found.isZero()) return [];
    return found.gt(0) ? move('STOCKTAKE', `WH:${wh}`, count.category, count.lot, found) : move(`WH:${wh}`, 'STOCKTAKE', count.category, count.lot, found.negated());
  });
  return { lines: stocktakeMovements(wh, stocktakeDifferences(snapshot, counts, CATEGORIES)), deltas, reversible: true };
}

function outgoing(lines: readonly LineInput[], from: string, to: string): Delta[] {
  return lines.flatMap((l) => move(from, to, l.category, l.lot ?? null, l.quantity));
}

function post(ledger: Ledger, doc: Doc): Posted {
  switch (doc.type) {
    case 'RECEIPT': {
      const wh = WAREHOUSES[doc.wh]!;
      const source = doc.donor ? 'DONOR:某公司' : 'SUPPLIER:某公司';
      const lines = receiptMovements({ warehouse: wh, source: { kind: doc.donor ? 'DONOR' : 'SUPPLIER', name: '某公司' }, lines: doc.lines }, CATEGORIES);
      return { lines, deltas: outgoing(doc.lines, source, `WH:${wh}`), reversible: true };
    }
    case 'OPENING': {
      const wh = WAREHOUSES[doc.wh]!;
      return { lines: openingMovements({ warehouse: wh, lines: doc.lines }, CATEGORIES), deltas: outgoing(doc.lines, 'OPENING', `WH:${wh}`), reversible: true };
    }
    case 'WRITE_OFF': {
      const wh = WAREHOUSES[doc.wh]!;
      const lines = resolvePicks(ledger.model, wh, doc.picks);
      if (lines.length === 0) return NONE;
      return { lines: writeOffMovements({ warehouse: wh, reason: doc.reason, lines }, CATEGORIES), deltas: outgoing(lines, `WH:${wh}`, `LOSS:${doc.reason}`), reversible: true };
    }
    case 'ALLOCATION': {
      const wh = WAREHOUSES[doc.wh]!;
      const lines = resolvePicks(ledger.model, wh, doc.picks);
      if (lines.length === 0) return NONE;
      const movements = allocationMovements({ warehouse: wh, destination: doc.destination, lines }, CATEGORIES);
      return { lines: movements, deltas: outgoing(lines, `WH:${wh}`, `DESTINATION:${doc.destination}`), reversible: true };
    }
    case 'SHIP': {
      const from = WAREHOUSES[doc.wh]!;
      const to = WAREHOUSES[(doc.wh + doc.hop) % WAREHOUSES.length]!;
      const lines = resolvePicks(ledger.model, from, doc.picks);
      if (lines.length === 0) return NONE;
      const id = `TR-${(ledger.transfers += 1)}`;
      const shipment = transferShipMovements({ transferId: id, fromWarehouse: from, toWarehouse: to, lines }, CATEGORIES);
      ledger.open.push({ id, from, to, lines, shipment });
      // Transfer documents are settled by receipt or cancellation, never reversed.
      return { lines: shipment, deltas: outgoing(lines, `WH:${from}`, `TRANSIT:${id}`), reversible: false };
    }
    case 'SETTLE':
      return settle(ledger, doc);
    case 'STOCKTAKE':
      return stocktake(ledger, doc);
    case 'REVERSE': {
      // A reversal the warehouse cannot cover (the received goods already left) is not generated.
      const candidates = ledger.posted.filter((p) => p.reversible && wouldStayCovered(ledger.model, p.deltas.map(negate)));
      if (candidates.length === 0) return NONE;
      const original = candidates[doc.pick % candidates.length]!;
      return { lines: reverseMovements(original.lines), deltas: original.deltas.map(negate), reversible: false };
    }
  }
}

const negate = (delta: Delta): Delta => ({ ...delta, quantity: delta.quantity.negated() });

function wouldStayCovered(model: Model, deltas: readonly Delta[]): boolean {
  const next = new Map(model);
  applyDeltas(next, deltas);
  return warehouseShortfalls(next).length === 0;
}

const warehouseShortfalls = (model: Model) => [...model.entries()].filter(([key, quantity]) => key.startsWith('WH:') && quantity.lt(0));

describe('ledger properties', () => {
  it('agrees with an independent model after every document, keeps warehouses non-negative and settles transfers exactly', () => {
    fc.assert(
      fc.property(fc.array(documentArb, { maxLength: 40 }), (docs) => {
        const ledger: Ledger = { balances: new Map(), model: new Map(), posted: [], open: [], settled: [], transfers: 0 };
        for (const doc of docs) {
          const posted = post(ledger, doc);
          if (posted.lines.length > 0) ledger.posted.push(posted);
          ledger.balances = applyMovements(ledger.balances, posted.lines);
          applyDeltas(ledger.model, posted.deltas);
          expect(modelOf(ledger.balances)).toEqual(ledger.model);
          expect(warehouseShortfalls(ledger.model)).toEqual([]);
          expect(checkZeroSum(ledger.balances)).toEqual({ ok: true, unbalanced: [] });
        }
        for (const id of ledger.settled) {
          expect([...ledger.balances.values()].filter((b) => b.node.kind === 'TRANSIT' && b.node.transferId === id)).toEqual([]);
        }
        for (const transfer of ledger.open) {
          const inTransit = [...ledger.balances.values()].filter((b) => b.node.kind === 'TRANSIT' && b.node.transferId === transfer.id);
          expect(inTransit.map((b) => [b.category, b.lot, b.quantity.toString()]).sort()).toEqual(
            transfer.lines.map((l) => [l.category, l.lot ?? null, l.quantity.toString()]).sort(),
          );
        }
        const undone = applyMovements(ledger.balances, [...ledger.posted].reverse().flatMap((p) => reverseMovements(p.lines)));
        expect(undone.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('names exactly the category whose balance was tampered with, with the amount it is off by', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 6 }), fc.nat(), fc.integer({ min: -5000, max: 5000 }).filter((n) => n !== 0), (lines, pick, units) => {
        const balances = [...applyMovements(new Map(), receiptMovements({ warehouse: 'WH-A', source: { kind: 'DONOR', name: '某公司' }, lines }, CATEGORIES)).values()];
        const victim = balances[pick % balances.length]!;
        const delta = new Decimal(units).div(1000);
        const tampered = balances.map((b) => (b === victim ? { ...b, quantity: b.quantity.plus(delta) } : b));
        expect(checkZeroSum(tampered)).toEqual({ ok: false, unbalanced: [{ category: victim.category, total: delta }] });
      }),
      { numRuns: 100 },
    );
  });
});
