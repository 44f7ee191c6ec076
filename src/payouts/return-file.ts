import { ValidationError, type FieldProblem } from '../shared/errors.js';
import { isValidDate } from '../shared/dates.js';
import { decodeCsvBytes, readCsvRecords, RowReader, type ColumnSpec } from '../imports/index.js';
import { formatMoney, parseDecimal } from '../shared/amounts.js';
import type { LineOutcome } from './payouts.schemas.js';

type Column = 'position' | 'accountName' | 'accountNumber' | 'bankName' | 'amount' | 'claim' | 'status' | 'bankReference' | 'date' | 'reason';

/**
 * The bank's return file (回盘文件): the bank file's columns echoed back with the outcome of each transfer.
 * Only 用途 (the claim number) and 状态 are required; the echoed payee columns are accepted and not used,
 * except 金额, which must then equal the line's amount (a file for another batch is caught that way).
 */
export const RETURN_FILE_COLUMNS: readonly ColumnSpec<Column>[] = [
  { key: 'position', headers: ['序号', 'position', 'no'], required: false },
  { key: 'accountName', headers: ['收款人姓名', 'accountName', 'name'], required: false },
  { key: 'accountNumber', headers: ['收款账号', 'accountNumber', 'account'], required: false },
  { key: 'bankName', headers: ['开户行', 'bankName', 'bank'], required: false },
  { key: 'amount', headers: ['金额', 'amount'], required: false },
  { key: 'claim', headers: ['用途', '理赔编号', 'claim', 'purpose'], required: true },
  { key: 'status', headers: ['状态', '处理结果', 'status'], required: true },
  { key: 'bankReference', headers: ['银行流水号', '流水号', 'bankReference', 'reference'], required: false },
  { key: 'date', headers: ['交易日期', '日期', 'date', 'paidOn'], required: false },
  { key: 'reason', headers: ['失败原因', '原因', '备注', 'reason'], required: false },
];

const STATUSES: Record<string, 'PAID' | 'FAILED' | 'RETURNED'> = {
  成功: 'PAID', 已支付: 'PAID', PAID: 'PAID', SUCCESS: 'PAID',
  失败: 'FAILED', FAILED: 'FAILED', FAIL: 'FAILED',
  退回: 'RETURNED', 退票: 'RETURNED', RETURNED: 'RETURNED',
};


/** Reads the return file with the imports' CSV rules (charset, quotes, trimming); every bad row is listed at once. */
export async function readReturnFile(bytes: Buffer, charset: string | undefined, maxRows: number): Promise<LineOutcome[]> {
  const { text } = decodeCsvBytes(bytes, { charset, headers: RETURN_FILE_COLUMNS.flatMap((c) => c.headers) });
  const problems: FieldProblem[] = [];
  const lines: LineOutcome[] = [];
  for await (const record of readCsvRecords(text, RETURN_FILE_COLUMNS, maxRows)) {
    if (record.problems) {
      problems.push(...record.problems);
      continue;
    }
    const before = problems.length;
    const row = new RowReader(record.values, record.line, problems, record.headerOf);
    const claim = row.text('claim', { required: true, max: 30, pattern: /^(\d{1,18}|LP\d{8,18})$/, patternHint: 'expected a claim number like LP00000042' });
    const status = row.oneOf('status', STATUSES);
    const reference = row.text('bankReference', { required: status === 'PAID', max: 100 });
    const date = row.text('date', { required: status === 'PAID', max: 10 });
    const reason = row.text('reason', { required: status === 'FAILED' || status === 'RETURNED', max: 500 });
    const amountText = row.text('amount', { required: false, max: 20 });
    const fail = (key: Column, value: string, reason: string) => problems.push({ line: record.line, field: record.headerOf(key), value, reason });
    if (date && !isValidDate(date)) fail('date', date, 'expected a date like 2024-07-31');
    const amount = amountText ? parseDecimal(amountText.replace(/,/g, '')) : null;
    if (amountText && (amount === null || amount.decimalPlaces() > 2 || amount.lt(0))) fail('amount', amountText, 'expected an amount like 1234.56');
    if (problems.length > before || !claim || !status) continue;
    const at = { claim, line: record.line, ...(amount ? { amount: formatMoney(amount) } : {}) };
    const outcome: LineOutcome = status === 'PAID' ? { ...at, status, bankReference: reference!, paidOn: date! }
      : status === 'FAILED' ? { ...at, status, reason: reason! }
        : { ...at, status, reason: reason!, ...(date ? { returnedOn: date } : {}) };
    lines.push(outcome);
  }
  if (problems.length > 0) throw new ValidationError(`the return file has ${problems.length} problem(s): ${problems.slice(0, 5).map((p) => `line ${p.line} ${p.field}: ${p.reason}`).join('; ')}`, problems.slice(0, 1000), 'RETURN_FILE_INVALID');
  if (lines.length === 0) throw new ValidationError('the return file has no lines', [{ line: 1, reason: 'no rows after the header' }], 'RETURN_FILE_INVALID');
  return lines;
}
