/**
 * One report definition + its rows → an xlsx written with exceljs' streaming WorkbookWriter (no shared
 * strings, each row committed as written, waiting for the output to drain), so a million rows keep the
 * memory flat. The sheet a clerk opens: a title block (report, 某市应急管理局, period, filters, time of
 * generation), a frozen header row with an autofilter, Chinese number formats, a totals row of SUM
 * formulas with their cached values, and A4 print set-up fitting the width with the header repeated.
 *
 * The same writer makes the documents served by routes of their own: the bank file (no title block, the
 * header in row 1 as the bank's import reads it) and the pick list (one sheet per warehouse, the order's
 * details under the title, a signature line).
 *
 * Speed: every cell of a column shares one style object (exceljs then looks its style id up in a
 * WeakMap instead of serialising the style per cell), values are converted on a fast path, and totals
 * are summed as scaled BigInts rather than Decimals.
 */
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Decimal } from '../shared/decimal.js';
import { maskAccountNumber, maskIdNumber } from '../claims/resident-id.js';
import type { ReportColumn, ReportDefinition } from './report.definition.js';

export const BUREAU = '某市应急管理局';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A cell's source value: decimals as Decimal or canonical text, dates as YYYY-MM-DD, text as typed. */
export type ReportValue = string | Decimal | number | null | undefined;
/** One row; `scale` gives the decimals of its quantity cells (the category's). */
export type ReportRow = Record<string, ReportValue> & { scale?: number };

/** One sheet's content. */
export interface SheetContent {
  /** The sheet's name; the definition's sheet when absent. */
  sheetName?: string;
  /** 期间 line, e.g. "2026-11-01 至 2026-11-30". */
  period?: string;
  /** Filters in words, e.g. ["仓库：WH-01"]. */
  filters?: string[];
  /** Replaces the 期间 and 筛选 lines of the title block. */
  heading?: [string, string];
  /** Label and value lines under the title instead of the bureau/period/filters/time lines (a pick list's order). */
  details?: [string, string][];
  /** Rows in batches, in the order they appear. */
  batches: AsyncIterable<ReportRow[]> | Iterable<ReportRow[]>;
}

export interface ReportContent extends SheetContent {
  /** Called after each batch with the rows written so far (the CLI's progress bar). */
  onRows?: (rows: number) => void;
  /** Columns with a mask are written in full (finance); masked otherwise. */
  unmasked?: boolean;
}

const TITLE_ROWS = 6;
/** Row of the column headers (1-based) of a report with the standard title block: title block above, data below. */
export const HEADER_ROW = TITLE_ROWS + 1;

const quantityFormat = (scale: number) => (scale > 0 ? `#,##0.${'0'.repeat(scale)}` : '#,##0');
const FORMATS: Record<ReportColumn['kind'], string> = { text: '@', date: 'yyyy-mm-dd', money: '#,##0.00', quantity: '#,##0.000', integer: '#,##0', percent: '0.00%' };
const CENTRED = { horizontal: 'center' } as const;

export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
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
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e15) return value;
  return Number(new Decimal(value).toFixed(scale));
}

const CANONICAL = /^-?\d{1,15}(\.\d{1,15})?$/;
const decimalsOf = (text: string) => {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
};

/** Totals are summed exactly as integers of 10⁻⁶ (scales never exceed 6), of each value rounded to its cell's scale. */
const SUM_SCALE = 6;
function scaledUnits(value: Decimal | string | number, scale: number): bigint {
  let text = typeof value === 'string' && CANONICAL.test(value) && decimalsOf(value) <= scale ? value : new Decimal(value).toFixed(scale);
  const dot = text.indexOf('.');
  const decimals = dot < 0 ? 0 : text.length - dot - 1;
  if (dot >= 0) text = text.slice(0, dot) + text.slice(dot + 1);
  return BigInt(text + '0'.repeat(SUM_SCALE - decimals));
}
function unitsText(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(SUM_SCALE + 1, '0');
  const whole = digits.slice(0, digits.length - SUM_SCALE);
  const fraction = digits.slice(digits.length - SUM_SCALE, digits.length - SUM_SCALE + scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** Excel's serial day number of a YYYY-MM-DD date (days since 1899-12-30), cached: dates repeat. */
const serials = new Map<string, number>();
function dateSerial(value: string): number {
  const day = value.length === 10 ? value : value.slice(0, 10);
  let serial = serials.get(day);
  if (serial === undefined) {
    serial = Date.parse(`${day}T00:00:00Z`) / 86_400_000 + 25_569;
    if (serials.size > 20_000) serials.clear();
    serials.set(day, serial);
  }
  return serial;
}

type Style = Partial<ExcelJS.Style>;

/** What the writer needs of a column, worked out once per sheet: its shared styles and how a value becomes a cell. */
interface PlannedColumn {
  key: string;
  kind: ReportColumn['kind'];
  mask: ((text: string) => string) | null;
  style: Style;
  total: { units: bigint; scale: number } | null;
  /** Text columns: what fits on one line of the column, in the width units of the definition. */
  lineWidth: number | null;
}

/**
 * Lines a text needs in a column of `lineWidth` units at `fontSize` points: a Chinese character takes about
 * 1.8 units of an 11-point font, a Latin one about one (measured on LibreOffice's rendering). Neither Excel nor LibreOffice grows a streamed row
 * to fit wrapped text, so the writer sets the height of a row whose text wraps.
 */
function linesOf(text: string, lineWidth: number, fontSize: number): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) width += text.charCodeAt(i) >= 0x2e80 ? 1.8 : 1;
  return Math.max(1, Math.ceil((width * fontSize) / 11 / lineWidth));
}

