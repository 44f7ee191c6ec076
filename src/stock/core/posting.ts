/**
 * Pure posting rules: a request, checked against the category rules, becomes the movement lines of
 * one document. Nothing here reads stock; whether the stock is there is the service's question,
 * asked inside the transaction that writes the lines.
 */
import type { FieldProblem } from '../../shared/errors.js';
import { type LossReason, LOSS_REASONS, OPENING_NODE, destinationNode, donorNode, lossNode, supplierNode, warehouseNode } from './nodes.js';
import { type CategoryRules, type MovementLine, linesToMovements, movement } from './movement.js';
import { type LineInput, throwIfProblems, validateLines, validateNodeKey } from './validation.js';

export { transferCancelMovements, transferReceiveMovements, transferShipMovements } from './transfer-posting.js';
export type { TransferCancelRequest, TransferReceiveLine, TransferReceiveRequest, TransferShipRequest } from './transfer-posting.js';

/** Procurement (采购) or donation (捐赠) into one warehouse. */
export interface ReceiptRequest {
  readonly warehouse: string;
  readonly source: { readonly kind: 'SUPPLIER' | 'DONOR'; readonly name: string };
  readonly lines: readonly LineInput[];
}

export interface OpeningRequest {
  readonly warehouse: string;
  readonly lines: readonly LineInput[];
}

/** Damage and expiry write-offs (报损/报废); SHORTFALL normally comes from transfers and stocktakes. */
export interface WriteOffRequest {
  readonly warehouse: string;
  readonly reason: LossReason;
  readonly lines: readonly LineInput[];
}

/** Allocation (调拨) to a disaster site, a control point or another city. */
export interface AllocationRequest {
  readonly warehouse: string;
  readonly destination: string;
  readonly lines: readonly LineInput[];
}

export function receiptMovements(request: ReceiptRequest, categories: CategoryRules): MovementLine[] {
  const { source } = request;
  const problems: FieldProblem[] = [...validateNodeKey('warehouse', request.warehouse), ...validateNodeKey('source.name', source.name)];
  if (source.kind !== 'SUPPLIER' && source.kind !== 'DONOR') {
    problems.push({ field: 'source.kind', value: source.kind, reason: 'must be SUPPLIER or DONOR' });
  }
  problems.push(...validateLines(request.lines, categories, { requireExpiry: true }));
  throwIfProblems('receipt', problems);
  const from = source.kind === 'SUPPLIER' ? supplierNode(source.name) : donorNode(source.name);
  return linesToMovements(request.lines, from, warehouseNode(request.warehouse));
}

/** The stock a warehouse already held when the ledger started, as one document from OPENING. */
export function openingMovements(request: OpeningRequest, categories: CategoryRules): MovementLine[] {
  const problems = [...validateNodeKey('warehouse', request.warehouse), ...validateLines(request.lines, categories, { requireExpiry: true })];
  throwIfProblems('opening balance', problems);
  return linesToMovements(request.lines, OPENING_NODE, warehouseNode(request.warehouse));
}

export function writeOffMovements(request: WriteOffRequest, categories: CategoryRules): MovementLine[] {
  const problems = validateNodeKey('warehouse', request.warehouse);
  if (!LOSS_REASONS.includes(request.reason)) {
    problems.push({ field: 'reason', value: request.reason, reason: `must be one of ${LOSS_REASONS.join(', ')}` });
  }
  problems.push(...validateLines(request.lines, categories, { requireExpiry: false }));
  throwIfProblems('write-off', problems);
  return linesToMovements(request.lines, warehouseNode(request.warehouse), lossNode(request.reason));
}

export function allocationMovements(request: AllocationRequest, categories: CategoryRules): MovementLine[] {
  const problems = [
    ...validateNodeKey('warehouse', request.warehouse),
    ...validateNodeKey('destination', request.destination),
    ...validateLines(request.lines, categories, { requireExpiry: false }),
  ];
  throwIfProblems('allocation', problems);
  return linesToMovements(request.lines, warehouseNode(request.warehouse), destinationNode(request.destination));
}

/**
 * The exact opposite of each line: same quantity, lot, expiry and cost, from and to swapped. The
 * ledger only grows, so a wrong document is cancelled by a REVERSAL document built from this.
 */
export function reverseMovements(original: readonly MovementLine[]): MovementLine[] {
  return original.map((line) => movement({ ...line, from: line.to, to: line.from }));
}
