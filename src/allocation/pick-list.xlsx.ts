/**
 * The printable pick list (拣货单) of an order, by the report writer from reports/pick-list.json: one A4
 * sheet per warehouse with the title, the order's details (number, warehouse, destination, priority, date),
 * the lines under a repeated header, quantities with the category's decimals, and a signature line. Every
 * cell a user could have typed (destination, names, lots) is a plain string cell, so Excel shows it as
 * text and never runs it as a formula.
 */
import { generatedAt, reportDefinition, workbookBuffer, writeWorkbook } from '../reports/index.js';
import type { PickList } from './allocation.queries.js';

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
const sheetName = (text: string, used: Set<string>) => {
  const base = text.replace(/[:\\/?*[\]]/g, ' ').slice(0, 28) || 'Sheet';
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  used.add(name);
  return name;
};

const decimalsOf = (quantity: string) => quantity.split('.')[1]?.length ?? 0;

export async function pickListWorkbook(list: PickList): Promise<Buffer> {
  const definition = reportDefinition('pick-list');
  const used = new Set<string>();
  const { allocation } = list;
  const warehouses = list.warehouses.length > 0 ? list.warehouses : [{ warehouse: '', name: '', lines: [] }];
  const sheets = warehouses.map((warehouse) => ({
    definition,
    content: {
      sheetName: sheetName(warehouse.warehouse || allocation.number, used),
      details: [
        ['调拨单号', allocation.number],
        ['发货仓库', `${warehouse.name} (${warehouse.warehouse})`],
        ['目的地', [allocation.destination.name, allocation.destination.district].filter(Boolean).join(' / ')],
        ['优先级', String(allocation.priority)],
        ['下单时间', allocation.createdAt.slice(0, 10)],
      ] as [string, string][],
      batches: [warehouse.lines.map((line) => ({
        category: line.category, name: line.name, spec: line.spec, unit: line.unit, lot: line.lot, expiresOn: line.expiresOn,
        quantity: line.quantity, scale: decimalsOf(line.quantity),
      }))],
    },
  }));
  return workbookBuffer((out) => writeWorkbook(sheets, out, { generatedAt: generatedAt() }));
}
