/**
 * Transfers (移库/调剂) pass through TRANSIT:<transferId>, so stock that has left one warehouse and
 * not reached the other is still on the books, and a transfer is settled exactly when its transit
 * node is back to zero.
 */
import { Decimal } from '../../shared/decimal.js';
import { type FieldProblem, assert } from '../../shared/errors.js';
import { type Node, formatNode, lossNode, sameNode, transitNode, warehouseNode } from './nodes.js';
import { type CategoryRules, type MovementLine, linesToMovements, movement } from './movement.js';
import { type LineInput, categoryOf, throwIfProblems, validateLineCount, validateLines, validateNodeKey, validateQuantity } from './validation.js';

export interface TransferShipRequest {
  readonly transferId: string;
  readonly fromWarehouse: string;
  readonly toWarehouse: string;
  readonly lines: readonly LineInput[];
}

/** What the destination keeper reports for one shipped (category, lot). */
export interface TransferReceiveLine {
  readonly category: string;
  readonly lot?: string | null;
  readonly received: Decimal;
  readonly damaged: Decimal;
}

export interface TransferReceiveRequest {
  readonly transferId: string;
  readonly toWarehouse: string;
  /** The movements of the TRANSFER_SHIP document, as stored. */
  readonly shipment: readonly MovementLine[];
  readonly lines: readonly TransferReceiveLine[];
}

export interface TransferCancelRequest {
  readonly transferId: string;
  readonly fromWarehouse: string;
  readonly shipment: readonly MovementLine[];
}

const lineKey = (category: string, lot: string | null | undefined): string => JSON.stringify([category, lot ?? null]);

export function transferShipMovements(request: TransferShipRequest, categories: CategoryRules): MovementLine[] {
  const problems: FieldProblem[] = [
    ...validateNodeKey('transferId', request.transferId),
    ...validateNodeKey('fromWarehouse', request.fromWarehouse),
    ...validateNodeKey('toWarehouse', request.toWarehouse),
  ];
  if (request.fromWarehouse === request.toWarehouse) {
    problems.push({ field: 'toWarehouse', value: request.toWarehouse, reason: 'a transfer must go to another warehouse' });
  }
  problems.push(...validateLines(request.lines, categories, { requireExpiry: false }));
  // The receiving keeper reports per (category, lot); two lines with the same key could not be told apart.
  const seen = new Set<string>();
  request.lines.forEach((line, index) => {
    const key = lineKey(line.category, line.lot);
    if (seen.has(key)) problems.push({ field: `lines[${index}]`, value: { category: line.category, lot: line.lot ?? null }, reason: 'the same category and lot appear on an earlier line' });
    seen.add(key);
  });
  throwIfProblems('transfer shipment', problems);
  return linesToMovements(request.lines, warehouseNode(request.fromWarehouse), transitNode(request.transferId));
}

function shipmentByKey(transferId: string, shipment: readonly MovementLine[]): Map<string, MovementLine> {
  const transit = transitNode(transferId);
  const byKey = new Map<string, MovementLine>();
  for (const line of shipment) {
    // The service hands over the stored shipment; anything else is a bug, not a user mistake.
    assert(sameNode(line.to, transit), `shipment line goes to ${formatNode(line.to)}, not ${formatNode(transit)}`);
    const key = lineKey(line.category, line.lot);
    assert(!byKey.has(key), `shipment of ${transferId} repeats ${key}`);
    byKey.set(key, line);
  }
  return byKey;
}

function receiveLineProblems(line: TransferReceiveLine, index: number, shipped: MovementLine | undefined, categories: CategoryRules): FieldProblem[] {
  const prefix = `lines[${index}]`;
  const problems: FieldProblem[] = [];
  if (shipped === undefined) {
    return [{ field: prefix, value: { category: line.category, lot: line.lot ?? null }, reason: 'this category and lot were not shipped on this transfer' }];
  }
  const rule = categoryOf(categories, line.category, `${prefix}.category`, problems);
  if (rule === undefined) return problems;
  problems.push(...validateQuantity(rule, line.received, `${prefix}.received`, { allowZero: true }));
  problems.push(...validateQuantity(rule, line.damaged, `${prefix}.damaged`, { allowZero: true }));
  if (problems.length === 0 && line.received.plus(line.damaged).gt(shipped.quantity)) {
    problems.push({
      field: prefix,
      value: { received: line.received.toString(), damaged: line.damaged.toString(), shipped: shipped.quantity.toString() },
      reason: 'received plus damaged is more than was shipped',
    });
  }
  return problems;
}

/**
 * Settles the whole shipment: received goes to the destination, damaged to LOSS:DAMAGE, and what
 * neither accounts for to LOSS:SHORTFALL. Every shipped line must be reported (received 0 when nothing
 * arrived) so a forgotten line is never silently booked as a shortfall.
 */
export function transferReceiveMovements(request: TransferReceiveRequest, categories: CategoryRules): MovementLine[] {
  const problems = [...validateNodeKey('transferId', request.transferId), ...validateNodeKey('toWarehouse', request.toWarehouse)];
  throwIfProblems('transfer receipt', problems);
  const shipped = shipmentByKey(request.transferId, request.shipment);
  validateLineCount(request.lines, problems);
  const reported = new Set<string>();
  request.lines.forEach((line, index) => {
    const key = lineKey(line.category, line.lot);
    if (reported.has(key)) problems.push({ field: `lines[${index}]`, value: { category: line.category, lot: line.lot ?? null }, reason: 'this category and lot were already reported on an earlier line' });
    else problems.push(...receiveLineProblems(line, index, shipped.get(key), categories));
    reported.add(key);
  });
  for (const [key, line] of shipped) {
    if (!reported.has(key)) problems.push({ field: 'lines', value: { category: line.category, lot: line.lot }, reason: 'a shipped line was not reported; report received 0 if none arrived' });
  }
  throwIfProblems('transfer receipt', problems);
  return request.lines.flatMap((line) => settleLine(line, shipped.get(lineKey(line.category, line.lot))!, request.toWarehouse));
}

function settleLine(line: TransferReceiveLine, shipped: MovementLine, toWarehouse: string): MovementLine[] {
  const missing = shipped.quantity.minus(line.received).minus(line.damaged);
  const parts: [Decimal, Node][] = [
    [line.received, warehouseNode(toWarehouse)],
    [line.damaged, lossNode('DAMAGE')],
    [missing, lossNode('SHORTFALL')],
  ];
  return parts
    .filter(([quantity]) => quantity.gt(0))
    .map(([quantity, to]) => movement({ ...shipped, quantity, from: shipped.to, to }));
}

/** Everything still in transit goes back to the origin. Refusing a cancel after receipt is the service's job. */
export function transferCancelMovements(request: TransferCancelRequest): MovementLine[] {
  const problems = [...validateNodeKey('transferId', request.transferId), ...validateNodeKey('fromWarehouse', request.fromWarehouse)];
  throwIfProblems('transfer cancellation', problems);
  const origin = warehouseNode(request.fromWarehouse);
  shipmentByKey(request.transferId, request.shipment);
  for (const line of request.shipment) {
    assert(sameNode(line.from, origin), `shipment line comes from ${formatNode(line.from)}, not ${formatNode(origin)}`);
  }
  assert(request.shipment.length > 0, `transfer ${request.transferId} has no shipment to cancel`);
  return request.shipment.map((line) => movement({ ...line, from: line.to, to: origin }));
}
