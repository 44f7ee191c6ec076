/**
 * One report definition + its rows → an xlsx written with exceljs' streaming WorkbookWriter (no shared
 * strings, each row committed as written, waiting for the output to drain), so a million rows keep the
 * memory flat. The sheet a clerk opens: a title block (report, 某市应急管理局, period, filters, time of
 * generation), a frozen header row with an autofilter, Chinese number formats, a totals row of SUM
 * formulas with their cached values, and A4 landscape print set-up fitting the width.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Decimal } from '../shared/decimal.js';
import type { ReportColumn, ReportDefinition } from './report.definition.js';

export const BUREAU = '某市应急管理局';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A cell's source value: decimals as Decimal or canonical text, dates as YYYY-MM-DD, text as typed. */
export type ReportValue = string | Decimal | number | null | undefined;
/** One row; `scale` gives the decimals of its quantity cells (the category's). */
export type ReportRow = Record<string, ReportValue> & { scale?: number };

export interface ReportContent {
  /** 期间 line, e.g. "2026-11-01 至 2026-11-30". */
  period: string;
  /** Filters in words, e.g. ["仓库：WH-01"]. */
  filters: string[];
  /** Replaces the 期间 and 筛选 lines of the title block. */
  heading?: [string, string];
  /** Rows in batches, in the order they appear. */
  batches: AsyncIterable<ReportRow[]>;
  /** Called after each batch with the rows written so far (the CLI's progress bar). */
  onRows?: (rows: number) => void;
}

const TITLE_ROWS = 6;
/** Row of the column headers (1-based): title block above, data below. */
export const HEADER_ROW = TITLE_ROWS + 1;

const quantityFormat = (scale: number) => (scale > 0 ? `#,##0.${'0'.repeat(scale)}` : '#,##0');
const FORMATS: Record<ReportColumn['kind'], string> = { text: '@', date: 'yyyy-mm-dd', money: '#,##0.00', quantity: '#,##0.000', integer: '#,##0', percent: '0.00%' };

function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Decimal places a column's numbers are written with (quantities: the row's category). */
function scaleOf(column: ReportColumn, row: ReportRow): number {
  if (column.kind === 'money') return 2;
  if (column.kind === 'quantity') return row.scale ?? 3;
  if (column.kind === 'percent') return 4;
  return 0;
}

/**
 * The only place a decimal becomes a JavaScript number: an xlsx numeric cell is an IEEE double, and a
 * decimal of at most 15 significant digits rounded to its scale is the double whose shortest text is that
 * same decimal, so Excel shows exactly the figure the API gives.
 */
function cellNumber(value: Decimal | string | number, scale: number): number {
  // Fast path (most cells of a million-row journal): PostgreSQL's text of a numeric already within the
  // scale converts to the same double as its rounded Decimal, without building a Decimal.
  if (typeof value === 'string' && CANONICAL.test(value) && decimalsOf(value) <= scale) return Number(value);
  return Number(new Decimal(value).toFixed(scale));
}

const CANONICAL = /^-?\d{1,15}(\.\d{1,15})?$/;
const decimalsOf = (text: string) => {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
};

function cellValue(column: ReportColumn, row: ReportRow): ExcelJS.CellValue {
  const value = row[column.key];
  if (value === null || value === undefined || value === '') return null;
  switch (column.kind) {
    case 'text':
      // Typed text stays a string cell: exceljs writes a formula only for {formula} objects, so
      // "=HYPERLINK(…)", "+cmd|…", "@SUM(1)" and "-1+1" are shown, never evaluated.
      return String(value);
    case 'date': {
      const [y, m, d] = String(value).slice(0, 10).split('-').map(Number) as [number, number, number];
      return new Date(Date.UTC(y, m - 1, d));
    }
    default:
      return cellNumber(value, scaleOf(column, row));
  }
}

