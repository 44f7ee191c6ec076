// Proves the node key rules at their limits (100 characters, the ends of the control range) and the exact wording of parse refusals, including the default field name.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/shared/errors.js';
import { NODE_KEY_MAX_LENGTH, OPENING_NODE, STOCKTAKE_NODE, lossNode, nodeKey, nodeKeyProblem, parseNode, sameNode, transitNode, warehouseNode } from './core.js';

function refusal(text: unknown, field?: string): ValidationError {
  try {
    parseNode(text as string, field);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('nodeKeyProblem', () => {
  it('takes exactly 100 characters and refuses 101', () => {
    expect(NODE_KEY_MAX_LENGTH).toBe(100);
    expect(nodeKeyProblem('x'.repeat(100))).toBeNull();
    expect(nodeKeyProblem('x'.repeat(101))).toBe('must be at most 100 characters');
  });

  it('refuses the first and last control characters and DEL, but not the space or tilde inside a key', () => {
    for (const control of ['\u0000', '\u001f', '\u007f']) expect(nodeKeyProblem(`a${control}b`)).toBe('must not contain control characters');
    expect(nodeKeyProblem('a b~c')).toBeNull();
  });

  it('words empty, non-text and padded keys', () => {
    expect(nodeKeyProblem('')).toBe('must not be empty');
    expect(nodeKeyProblem(42)).toBe('must not be empty');
    expect(nodeKeyProblem('WH ')).toBe('must not start or end with spaces');
  });
});

describe('parseNode wording', () => {
  it('names the field, "node" by default, and says why', () => {
    const error = refusal('SHOP:1');
    expect(error.message).toBe('node is not a stock node');
    expect(error.problems).toEqual([{ field: 'node', value: 'SHOP:1', reason: 'unknown node kind "SHOP"' }]);
    expect(refusal('WH', 'to').problems).toEqual([{ field: 'to', value: 'WH', reason: 'WH needs a key after the colon' }]);
    expect(refusal('STOCKTAKE:1').problems[0]!.reason).toBe('STOCKTAKE takes no key');
    expect(refusal('WH: x').problems[0]!.reason).toBe('key must not start or end with spaces');
    expect(refusal('LOSS:THEFT').problems[0]!.reason).toBe('loss reason must be one of DAMAGE, EXPIRY, SHORTFALL, OTHER');
    expect(refusal(7).problems[0]!.reason).toBe('must be text such as WH:<code>');
    expect(refusal(':WH-1').problems[0]!.reason).toBe('unknown node kind ""');
  });

  it('reads every kind, the singletons without a key', () => {
    expect(parseNode('OPENING')).toBe(OPENING_NODE);
    expect(parseNode('STOCKTAKE')).toBe(STOCKTAKE_NODE);
    expect(parseNode('TRANSIT:TR-1')).toEqual(transitNode('TR-1'));
    expect(parseNode('LOSS:SHORTFALL')).toEqual(lossNode('SHORTFALL'));
    expect(parseNode('SUPPLIER:厂')).toEqual({ kind: 'SUPPLIER', name: '厂' });
    expect(parseNode('DESTINATION:某县')).toEqual({ kind: 'DESTINATION', name: '某县' });
  });

  it('gives the key of each kind, and compares nodes by kind and key', () => {
    expect(nodeKey(OPENING_NODE)).toBeNull();
    expect(nodeKey(lossNode('EXPIRY'))).toBe('EXPIRY');
    expect(nodeKey(transitNode('TR-9'))).toBe('TR-9');
    expect(sameNode(warehouseNode('A'), warehouseNode('A'))).toBe(true);
    expect(sameNode(warehouseNode('A'), warehouseNode('B'))).toBe(false);
    expect(sameNode(OPENING_NODE, STOCKTAKE_NODE)).toBe(false);
  });

  it('asserts with the key and the problem when code builds a node from a bad key', () => {
    expect(() => warehouseNode(' A')).toThrow('node key " A" must not start or end with spaces');
  });
});
