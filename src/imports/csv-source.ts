import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { type FieldProblem, TooLargeError, ValidationError } from '../shared/errors.js';
import { findQuoteProblem, lineAt } from './csv-quotes.js';

/**
 * Blank lines and blank records are skipped here, not by csv-parse: its skip options also drop what they
 * skipped from `raw`, and `raw` is what physical line numbers are counted from (its `info.lines` counts
 * a CRLF inside a quoted cell as two lines). See csv-quotes.ts for `relax_quotes`.
 */
const PARSE_OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, trim: false } as const;

/**
 * Parsing in 64 Ki pieces lets other requests run while a large file is read. A cut never falls
 * inside a surrogate pair (CJK Extension B characters are valid GB18030): half a pair would decode as U+FFFD.
 */
export function* chunksOf(text: string, size = 65_536): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(start, end);
    start = end;
  }
}

/** Line ends in a record's `raw` (csv-parse keeps only the first character of a CRLF record end). */
function lineBreaksIn(raw: string): number {
  let breaks = 0;
  for (let at = 0; at < raw.length; at++) {
    const code = raw.charCodeAt(at);
    if (code === 10 || (code === 13 && raw.charCodeAt(at + 1) !== 10)) breaks++;
  }
  return breaks;
}

// Module level, not inside trimCell: tsx names every function it creates, so a closure made per call costs more than the trim.
const isSpace = (code: number) => code === 32 || code === 9;

/** Only ASCII spaces and tabs: a full-width space (U+3000) or a no-break space is part of the text. */
export function trimCell(cell: string): string {
  if (cell === '' || (!isSpace(cell.charCodeAt(0)) && !isSpace(cell.charCodeAt(cell.length - 1)))) return cell;
  let from = 0;
  let to = cell.length;
  while (from < to && isSpace(cell.charCodeAt(from))) from++;
  while (to > from && isSpace(cell.charCodeAt(to - 1))) to--;
  return cell.slice(from, to);
}

/** A record every cell of which is empty or spaces is skipped, unless it has more cells than the header. */
function skipped(record: string[], headerCells: number | null): boolean {
  return (headerCells === null || record.length <= headerCells) && record.every((cell) => trimCell(cell) === '');
}

export interface RecordLines {
  /** The physical line where each record starts (index 0 is the header); skipped records are left out. */
  lines: number[];
  /** Where csv-parse failed: the line where the record it could not read starts. */
  failedAt?: number;
}

/**
 * The physical line of every record, for reporting bad rows: records may span lines (quoted newlines)
 * and blank lines are skipped, so record n is not always line n + 1. A line ends at LF, CRLF or a lone CR.
 */
export async function recordLines(text: string): Promise<RecordLines> {
  const lines: number[] = [];
  let line = 1;
  let headerCells: number | null = null;
  const parser = Readable.from(chunksOf(text)).pipe(parse({ ...PARSE_OPTIONS, raw: true }));
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      if (!skipped(record, headerCells)) {
        lines.push(line);
        headerCells ??= record.length;
      }
      line += lineBreaksIn(raw);
    }
  } catch (error) {
    if (error instanceof CsvError) return { lines, failedAt: line };
    throw error;
  }
  return { lines };
}

export { decodeCsvBytes, type TextEncodingName } from './csv-charset.js';

