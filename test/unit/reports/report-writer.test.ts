// Proves the report writer's print set-up on every shipped definition (A4, fit to width, header row repeated, page numbers), exact totals of many decimals, wrapped rows made taller, and the bank file's account masking for anyone but finance.
import { resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { bankFileCsv, bankFileXlsx } from '../../../src/payouts/index.js';
import { loadReportDefinitions, reportDefinition, workbookBuffer, writeReport, type ReportRow } from '../../../src/reports/index.js';
import { Decimal } from '../../../src/shared/decimal.js';

const REPORTS = resolve(import.meta.dirname, '../../../reports');

async function read(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}

const written = (name: string, rows: ReportRow[]) =>
  workbookBuffer((out) => writeReport(reportDefinition(name, REPORTS), { period: '2026-07-01 至 2026-07-31', filters: [], batches: [rows] }, out, '2026-08-01 09:30:00'));

describe('the report writer', () => {
  it('sets up every report for A4: fit to width, the header row repeated on each page, page numbers in the footer', async () => {
    for (const definition of loadReportDefinitions(REPORTS)) {
      const sheet = (await read(await written(definition.name, []))).worksheets[0]!;
      const header = definition.titleBlock ? 7 : 1;
      expect(sheet.pageSetup, definition.name).toMatchObject({ paperSize: 9, orientation: definition.landscape ? 'landscape' : 'portrait', fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${header}:${header}` });
      expect(sheet.headerFooter.oddFooter, definition.name).toContain('第 &P 页，共 &N 页');
      expect(sheet.views[0], definition.name).toMatchObject({ state: 'frozen', ySplit: header });
      expect(sheet.getCell(header, 1).value, definition.name).toBe(definition.columns[0]!.header);
    }
  });

  it('the claims register prints landscape in 9 points and a row whose text wraps is made taller', async () => {
    const long = { number: 'LP2026000001', product: '自然灾害身故保险', event: '2026年第9号台风“梅花”引发的城市内涝', bankName: '中国工商银行股份有限公司青岛市南支行', payable: '1.00', paid: '0', remaining: '1.00' };
    const sheet = (await read(await written('claims-register', [long, { number: 'LP2026000002', payable: '2.00' }]))).worksheets[0]!;
    expect(sheet.pageSetup.orientation).toBe('landscape');
    expect(sheet.getCell('A7').font.size).toBe(9);
    expect(sheet.getCell('A8').font.size).toBe(9);
    expect(sheet.getRow(8).height).toBeGreaterThan(20);
    expect(sheet.getRow(9).height ?? 15).toBeLessThan(20);
  });

  it('totals are exact sums of the cells as shown, however many', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ number: `N${i}`, payable: i % 2 ? '0.10' : '99999999999.99', paid: new Decimal('0.005'), remaining: '-0.01' }));
    const sheet = (await read(await written('claims-register', rows))).worksheets[0]!;
    const totals = sheet.getRow(7 + 3000 + 1);
    expect(totals.getCell(1).value).toBe('合计（3000 行）');
    expect((totals.getCell(14).value as ExcelJS.CellFormulaValue).result).toBe(149999999999985 + 150);
    // 0.005 is shown as 0.01 (two decimals): the total is the sum of what the cells show.
    expect((totals.getCell(15).value as ExcelJS.CellFormulaValue).result).toBe(30);
    expect((totals.getCell(16).value as ExcelJS.CellFormulaValue).result).toBe(-30);
  });

  it('the bank file shows account numbers in full for finance only', async () => {
    const lines = [{ position: 1, accountName: '张三', accountNumber: '6222020200112233445', bankName: '工行', amount: new Decimal('12.30'), claimNumber: 'LP1' }];
    const full = (await read(await bankFileXlsx('PB-1', lines, new Decimal('12.3'), true))).worksheets[0]!;
    expect(full.getCell('C2').value).toBe('6222020200112233445');
    expect(full.name).toBe('代发明细 PB-1');
    const masked = (await read(await bankFileXlsx('PB-1', lines, new Decimal('12.3'), false))).worksheets[0]!;
    expect(masked.getCell('C2').value).toBe('***************3445');
    expect(bankFileCsv(lines, false).toString('utf8')).toContain(',***************3445,');
    expect(bankFileCsv(lines, true).toString('utf8')).toContain(',6222020200112233445,');
    await expect(bankFileXlsx('PB-1', lines, new Decimal('12.31'), true)).rejects.toThrow(/sum to 12.30, the batch to 12.31/);
  });
});