/** The font of a table of `size` points (Calibri; Excel and LibreOffice fall back to a CJK face for Chinese). */
const fontOf = (size: number, bold = false): Partial<ExcelJS.Font> => ({ name: 'Calibri', family: 2, size, ...(bold ? { bold } : {}) });

/**
 * A sheet's shared cell styles. Rendered, a right-aligned count next to left-aligned text read as one word
 * ("1已报案"): counts and dates are centred; long text wraps within its column rather than spilling over
 * (or widening the page, which fit-to-width would then shrink).
 */
function stylesOf(fontSize: number) {
  const font = fontOf(fontSize);
  const middle = { vertical: 'middle' } as const;
  const figures = { vertical: 'middle', horizontal: 'right', indent: 1 } as const;
  const quantities: Style[] = [];
  return {
    text: { numFmt: '@', font, alignment: { ...middle, wrapText: true } } as Style,
    centred: (numFmt: string): Style => ({ numFmt, font, alignment: { ...middle, ...CENTRED } }),
    // Figures keep a character's distance from the text of the next column ("1,234.63 在途" read as one).
    number: (numFmt: string): Style => ({ numFmt, font, alignment: figures }),
    /** One style object per quantity scale, shared by every cell of that scale. */
    quantity: (scale: number): Style => (quantities[scale] ??= { numFmt: quantityFormat(scale), font, alignment: figures }),
  };
}
type Styles = ReturnType<typeof stylesOf>;

function plan(columns: ReportColumn[], unmasked: boolean, styles: Styles): PlannedColumn[] {
  return columns.map((c) => ({
    lineWidth: c.kind === 'text' ? Math.max(1, c.width - 0.5) : null,
    key: c.key, kind: c.kind,
    mask: c.mask && !unmasked ? (c.mask === 'idNumber' ? maskIdNumber : maskAccountNumber) : null,
    style: c.kind === 'text' ? styles.text : c.kind === 'integer' || c.kind === 'date' ? styles.centred(FORMATS[c.kind]) : c.kind === 'quantity' ? styles.quantity(3) : styles.number(FORMATS[c.kind]),
    total: c.total ? { units: 0n, scale: 0 } : null,
  }));
}

/** Decimal places a column's numbers are written with (quantities: the row's category). */
const scaleOf = (kind: ReportColumn['kind'], row: ReportRow): number =>
  kind === 'money' ? 2 : kind === 'quantity' ? (row.scale ?? 3) : kind === 'percent' ? 4 : 0;

/** Writes one cell; returns the lines its text needs (1 for anything else). */
function writeCell(row: ExcelJS.Row, index: number, column: PlannedColumn, source: ReportRow, styles: Styles, fontSize: number): number {
  const value = source[column.key];
  if (value === null || value === undefined || value === '') return 1;
  const cell = row.getCell(index);
  switch (column.kind) {
    case 'text': {
      // Typed text stays a string cell: exceljs writes a formula only for {formula} objects, so
      // "=HYPERLINK(…)", "+cmd|…", "@SUM(1)" and "-1+1" are shown, never evaluated.
      const text = String(value);
      cell.value = column.mask ? column.mask(text) : text;
      cell.style = column.style;
      return text.length * 1.8 * fontSize > 11 * column.lineWidth! ? linesOf(text, column.lineWidth!, fontSize) : 1;
    }
    case 'date':
      // A real Excel date: the serial day number under a date format (what Excel itself stores).
      cell.value = dateSerial(String(value));
      cell.style = column.style;
      return 1;
    default: {
      const scale = scaleOf(column.kind, source);
      cell.value = cellNumber(value, scale);
      cell.style = column.kind === 'quantity' ? styles.quantity(scale) : column.style;
      if (column.total) {
        column.total.units += scaledUnits(value, scale);
        if (scale > column.total.scale) column.total.scale = scale;
      }
      return 1;
    }
  }
}

