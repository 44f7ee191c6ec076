import { readScope } from '../../stock/stock.access.js';
import type { Actor } from '../../shared/actor.js';
import { ValidationError } from '../../shared/errors.js';

/** Warehouses a stock report covers (keepers: their own), as a text[] parameter or null for all. */
export function warehouseScope(actor: Actor, warehouse: string | undefined): string[] | null {
  return readScope(actor, warehouse);
}

export function requirePeriod(from: string, to: string): void {
  if (from > to) throw new ValidationError(`from ${from} is after to ${to}`, [{ field: 'from', value: from, reason: 'must not be after to' }]);
}

export const DOCUMENT_TYPES: Record<string, string> = {
  RECEIPT: '入库', TRANSFER_SHIP: '调拨出库', TRANSFER_RECEIVE: '调拨入库', TRANSFER_CANCEL: '调拨撤销', WRITE_OFF: '报损出库',
  STOCKTAKE: '盘点调整', OPENING: '期初建账', ALLOCATION: '调拨发放', REVERSAL: '冲销',
};

/** A ledger node as a clerk names it: WH:X → the warehouse code, SUPPLIER:… → 供应商, TRANSIT → 在途, LOSS:… → 报损 (the donor's or supplier's name is its own column). */
export function nodeLabel(node: string): string {
  const [kind, rest] = node.split(/:(.*)/s) as [string, string | undefined];
  switch (kind) {
    case 'WH': return rest ?? node;
    case 'SUPPLIER': return '供应商';
    case 'DONOR': return '捐赠方';
    case 'TRANSIT': return '在途';
    case 'LOSS': return '报损';
    case 'STOCKTAKE': return '盘点调整';
    case 'OPENING': return '期初';
    case 'DESTINATION': return rest ? `发往 ${rest}` : '发放';
    default: return node;
  }
}

/**
 * The period, warehouse scope and category of a stock report, checked, with the title-block lines they
 * give and the first four SQL parameters ($1 from, $2 to, $3 warehouses or null, $4 category or null).
 */
export function stockReportScope(actor: Actor, params: Record<string, unknown>) {
  const from = params.from as string;
  const to = params.to as string;
  requirePeriod(from, to);
  const category = params.category as string | undefined;
  const scope = warehouseScope(actor, params.warehouse as string | undefined);
  return {
    period: `${from} 至 ${to}`,
    filters: [scope ? `仓库：${scope.join('、')}` : '仓库：全部', ...(category ? [`物资：${category}`] : [])],
    fileSuffix: `${from}_${to}`,
    sqlParams: [from, to, scope, category ?? null] as unknown[],
  };
}
