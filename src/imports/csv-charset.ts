import { isAscii } from 'node:buffer';
import { MalformedError, ValidationError } from '../shared/errors.js';

export type TextEncodingName = 'utf-8' | 'gb18030';

/** Charset names a client may declare; GBK and GB2312 are subsets of GB18030, so one decoder reads all three. */
const CHARSETS: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8', utf8: 'utf-8',
  gb18030: 'gb18030', gbk: 'gb18030', gb2312: 'gb18030', 'x-gbk': 'gb18030', cp936: 'gb18030', 'windows-936': 'gb18030',
};

export const ACCEPTED_CHARSETS = 'utf-8, gb18030, gbk, gb2312';

/** The encoding a declared charset name stands for (`undefined` when none is declared). */
export function charsetNamed(declared: string | undefined): TextEncodingName | undefined {
  const name = (declared ?? '').trim().replace(/^"|"$/g, '').toLowerCase();
  if (name === '') return undefined;
  const encoding = CHARSETS[name];
  if (!encoding) {
    throw new ValidationError(`charset ${declared} is not supported; send one of ${ACCEPTED_CHARSETS}`, [{ field: 'charset', value: declared, reason: `one of ${ACCEPTED_CHARSETS}` }], 'UNSUPPORTED_CHARSET');
  }
  return encoding;
}

function decodeStrict(bytes: Uint8Array, encoding: TextEncodingName): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** How many cells of the first line are known column names (trimmed, case-insensitive). */
function knownHeaderCells(text: string, known: ReadonlySet<string>): number {
  const end = text.search(/[\r\n]/);
  return (end === -1 ? text : text.slice(0, end)).split(',').filter((cell) => known.has(cell.replace(/^"|"$/g, '').trim().toLowerCase())).length;
}

/** The first line on which the two readings differ, for the user to see which one is right. */
function firstDifference(utf8: string, gb: string): { line: number; utf8: string; gb18030: string } {
  const a = utf8.split('\n');
  const b = gb.split('\n');
  let index = 0;
  while (index < a.length - 1 && a[index] === b[index]) index++;
  const cut = (s: string | undefined) => [...(s ?? '').replace(/\r$/, '')].slice(0, 80).join('');
  return { line: index + 1, utf8: cut(a[index]), gb18030: cut(b[index]) };
}

export interface DecodeOptions {
  /** The charset the sender declared (`Content-Type: text/csv; charset=…` or `--charset`). */
  charset?: string;
  /** Every accepted header name of the format: a header that reads as known names in one encoding only settles it. */
  headers?: readonly string[];
}

/**
 * A declared charset is obeyed. Without one: a UTF-8 BOM or pure ASCII means UTF-8; bytes valid in only
 * one of UTF-8 and GB18030 (Excel on a Chinese Windows) are read in that one; bytes valid in both are
 * read in the one whose header row names known columns. Otherwise the file is refused rather than
 * guessed at: a short GBK file with English headers can be valid UTF-8 and would be stored as mojibake.
 */
export function decodeCsvBytes(bytes: Buffer, options: DecodeOptions = {}): { text: string; encoding: TextEncodingName } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new MalformedError('the file is UTF-16 text, which is not accepted; save it from Excel as "CSV UTF-8" or "CSV"');
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  const declared = charsetNamed(options.charset);
  if (declared === 'gb18030' && bom) {
    throw new ValidationError('the file starts with a UTF-8 byte order mark but was declared as GB18030', [{ line: 1, field: 'charset', value: options.charset, reason: 'declare charset=utf-8, or send the file without the mark' }], 'CHARSET_MISMATCH');
  }
  const wanted = declared ?? (bom || isAscii(body) ? 'utf-8' : undefined);
  if (wanted) {
    const text = decodeStrict(body, wanted);
    if (text === null) throw new MalformedError(`the file is not valid ${wanted === 'utf-8' ? 'UTF-8' : 'GB18030/GBK'} text${declared ? ` although it was declared as ${options.charset}` : ''}`);
    return { text, encoding: wanted };
  }
  const utf8 = decodeStrict(body, 'utf-8');
  const gb = decodeStrict(body, 'gb18030');
  if (utf8 !== null && gb === null) return { text: utf8, encoding: 'utf-8' };
  if (gb !== null && utf8 === null) return { text: gb, encoding: 'gb18030' };
  if (utf8 === null || gb === null) throw new MalformedError('the file is neither UTF-8 nor GB18030/GBK text; save it from Excel as "CSV UTF-8" or "CSV"');
  const known = new Set((options.headers ?? []).map((name) => name.trim().toLowerCase()));
  const utf8Known = knownHeaderCells(utf8, known);
  const gbKnown = knownHeaderCells(gb, known);
  if (utf8Known > gbKnown) return { text: utf8, encoding: 'utf-8' };
  if (gbKnown > utf8Known) return { text: gb, encoding: 'gb18030' };
  const sample = firstDifference(utf8, gb);
  throw new ValidationError(
    'the file reads as valid text both in UTF-8 and in GB18030/GBK, and its header does not tell which; say which: Content-Type: text/csv; charset=utf-8 (or charset=gb18030), or --charset on the command line',
    [{ line: sample.line, field: 'charset', value: { 'utf-8': sample.utf8, gb18030: sample.gb18030 }, reason: 'this line reads differently in UTF-8 and in GB18030; declare the charset' }],
    'AMBIGUOUS_CHARSET',
  );
}