/**
 * exceljs' sheet stream hands its 64 KiB buffers to the zip's compressor without waiting for it
 * (StreamBuf ignores write()'s answer), so rows produced faster than zlib deflates them pile up in memory
 * (600+ MB for a million rows once the database is read ahead). Bounding that backlog keeps the memory flat.
 */
const ZIP_BACKLOG = 16 * 1024 * 1024;

async function zipDrained(sheet: ExcelJS.Worksheet, out: Writable): Promise<void> {
  // The compressor (zlib on libuv's thread pool) is fed only when the event loop turns, and rows read
  // ahead come back as already-resolved promises: give it a turn after every batch, and past a backlog
  // of ZIP_BACKLOG bytes let it work the backlog down to half (not to empty, which would leave it idle
  // while the next rows are built).
  await new Promise((resolve) => setImmediate(resolve));
  // Its input is a readable-stream PassThrough, whose backlog shows on _writableState only.
  const pipes = (sheet as unknown as { stream?: { pipes?: (Writable & { _writableState?: { length?: number } })[] } }).stream?.pipes ?? [];
  for (const pipe of pipes) {
    if ((pipe._writableState?.length ?? 0) <= ZIP_BACKLOG) continue;
    while ((pipe._writableState?.length ?? 0) > ZIP_BACKLOG / 2) {
      if (out.destroyed) throw new Error('the report\'s reader went away');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  while (out.writableNeedDrain) await drained(out, out);
}

/** Waits for `stream` to drain; throws when the file's reader went away meanwhile (a cancelled download), rather than waiting for ever. */
async function drained(stream: NodeJS.EventEmitter, out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('the report\'s reader went away');
  const stop = new AbortController();
  try {
    // The loser is aborted below; its rejection (AbortError) is swallowed here.
    const settle = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
    await Promise.race([settle(once(stream, 'drain', { signal: stop.signal })), settle(once(out, 'close', { signal: stop.signal }))]);
  } finally {
    stop.abort();
  }
  if (out.destroyed) throw new Error('the report\'s reader went away');
}

export interface SheetPlan {
  definition: Pick<ReportDefinition, 'title' | 'sheet' | 'columns' | 'landscape' | 'signatures' | 'titleBlock' | 'totalLabel' | 'totalTexts' | 'fontSize'>;
  content: SheetContent;
}

function titleLines(definition: SheetPlan['definition'], content: SheetContent, generatedAt: string): [string, string | null, Partial<ExcelJS.Font>][] {
  if (content.details) return content.details.map(([label, value]) => [label, value, { bold: true, size: 10 }]);
  return [
    [BUREAU, null, { size: 11 }],
    [content.heading?.[0] ?? `期间：${content.period ?? ''}`, null, { size: 10 }],
    [content.heading?.[1] ?? `筛选：${content.filters?.length ? content.filters.join('；') : '全部'}`, null, { size: 10 }],
    [`生成时间：${generatedAt}`, null, { size: 10, color: { argb: 'FF595959' } }],
  ];
}

async function writeSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, { definition, content }: SheetPlan, out: Writable, options: { generatedAt: string; unmasked: boolean; rowsBefore: number; onRows?: (rows: number) => void }): Promise<number> {
  const columns = definition.columns;
  const last = columnLetter(columns.length - 1);
  const lines = definition.titleBlock ? titleLines(definition, content, options.generatedAt) : [];
  const headerRow = definition.titleBlock ? lines.length + 3 : 1;
  const footer = `&L${definition.title}&C第 &P 页，共 &N 页&R${BUREAU}`;
  const sheet = workbook.addWorksheet(content.sheetName ?? definition.sheet, {
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0, showGridLines: true }],
    pageSetup: {
      paperSize: 9, orientation: definition.landscape ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`, horizontalCentered: true,
      margins: { left: 0.3, right: 0.3, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: footer, evenFooter: footer },
  });
  sheet.columns = columns.map((c) => ({ key: c.key, width: c.width }));
  if (definition.titleBlock) {
    const title = sheet.getRow(1);
    title.getCell(1).value = definition.title;
    title.getCell(1).font = { bold: true, size: 16 };
    title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
    title.height = 26;
    sheet.mergeCells(`A1:${last}1`);
    title.commit();
    for (const [i, [text, value, font]] of lines.entries()) {
      const row = sheet.getRow(i + 2);
      row.getCell(1).value = text;
      row.getCell(1).font = font;
      row.getCell(1).alignment = { horizontal: 'left', vertical: 'middle' };
      if (value === null) {
        sheet.mergeCells(`A${i + 2}:${last}${i + 2}`);
      } else {
        // A label and its value (typed text, such as a destination: a string cell, never a formula).
        row.getCell(2).value = value;
        row.getCell(2).alignment = { horizontal: 'left', vertical: 'middle' };
        sheet.mergeCells(`B${i + 2}:${last}${i + 2}`);
      }
      row.commit();
    }
    sheet.getRow(headerRow - 1).commit();
  }
  const header = sheet.getRow(headerRow);
  const fontSize = definition.fontSize;
  const styles = stylesOf(fontSize);
  const headerStyle: Style = {
    font: fontOf(definition.fontSize, true), alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } }, border: { top: { style: 'thin' }, bottom: { style: 'thin' } },
  };
  for (const [i, c] of columns.entries()) {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.style = headerStyle;
  }
  // Two lines: a header wider than its column (应赔金额(元) over a figure) wraps instead of widening the page.
  header.height = 2.6 * definition.fontSize + 4;
  header.commit();

  const planned = plan(columns, options.unmasked, styles);
  let rowNumber = headerRow;
  for await (const batch of content.batches) {
    for (const source of batch) {
      const row = sheet.getRow(++rowNumber);
      let lines = 1;
      for (let i = 0; i < planned.length; i++) {
        const needed = writeCell(row, i + 1, planned[i]!, source, styles, fontSize);
        if (needed > lines) lines = needed;
      }
      if (lines > 1) row.height = Math.min(lines, 6) * fontSize * 1.35 + 3;
      row.commit();
    }
    options.onRows?.(options.rowsBefore + rowNumber - headerRow);
    // Back-pressure: a slow reader of the file, or a compressor behind the rows, holds the writer here
    // rather than in memory.
    await zipDrained(sheet, out);
  }
  const dataRows = rowNumber - headerRow;
  sheet.autoFilter = `A${headerRow}:${last}${rowNumber}`;
  if (planned.some((c) => c.total)) {
    rowNumber++;
    const row = sheet.getRow(rowNumber);
    const totalStyle: Style = { font: fontOf(definition.fontSize, true), alignment: { vertical: 'middle' }, border: { top: { style: 'thin' }, bottom: { style: 'double' } } };
    const texts = definition.totalTexts ?? { [columns[0]!.key]: `${definition.totalLabel}（{rows} 行）` };
    for (const [i, c] of planned.entries()) {
      const cell = row.getCell(i + 1);
      if (c.total) {
        const letter = columnLetter(i);
        const result = cellNumber(unitsText(c.total.units, c.total.scale), c.total.scale);
        cell.value = dataRows > 0 ? { formula: `SUM(${letter}${headerRow + 1}:${letter}${rowNumber - 1})`, result } : 0;
        cell.style = { ...totalStyle, numFmt: c.kind === 'quantity' ? quantityFormat(c.total.scale) : FORMATS[c.kind] };
      } else {
        const text = texts[c.key];
        if (text !== undefined) cell.value = text.replace('{rows}', String(dataRows));
        cell.style = totalStyle;
      }
    }
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
  return dataRows;
}

/** Writes the sheets (each a definition or an appendix with its content) as one workbook to `out`. */
export async function writeWorkbook(sheets: SheetPlan[], out: Writable, options: { generatedAt: string; unmasked?: boolean; onRows?: (rows: number) => void }): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  workbook.creator = BUREAU;
  let rows = 0;
  for (const sheet of sheets) {
    rows += await writeSheet(workbook, sheet, out, { generatedAt: options.generatedAt, unmasked: options.unmasked ?? false, rowsBefore: rows, ...(options.onRows ? { onRows: options.onRows } : {}) });
  }
  await workbook.commit();
}

export async function writeReport(definition: ReportDefinition, content: ReportContent, out: Writable, generatedAt: string): Promise<void> {
  await writeWorkbook([{ definition, content }], out, { generatedAt, ...(content.unmasked ? { unmasked: true } : {}), ...(content.onRows ? { onRows: content.onRows } : {}) });
}

/** The definition of a report's appendix sheet, inheriting print set-up from the report. */
export function appendixDefinition(definition: ReportDefinition): SheetPlan['definition'] | null {
  if (!definition.appendix) return null;
  return { ...definition, ...definition.appendix, signatures: [], totalTexts: undefined };
}

/** A workbook written in memory (a bank file, a pick list: hundreds of rows), for routes that answer with a Buffer. */
export async function workbookBuffer(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(out, 'end');
  await write(out);
  await ended;
  return Buffer.concat(chunks);
}