/** Reads a stream into memory, refusing it as soon as it passes `maxBytes`. */
export async function readLimited(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new TooLargeError(`the file is larger than the limit of ${maxBytes} bytes`, { maxBytes });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export interface ColumnSpec<K extends string = string> {
  key: K;
  /** Accepted header names, Chinese first; matched trimmed and case-insensitively. */
  headers: readonly string[];
  required: boolean;
}

export interface CsvRecord<K extends string> {
  /**
   * The record's ordinal counting the header as 1, which is its line when every record is one line.
   * Counting physical lines costs the parser more than half its speed, so `recordLines` finds them
   * only when a file is refused (the runner puts them on the problems).
   */
  line: number;
  values: Partial<Record<K, string>>;
  /** Problems of the record as CSV (more cells than the header, a NUL character); its values are then not checked. */
  problems?: FieldProblem[];
  /** Column names as the file spells them, so problems name the column the user sees. */
  headerOf: (key: K) => string;
}

/** Maps the header row to column keys; every unknown or missing column is reported at once. */
export function mapHeader<K extends string>(header: string[], columns: readonly ColumnSpec<K>[], line = 1): (K | null)[] {
  const byName = new Map<string, K>();
  for (const column of columns) for (const name of column.headers) byName.set(name.trim().toLowerCase(), column.key);
  const problems: FieldProblem[] = [];
  const seen = new Set<K>();
  const keys = header.map((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (name === '') return null;
    if (name.includes('\0')) {
      problems.push({ line, field: `(column ${index + 1})`, value: raw.replaceAll('\0', '\\0'), reason: 'contains NUL characters (byte 0): is the file UTF-16 or damaged? save it from Excel as "CSV UTF-8" or "CSV"' });
      return null;
    }
    const key = byName.get(name);
    if (!key) {
      problems.push({ line, field: raw, reason: `unknown column (column ${index + 1}); expected one of: ${columns.map((c) => c.headers.join('/')).join(', ')}` });
      return null;
    }
    if (seen.has(key)) problems.push({ line, field: raw, reason: `column appears twice (column ${index + 1})` });
    seen.add(key);
    return key;
  });
  for (const column of columns) {
    if (column.required && !seen.has(column.key)) problems.push({ line, field: column.headers[0], reason: `required column is missing (${column.headers.join(' / ')})` });
  }
  if (problems.length) throw new ValidationError('the header row does not match the format', problems, 'BAD_HEADER');
  return keys;
}

/** Problems that make a record unreadable as a row of this header; none for a good record. */
function recordProblems<K extends string>(record: string[], keys: (K | null)[], line: number, nameOf: (index: number) => string, hasNul: boolean): FieldProblem[] | undefined {
  const problems: FieldProblem[] = [];
  if (record.length > keys.length) {
    const extra = record.slice(keys.length).find((cell) => cell !== '') ?? '';
    problems.push({ line, field: `(column ${keys.length + 1})`, value: [...extra].slice(0, 40).join(''), reason: `the row has ${record.length} cells but the header has ${keys.length}; extra cells are refused, not dropped` });
  }
  if (hasNul) {
    record.forEach((cell, index) => {
      if (cell.includes('\0')) problems.push({ line, field: nameOf(index), value: cell.replaceAll('\0', '\\0'), reason: 'contains a NUL character (byte 0), which text may not hold' });
    });
  }
  return problems.length ? problems : undefined;
}

/** A csv-parse failure (or an ambiguous quote) as a 422 naming the physical line. */
async function badCsv(text: string, error: unknown): Promise<ValidationError> {
  const quote = findQuoteProblem(text);
  if (quote) {
    return new ValidationError(`the file is not valid CSV: line ${lineAt(text, quote.at)}: ${quote.reason}`, [{ line: lineAt(text, quote.at), value: quote.value, reason: quote.reason }], 'BAD_CSV');
  }
  const { failedAt } = await recordLines(text);
  const reason = `${(error as Error).message.replace(/ at line \d+| on line \d+/g, '')} (${(error as CsvError).code})`;
  return new ValidationError(`the file is not valid CSV: line ${failedAt}: ${reason}`, [{ line: failedAt, reason }], 'BAD_CSV');
}

/**
 * The line end of a file whose every line ends the same way (all LF, or all CRLF), else null. Only such
 * files are split by `leanRecords`; csv-parse reads the rest (it settles on the first line end it meets).
 */
function uniformLineEnd(text: string): '\n' | '\r\n' | null {
  let cr = text.indexOf('\r');
  if (cr === -1) return '\n';
  for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', lf + 1)) if (text.charCodeAt(lf - 1) !== 13) return null;
  for (; cr !== -1; cr = text.indexOf('\r', cr + 1)) if (text.charCodeAt(cr + 1) !== 10) return null;
  return '\r\n';
}

/**
 * Records of a file whose quotes findQuoteProblem found unambiguous, read by the same rules as csv-parse
 * with PARSE_OPTIONS but several times faster: a `"` opens a quoted cell only as a cell's first character
 * (`""` inside is one quote, and the cell ends at its closing quote), anywhere else it is text; a BOM is dropped.
 * Null when the file's line ends are mixed (then csv-parse decides).
 */
export function leanRecords(text: string, shape: CsvShape = newShape()): Generator<string[]> | null {
  const eol = uniformLineEnd(text);
  if (eol === null) return null;
  shape.lean = true;
  return splitRecords(text, eol, shape);
}

/**
 * What a read found out about a file's form, for a reader that could take it as plain RFC 4180 CSV
 * (PostgreSQL's COPY … CSV): read by the lean splitter, every `"` opening or closing a quoted cell (none
 * inside unquoted text), no record skipped as blank.
 */
export interface CsvShape {
  lean: boolean;
  /** A cell read had spaces or tabs around it (CellsReader trims them). */
  padded: boolean;
  looseQuotes: boolean;
  skippedRecords: number;
}

export const newShape = (): CsvShape => ({ lean: false, padded: false, looseQuotes: false, skippedRecords: 0 });

function* splitRecords(text: string, eol: string, shape: CsvShape): Generator<string[]> {
  const end = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < end) {
    let lineEnd = text.indexOf(eol, pos);
    if (lineEnd === -1) lineEnd = end;
    const quoteAt = text.indexOf('"', pos);
    if (quoteAt === -1 || quoteAt > lineEnd) {
      // No quote on this line: a plain split.
      yield text.slice(pos, lineEnd).split(',');
      pos = lineEnd + eol.length;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      if (text.charCodeAt(pos) === 34) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) throw new Error('unclosed quote after findQuoteProblem'); // cannot happen: checked first
          if (text.charCodeAt(close + 1) === 34) {
            value += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          value += text.slice(from, close);
          pos = close + 1;
          break;
        }
        cells.push(value);
        if (pos > lineEnd) {
          lineEnd = text.indexOf(eol, pos);
          if (lineEnd === -1) lineEnd = end;
        }
      } else {
        const comma = text.indexOf(',', pos);
        const cellEnd = comma === -1 || comma > lineEnd ? lineEnd : comma;
        const cell = text.slice(pos, cellEnd);
        if (cell.includes('"')) shape.looseQuotes = true;
        cells.push(cell);
        pos = cellEnd;
      }
      if (pos >= end) break;
      if (pos === lineEnd) {
        pos += eol.length;
        break;
      }
      pos += 1; // the comma
    }
    yield cells;
  }
}

