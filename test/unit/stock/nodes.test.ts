// Proves that every node kind survives the text round trip and that malformed node text is refused.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '../../../src/shared/errors.js';
import {
  LOSS_REASONS,
  OPENING_NODE,
  STOCKTAKE_NODE,
  type Node,
  destinationNode,
  donorNode,
  formatNode,
  isWarehouse,
  lossNode,
  parseNode,
  supplierNode,
  transitNode,
  warehouseNode,
} from './core.js';

describe('formatNode', () => {
  it.each<[Node, string]>([
    [warehouseNode('WH-CITY-01'), 'WH:WH-CITY-01'],
    [supplierNode('某粮油公司'), 'SUPPLIER:某粮油公司'],
    [donorNode('某某基金会'), 'DONOR:某某基金会'],
    [OPENING_NODE, 'OPENING'],
    [transitNode('TR-2024-0001'), 'TRANSIT:TR-2024-0001'],
    [destinationNode('某县防汛指挥部'), 'DESTINATION:某县防汛指挥部'],
    [lossNode('EXPIRY'), 'LOSS:EXPIRY'],
    [STOCKTAKE_NODE, 'STOCKTAKE'],
  ])('writes %o as %s and reads it back', (node, text) => {
    expect(formatNode(node)).toBe(text);
    expect(parseNode(text)).toEqual(node);
  });

  it('keeps colons inside a name', () => {
    expect(parseNode('DONOR:某某:基金会')).toEqual(donorNode('某某:基金会'));
  });
});

describe('parseNode refusals', () => {
  it.each([
    ['', 'unknown node kind'],
    ['SHOP:1', 'unknown node kind'],
    ['wh:WH-1', 'unknown node kind'],
    ['WH', 'needs a key'],
    ['WH:', 'must not be empty'],
    ['WH: WH-1', 'spaces'],
    ['OPENING:x', 'takes no key'],
    ['LOSS:THEFT', 'loss reason'],
    ['DONOR:a\nb', 'control characters'],
    [`WH:${'x'.repeat(101)}`, 'at most 100'],
  ])('refuses %j', (text, reason) => {
    const error = (() => {
      try {
        parseNode(text, 'from');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const problem = (error as ValidationError).problems[0]!;
    expect(problem.field).toBe('from');
    expect(problem.value).toBe(text);
    expect(problem.reason).toContain(reason);
  });

  it('asserts when code builds a node from a bad key', () => {
    expect(() => warehouseNode('')).toThrow(/assertion failed/);
  });
});

describe('isWarehouse', () => {
  it('is true only for warehouses', () => {
    expect(isWarehouse(warehouseNode('WH-1'))).toBe(true);
    for (const node of [OPENING_NODE, STOCKTAKE_NODE, transitNode('T1'), donorNode('D'), lossNode('DAMAGE')]) {
      expect(isWarehouse(node)).toBe(false);
    }
  });
});

describe('round trip property', () => {
  const key = fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' }).filter((s) => s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s) && s.length <= 100);
  const node: fc.Arbitrary<Node> = fc.oneof(
    key.map(warehouseNode),
    key.map(supplierNode),
    key.map(donorNode),
    key.map(transitNode),
    key.map(destinationNode),
    fc.constantFrom(...LOSS_REASONS).map(lossNode),
    fc.constant<Node>(OPENING_NODE),
    fc.constant<Node>(STOCKTAKE_NODE),
  );

  it('parseNode(formatNode(n)) equals n', () => {
    fc.assert(
      fc.property(node, (n) => {
        expect(parseNode(formatNode(n))).toEqual(n);
      }),
    );
  });
});
