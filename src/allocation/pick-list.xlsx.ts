/**
 * The printable pick list (拣货单) of an order, one sheet per warehouse: a title block, the lines with
 * Chinese headers, a signature line, set up for A4. Every cell a user could have typed (destination,
 * names, lots) is written as a plain string value, so Excel shows it as text and never runs it as a formula.
 */
import ExcelJS from 'exceljs';
import type { PickList } from './allocation.queries.js';

const HEADERS = ['物资编码', '物资名称', '规格', '单位', '批次', '有效期至', '数量'];
const WIDTHS = [14, 30, 24, 8, 14, 12, 12];

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
const sheetName = (text: string, used: Set<string>) => {
  const base = text.replace(/[:\\/?*[\]]/g, ' ').slice(0, 28) || 'Sheet';
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  used.add(name);
  return name;
};

export async function pickListWorkbook(list: PickList): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'relief-ledger';
  const used = new Set<string>();
  const { allocation } = list;
  const sheets = list.warehouses.length > 0 ? list.warehouses : [{ warehouse: '', name: '', lines: [] }];
  for (const warehouse of sheets) {
    const sheet = book.addWorksheet(sheetName(warehouse.warehouse || allocation.number, used), {
      pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } },
      headerFooter: { oddFooter: '第 &P 页 / 共 &N 页' },
    });
    sheet.columns = WIDTHS.map((width) => ({ width }));
    sheet.mergeCells(1, 1, 1, HEADERS.length);
    const title = sheet.getCell(1, 1);
    title.value = '应急物资调拨拣货单';
    title.font = { bold: true, size: 16 };
    title.alignment = { horizontal: 'center' };
    const info: [string, string][] = [
      ['调拨单号', allocation.number],
      ['发货仓库', `${warehouse.name} (${warehouse.warehouse})`],
      ['目的地', [allocation.destination.name, allocation.destination.district].filter(Boolean).join(' / ')],
      ['优先级', String(allocation.priority)],
      ['下单时间', allocation.createdAt.slice(0, 10)],
    ];
    info.forEach(([label, value], index) => {
      const row = sheet.getRow(2 + index);
      row.getCell(1).value = label;
      row.getCell(1).font = { bold: true };
      sheet.mergeCells(2 + index, 2, 2 + index, HEADERS.length);
      row.getCell(2).value = value;
    });
    const headerRow = sheet.getRow(8);
    HEADERS.forEach((header, index) => {
      const cell = headerRow.getCell(index + 1);
      cell.value = header;
      cell.font = { bold: true };
      cell.border = { bottom: { style: 'thin' }, top: { style: 'thin' } };
    });
    let at = 9;
    for (const line of warehouse.lines) {
      const row = sheet.getRow(at++);
      const cells = [line.category, line.name, line.spec ?? '', line.unit, line.lot ?? '', line.expiresOn ?? '', line.quantity];
      cells.forEach((value, index) => {
        row.getCell(index + 1).value = value;
      });
      row.getCell(7).alignment = { horizontal: 'right' };
    }
    sheet.pageSetup.printTitlesRow = '8:8';
    const signature = sheet.getRow(at + 2);
    signature.getCell(1).value = '拣货人:';
    signature.getCell(3).value = '复核人:';
    signature.getCell(5).value = '日期:';
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