/** One record as cells, with the header's keys by position; see CsvRecord. */
export interface CsvCells<K extends string> {
  line: number;
  cells: string[];
  /** The column key of each cell position (null: a column the format does not read). */
  keys: readonly (K | null)[];
  problems?: FieldProblem[];
  headerOf: (key: K) => string;
}

const RECORDS_BETWEEN_PAUSES = 4096;

const RECORDS_PER_BATCH = 1024;

/**
 * Records as arrays of cells (not trimmed), by csv-parse or, where the file allows, `leanRecords`; handed
 * out in batches, so a large file costs no promise per record.
 */
export async function* readCsvCells<K extends string>(text: string, columns: readonly ColumnSpec<K>[], maxRows: number, shape: CsvShape = newShape()): AsyncGenerator<CsvCells<K>[]> {
  const quote = text.includes('"') ? findQuoteProblem(text) : null;
  if (quote) throw await badCsv(text, null);
  const hasNul = text.includes('\0');
  const lean = leanRecords(text, shape);
  const records: AsyncIterable<string[]> | Iterable<string[]> = lean ?? (Readable.from(chunksOf(text)).pipe(parse(PARSE_OPTIONS)) as AsyncIterable<string[]>);
  let keys: (K | null)[] | null = null;
  let headerOf: (key: K) => string = (key) => key;
  let nameOf: (index: number) => string = (index) => `(column ${index + 1})`;
  let blankBeforeHeader = 0;
  let rows = 0;
  let batch: CsvCells<K>[] = [];
  try {
    for await (const record of records) {
      if (skipped(record, keys?.length ?? null)) {
        if (!keys) blankBeforeHeader++;
        shape.skippedRecords++;
        continue;
      }
      if (!keys) {
        const header = record;
        keys = mapHeader(header, columns, 1 + blankBeforeHeader);
        const names = new Map<K, string>();
        keys.forEach((key, index) => key && names.set(key, header[index]!.trim()));
        const fallback = new Map(columns.map((c) => [c.key, c.headers[0]!]));
        headerOf = (key) => names.get(key) ?? fallback.get(key) ?? key;
        nameOf = (index) => (keys![index] ? headerOf(keys![index]!) : header[index]?.trim() || `(column ${index + 1})`);
        continue;
      }
      if (++rows > maxRows) throw new TooLargeError(`the file has more than ${maxRows} rows`, { maxRows });
      const line = rows + 1;
      const problems = recordProblems(record, keys, line, nameOf, hasNul);
      batch.push(problems ? { line, cells: record, keys, headerOf, problems } : { line, cells: record, keys, headerOf });
      if (batch.length === RECORDS_PER_BATCH) {
        yield batch;
        batch = [];
      }
      // The lean splitter never waits for input: let other requests run now and then.
      if (lean && rows % RECORDS_BETWEEN_PAUSES === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (batch.length > 0) yield batch;
  } catch (error) {
    if (error instanceof CsvError) throw await badCsv(text, error);
    throw error;
  }
  if (!keys) throw new ValidationError('the file is empty', [{ line: 1, reason: 'no header row' }], 'EMPTY_FILE');
}

/**
 * Streams CSV records (CRLF or LF) with their ordinals, header mapped to keys, cells trimmed of ASCII
 * spaces and tabs only. Row count is bounded: a file over `maxRows` is refused before anything is written.
 */
export async function* readCsvRecords<K extends string>(text: string, columns: readonly ColumnSpec<K>[], maxRows: number): AsyncGenerator<CsvRecord<K>> {
  for await (const batch of readCsvCells(text, columns, maxRows)) {
    for (const { line, cells, keys, headerOf, problems } of batch) {
      const values: Partial<Record<K, string>> = {};
      if (!problems) {
        cells.forEach((cell, index) => {
          const key = keys[index];
          if (key) values[key] = trimCell(cell);
        });
      }
      yield { line, values, headerOf, ...(problems ? { problems } : {}) };
    }
  }
}
