import { ValidationError, assert } from '../../shared/errors.js';

/**
 * Every change of stock moves a quantity from one node to another. Warehouses hold stock; the other
 * kinds are virtual counterparties whose (negative or positive) balances explain where stock came
 * from and went to, so that every category sums to zero across all nodes.
 */
export const NODE_KINDS = ['WH', 'SUPPLIER', 'DONOR', 'OPENING', 'TRANSIT', 'DESTINATION', 'LOSS', 'STOCKTAKE'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const LOSS_REASONS = ['DAMAGE', 'EXPIRY', 'SHORTFALL', 'OTHER'] as const;
export type LossReason = (typeof LOSS_REASONS)[number];

export type Node =
  | { readonly kind: 'WH'; readonly code: string }
  | { readonly kind: 'SUPPLIER'; readonly name: string }
  | { readonly kind: 'DONOR'; readonly name: string }
  | { readonly kind: 'OPENING' }
  | { readonly kind: 'TRANSIT'; readonly transferId: string }
  | { readonly kind: 'DESTINATION'; readonly name: string }
  | { readonly kind: 'LOSS'; readonly reason: LossReason }
  | { readonly kind: 'STOCKTAKE' };

export type NodeOf<K extends NodeKind> = Extract<Node, { kind: K }>;

/** The node text is stored in a database column and printed in reports; keep it bounded. */
export const NODE_KEY_MAX_LENGTH = 100;

// Control characters would make the text form ambiguous in CSV/Excel exports and logs.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Why a warehouse code, name or transfer id cannot be part of a node, or null when it can. */
export function nodeKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'must not be empty';
  if (key.trim() !== key) return 'must not start or end with spaces';
  if (key.length > NODE_KEY_MAX_LENGTH) return `must be at most ${NODE_KEY_MAX_LENGTH} characters`;
  if (CONTROL_CHARACTERS.test(key)) return 'must not contain control characters';
  return null;
}

function checkedKey(key: string): string {
  const problem = nodeKeyProblem(key);
  assert(problem === null, `node key ${JSON.stringify(key)} ${problem}`);
  return key;
}

// Constructors assert rather than report: requests are validated (with nodeKeyProblem) before
// nodes are built, so a bad key here is a bug, not user input.
export const warehouseNode = (code: string): NodeOf<'WH'> => ({ kind: 'WH', code: checkedKey(code) });
export const supplierNode = (name: string): NodeOf<'SUPPLIER'> => ({ kind: 'SUPPLIER', name: checkedKey(name) });
export const donorNode = (name: string): NodeOf<'DONOR'> => ({ kind: 'DONOR', name: checkedKey(name) });
export const transitNode = (transferId: string): NodeOf<'TRANSIT'> => ({ kind: 'TRANSIT', transferId: checkedKey(transferId) });
export const destinationNode = (name: string): NodeOf<'DESTINATION'> => ({ kind: 'DESTINATION', name: checkedKey(name) });
export const lossNode = (reason: LossReason): NodeOf<'LOSS'> => ({ kind: 'LOSS', reason });
export const OPENING_NODE: NodeOf<'OPENING'> = Object.freeze({ kind: 'OPENING' });
export const STOCKTAKE_NODE: NodeOf<'STOCKTAKE'> = Object.freeze({ kind: 'STOCKTAKE' });

export function isWarehouse(node: Node): node is NodeOf<'WH'> {
  return node.kind === 'WH';
}

/** The part after the colon, or null for the singleton kinds. */
export function nodeKey(node: Node): string | null {
  switch (node.kind) {
    case 'WH':
      return node.code;
    case 'SUPPLIER':
    case 'DONOR':
    case 'DESTINATION':
      return node.name;
    case 'TRANSIT':
      return node.transferId;
    case 'LOSS':
      return node.reason;
    case 'OPENING':
    case 'STOCKTAKE':
      return null;
  }
}

/** `WH:WH-CITY-01`, `DONOR:某某基金会`, `TRANSIT:<id>`, `LOSS:EXPIRY`, `OPENING`, `STOCKTAKE`. */
export function formatNode(node: Node): string {
  const key = nodeKey(node);
  return key === null ? node.kind : `${node.kind}:${key}`;
}

export function sameNode(a: Node, b: Node): boolean {
  return formatNode(a) === formatNode(b);
}

/**
 * Reads the text form back. Only the first colon separates kind from key, so a donor named
 * `某某:基金会` survives the round trip. Throws ValidationError naming `field`.
 */
export function parseNode(text: string, field = 'node'): Node {
  const refuse = (reason: string): never => {
    throw new ValidationError(`${field} is not a stock node`, [{ field, value: text, reason }]);
  };
  if (typeof text !== 'string') return refuse('must be text such as WH:<code>');
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const key = colon < 0 ? null : text.slice(colon + 1);
  if (!(NODE_KINDS as readonly string[]).includes(kind)) return refuse(`unknown node kind ${JSON.stringify(kind)}`);
  if (kind === 'OPENING' || kind === 'STOCKTAKE') {
    if (key !== null) return refuse(`${kind} takes no key`);
    return kind === 'OPENING' ? OPENING_NODE : STOCKTAKE_NODE;
  }
  if (key === null) return refuse(`${kind} needs a key after the colon`);
  const keyProblem = nodeKeyProblem(key);
  if (keyProblem !== null) return refuse(`key ${keyProblem}`);
  switch (kind as Exclude<NodeKind, 'OPENING' | 'STOCKTAKE'>) {
    case 'WH':
      return warehouseNode(key);
    case 'SUPPLIER':
      return supplierNode(key);
    case 'DONOR':
      return donorNode(key);
    case 'TRANSIT':
      return transitNode(key);
    case 'DESTINATION':
      return destinationNode(key);
    case 'LOSS':
      if (!(LOSS_REASONS as readonly string[]).includes(key)) return refuse(`loss reason must be one of ${LOSS_REASONS.join(', ')}`);
      return lossNode(key as LossReason);
  }
}