export async function writeReport(definition: ReportDefinition, content: ReportContent, out: Writable, generatedAt: string): Promise<void> {
  const columns = definition.columns;
  const last = columnLetter(columns.length - 1);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  workbook.creator = BUREAU;
  const sheet = workbook.addWorksheet(definition.sheet, {
    views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 0, showGridLines: true }],
    pageSetup: {
      paperSize: 9, orientation: definition.landscape ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`, horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: `&L${definition.title}&C第 &P 页，共 &N 页&R${BUREAU}`, evenFooter: `&L${definition.title}&C第 &P 页，共 &N 页&R${BUREAU}` },
  });
  sheet.columns = columns.map((c) => ({ key: c.key, width: c.width }));
  const titleLines: [string, Partial<ExcelJS.Font>][] = [
    [definition.title, { bold: true, size: 16 }],
    [BUREAU, { size: 11 }],
    [content.heading?.[0] ?? `期间：${content.period}`, { size: 10 }],
    [content.heading?.[1] ?? `筛选：${content.filters.length ? content.filters.join('；') : '全部'}`, { size: 10 }],
    [`生成时间：${generatedAt}`, { size: 10, color: { argb: 'FF595959' } }],
  ];
  for (const [i, [text, font]] of titleLines.entries()) {
    const row = sheet.getRow(i + 1);
    row.getCell(1).value = text;
    row.getCell(1).font = font;
    row.getCell(1).alignment = { horizontal: i === 0 ? 'center' : 'left', vertical: 'middle' };
    if (i === 0) row.height = 26;
    sheet.mergeCells(`A${i + 1}:${last}${i + 1}`);
    row.commit();
  }
  sheet.getRow(TITLE_ROWS).commit();
  const header = sheet.getRow(HEADER_ROW);
  for (const [i, c] of columns.entries()) {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    cell.border = { bottom: { style: 'thin' } };
  }
  header.height = 20;
  header.commit();

  const totals = new Map(columns.filter((c) => c.total).map((c) => [c.key, { sum: new Decimal(0), scale: 0 }]));
  let rowNumber = HEADER_ROW;
  for await (const batch of content.batches) {
    for (const source of batch) {
      rowNumber++;
      const row = sheet.getRow(rowNumber);
      for (const [i, c] of columns.entries()) {
        const cell = row.getCell(i + 1);
        cell.value = cellValue(c, source);
        cell.numFmt = c.kind === 'quantity' ? quantityFormat(scaleOf(c, source)) : FORMATS[c.kind];
        // Rendered, a right-aligned count next to left-aligned text read as one word ("1已报案"): counts and dates are centred.
        if (c.kind === 'integer' || c.kind === 'date') cell.alignment = { horizontal: 'center' };
        const total = totals.get(c.key);
        const value = source[c.key];
        if (total && value !== null && value !== undefined && value !== '') {
          total.sum = total.sum.plus(value instanceof Decimal ? value : new Decimal(value));
          total.scale = Math.max(total.scale, scaleOf(c, source));
        }
      }
      row.commit();
    }
    content.onRows?.(rowNumber - HEADER_ROW);
    // Back-pressure: a slow reader of the file holds the writer here rather than in memory.
    if (out.writableNeedDrain) await once(out, 'drain');
  }
  const dataRows = rowNumber - HEADER_ROW;
  sheet.autoFilter = `A${HEADER_ROW}:${last}${Math.max(rowNumber, HEADER_ROW)}`;
  if (totals.size > 0) {
    rowNumber++;
    const row = sheet.getRow(rowNumber);
    row.getCell(1).value = `${definition.totalLabel}（${dataRows} 行）`;
    for (const [i, c] of columns.entries()) {
      const total = totals.get(c.key);
      if (!total) continue;
      const letter = columnLetter(i);
      const result = cellNumber(total.sum, total.scale);
      const cell = row.getCell(i + 1);
      cell.value = dataRows > 0 ? { formula: `SUM(${letter}${HEADER_ROW + 1}:${letter}${rowNumber - 1})`, result } : 0;
      cell.numFmt = c.kind === 'quantity' ? quantityFormat(total.scale) : FORMATS[c.kind];
    }
    row.font = { bold: true };
    row.eachCell((cell) => (cell.border = { top: { style: 'thin' }, bottom: { style: 'double' } }));
    row.commit();
  }
  if (definition.signatures.length > 0) {
    // A printed form is signed: the labels spread along one line two rows under the table.
    rowNumber += 3;
    const row = sheet.getRow(rowNumber);
    const step = Math.max(1, Math.floor(columns.length / definition.signatures.length));
    definition.signatures.forEach((label, i) => (row.getCell(1 + i * step).value = label));
    row.height = 28;
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
}
