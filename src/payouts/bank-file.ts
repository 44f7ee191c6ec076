import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';

/** One payee of the bank's bulk-disbursement (批量代发) file. */
export interface BankFileLine {
  position: number;
  accountName: string;
  accountNumber: string;
  bankName: string;
  amount: Decimal;
  /** 用途: the claim number, so the bank statement names the claim each transfer paid. */
  claimNumber: string;
}

export const BANK_FILE_HEADERS = ['序号', '收款人姓名', '收款账号', '开户行', '金额', '用途'] as const;

/**
 * An xlsx cell holds a number as an IEEE double. A money amount of two decimals (at most 14 digits) turns
 * into the double whose shortest decimal form is that same text, and Excel shows it to the fen through
 * the #,##0.00 format; the conversion happens only here, at the file's edge.
 */
const cellNumber = (amount: Decimal): number => Number(formatMoney(amount));

/**
 * The bank file as xlsx, streamed with exceljs' WorkbookWriter (no shared strings, rows committed as
 * written). Every text a person typed (names, bank names) and the account number are string cells, which
 * Excel never evaluates, so `=HYPERLINK(…)` or `+cmd|…` stays text; the total is a SUM formula with its
 * cached value, so the figure shows even where formulas are not recalculated.
 */
export async function bankFileXlsx(batchNumber: string, lines: readonly BankFileLine[], total: Decimal): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  workbook.creator = 'relief-ledger';
  const sheet = workbook.addWorksheet(`代发明细 ${batchNumber}`);
  sheet.columns = [
    { key: 'position', width: 8 },
    { key: 'name', width: 18, style: { numFmt: '@' } },
    { key: 'account', width: 26, style: { numFmt: '@' } },
    { key: 'bank', width: 30, style: { numFmt: '@' } },
    { key: 'amount', width: 16, style: { numFmt: '#,##0.00' } },
    { key: 'purpose', width: 16, style: { numFmt: '@' } },
  ];
  const header = sheet.addRow([...BANK_FILE_HEADERS]);
  header.font = { bold: true };
  header.commit();
  for (const line of lines) {
    sheet.addRow([line.position, line.accountName, line.accountNumber, line.bankName, cellNumber(line.amount), line.claimNumber]).commit();
  }
  const last = lines.length + 1;
  const totalRow = sheet.addRow([null, '合计', null, null, { formula: `SUM(E2:E${last})`, result: cellNumber(total) }, `${lines.length} 笔`]);
  totalRow.font = { bold: true };
  totalRow.commit();
  sheet.commit();
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV cell: text a person typed that could start a formula gets a leading apostrophe, so it opens as text. */
function csvCell(value: string, typed: boolean): string {
  const inert = typed && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/**
 * The same file as CSV (UTF-8 with a byte order mark, so Excel on a Chinese Windows reads it; CRLF):
 * the payee lines only, as a bank's import expects; the total is in the xlsx and in the batch.
 */
export function bankFileCsv(lines: readonly BankFileLine[]): Buffer {
  const rows = [BANK_FILE_HEADERS.join(',')];
  for (const line of lines) {
    rows.push([
      String(line.position), csvCell(line.accountName, true), csvCell(line.accountNumber, false), csvCell(line.bankName, true),
      formatMoney(line.amount), csvCell(line.claimNumber, false),
    ].join(','));
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8')]);
}
