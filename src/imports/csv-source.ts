import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { MalformedError, TooLargeError, ValidationError } from '../shared/errors.js';

const PARSE_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true, trim: false } as const;

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

/**
 * The real line of every record (index 0 is the header), for reporting bad rows: records may
 * span lines (quoted newlines) and blank lines are skipped, so record n is not always line n + 1.
 */
export async function recordLines(text: string): Promise<number[]> {
  const lines: number[] = [];
  const parser = Readable.from(chunksOf(text)).pipe(parse({ ...PARSE_OPTIONS, info: true }));
  for await (const { info } of parser as AsyncIterable<{ info: { lines: number } }>) lines.push(info.lines);
  return lines;
}

export type TextEncodingName = 'utf-8' | 'gb18030';

/**
 * Excel on a Chinese Windows saves CSV as GBK/GB18030; elsewhere it is UTF-8, with or without BOM.
 * A strict UTF-8 decode decides: GBK text of any length is almost never valid UTF-8.
 */
export function decodeCsvBytes(bytes: Buffer): { text: string; encoding: TextEncodingName } {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    try {
      return { text: new TextDecoder('gb18030', { fatal: true }).decode(body), encoding: 'gb18030' };
    } catch {
      throw new MalformedError('the file is neither UTF-8 nor GB18030/GBK text; save it from Excel as "CSV UTF-8" or "CSV"');
    }
  }
}

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
   * 1-based line of the record, assuming one line per record (the header is line 1). Counting real
   * lines costs the parser more than half its speed, so `recordLines` finds them only for bad rows.
   */
  line: number;
  values: Partial<Record<K, string>>;
  /** Column names as the file spells them, so problems name the column the user sees. */
  headerOf: (key: K) => string;
}

/** Maps the header row to column keys; every unknown or missing column is reported at once. */
export function mapHeader<K extends string>(header: string[], columns: readonly ColumnSpec<K>[]): (K | null)[] {
  const byName = new Map<string, K>();
  for (const column of columns) for (const name of column.headers) byName.set(name.trim().toLowerCase(), column.key);
  const problems = [];
  const seen = new Set<K>();
  const keys = header.map((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (name === '') return null;
    const key = byName.get(name);
    if (!key) {
      problems.push({ line: 1, field: raw, reason: `unknown column (column ${index + 1}); expected one of: ${columns.map((c) => c.headers.join('/')).join(', ')}` });
      return null;
    }
    if (seen.has(key)) problems.push({ line: 1, field: raw, reason: `column appears twice (column ${index + 1})` });
    seen.add(key);
    return key;
  });
  for (const column of columns) {
    if (column.required && !seen.has(column.key)) problems.push({ line: 1, field: column.headers[0], reason: `required column is missing (${column.headers.join(' / ')})` });
  }
  if (problems.length) throw new ValidationError('the header row does not match the format', problems, 'BAD_HEADER');
  return keys;
}

/**
 * Streams CSV records (CRLF or LF) with their line numbers, header mapped to keys.
 * Row count is bounded: a file over `maxRows` is refused before anything is written.
 */
export async function* readCsvRecords<K extends string>(text: string, columns: readonly ColumnSpec<K>[], maxRows: number): AsyncGenerator<CsvRecord<K>> {
  const parser = Readable.from(chunksOf(text)).pipe(parse(PARSE_OPTIONS));
  let keys: (K | null)[] | null = null;
  let headerOf: (key: K) => string = (key) => key;
  let rows = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!keys) {
        keys = mapHeader(record, columns);
        const names = new Map<K, string>();
        keys.forEach((key, index) => key && names.set(key, record[index]!.trim()));
        const fallback = new Map(columns.map((c) => [c.key, c.headers[0]!]));
        headerOf = (key) => names.get(key) ?? fallback.get(key) ?? key;
        continue;
      }
      if (++rows > maxRows) throw new TooLargeError(`the file has more than ${maxRows} rows`, { maxRows });
      const values: Partial<Record<K, string>> = {};
      record.forEach((cell, index) => {
        const key = keys![index];
        if (key) values[key] = cell.trim();
      });
      yield { line: rows + 1, values, headerOf };
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('CSV_')) {
      const line = (error as { lines?: number }).lines;
      throw new ValidationError('the file is not valid CSV', [{ line, reason: error.message }], 'BAD_CSV');
    }
    throw error;
  }
  if (!keys) throw new ValidationError('the file is empty', [{ line: 1, reason: 'no header row' }], 'EMPTY_FILE');
}
