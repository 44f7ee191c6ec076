import ExcelJS from 'exceljs';
import type { TestApp } from '../support/app.js';

/** Downloads a report and reads it back with exceljs (as Excel would see the file). */
export async function download(app: TestApp, path: string, token: string = app.adminToken): Promise<{ status: number; headers: Headers; sheet: ExcelJS.Worksheet | null; text: string; workbook?: ExcelJS.Workbook }> {
  const reply = await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await reply.arrayBuffer());
  if (reply.status !== 200) return { status: reply.status, headers: reply.headers, sheet: null, text: bytes.toString('utf8') };
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return { status: 200, headers: reply.headers, sheet: workbook.worksheets[0]!, text: '', workbook };
}

/** Data rows below the header (row 7) as arrays of cell values, the totals row excluded when asked. */
export function dataRows(sheet: ExcelJS.Worksheet, header = 7): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow((row, n) => {
    if (n > header) rows.push((row.values as ExcelJS.CellValue[]).slice(1));
  });
  return rows;
}
