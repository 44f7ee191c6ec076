import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { maskAccountNumber } from '../claims/index.js';
import { generatedAt, reportDefinition, workbookBuffer, writeReport, type ReportRow } from '../reports/index.js';

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

const definition = () => reportDefinition('bank-file');

/** The bank's columns, as reports/bank-file.json names them (序号, 收款人姓名, 收款账号, 开户行, 金额, 用途). */
export const bankFileHeaders = (): string[] => definition().columns.map((c) => c.header);

const rowOf = (line: BankFileLine): ReportRow => ({
  position: line.position, accountName: line.accountName, accountNumber: line.accountNumber, bankName: line.bankName, amount: line.amount, claimNumber: line.claimNumber,
});

/**
 * The bank file as xlsx, by the report writer from reports/bank-file.json: no title block (the header is
 * row 1, as the bank's import reads it), every text a person typed (names, bank names) and the account
 * number as string cells, which Excel never evaluates, so `=HYPERLINK(…)` or `+cmd|…` stays text; amounts
 * to the fen in #,##0.00; the total a SUM formula with its cached value, so the figure shows even where
 * formulas are not recalculated. The account number in full only for finance (the route's only role).
 */
export async function bankFileXlsx(batchNumber: string, lines: readonly BankFileLine[], total: Decimal, unmasked: boolean): Promise<Buffer> {
  const sum = lines.reduce((acc, line) => acc.plus(line.amount), new Decimal(0));
  if (!sum.eq(total)) throw new Error(`bank file of ${batchNumber}: the lines sum to ${formatMoney(sum)}, the batch to ${formatMoney(total)}`);
  return workbookBuffer((out) =>
    writeReport(definition(), { sheetName: `代发明细 ${batchNumber}`, batches: [lines.map(rowOf)], unmasked }, out, generatedAt()));
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
export function bankFileCsv(lines: readonly BankFileLine[], unmasked: boolean): Buffer {
  const rows = [bankFileHeaders().join(',')];
  for (const line of lines) {
    rows.push([
      String(line.position), csvCell(line.accountName, true), csvCell(unmasked ? line.accountNumber : maskAccountNumber(line.accountNumber), false), csvCell(line.bankName, true),
      formatMoney(line.amount), csvCell(line.claimNumber, false),
    ].join(','));
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8')]);
}
