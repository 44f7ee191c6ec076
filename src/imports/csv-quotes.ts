/**
 * Quotes. A `"` opens a quoted cell only as the first character of a cell; anywhere else it is a
 * literal character, so a spec a clerk types (`DN65 2.5" 20m`) is read as written (csv-parse
 * `relax_quotes`). Three cases have no single reading and are refused: text after a quoted cell's
 * closing quote (`"12" pipe`: csv-parse would keep a half-unescaped mix), a quote preceded only by
 * spaces (` "a, b"`: a quoted cell meant, but split at its comma), and a quote never closed.
 * csv-parse reports none of the first two under `relax_quotes`, so this scan finds them first.
 */
export type QuoteProblem = { at: number; value: string; reason: string };

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Finds the first ambiguous quote, hopping from quote to quote (files without quotes cost one indexOf). */
export function findQuoteProblem(text: string): QuoteProblem | null {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lf = text.includes('\n');
  // In a file with LF line ends, csv-parse takes a lone CR for a character, not a record end.
  const endsCell = (code: number) => code === COMMA || code === LF || (code === CR && !lf);
  let at = text.indexOf('"', start);
  while (at !== -1) {
    if (at === start || endsCell(text.charCodeAt(at - 1))) {
      let close = at;
      for (;;) {
        close = text.indexOf('"', close + 1);
        if (close === -1) return { at, value: cellText(text, at, at + 1), reason: 'a quoted cell is never closed: this " opens a cell and no closing " follows' };
        if (text.charCodeAt(close + 1) !== QUOTE) break;
        close += 1; // "" is an escaped quote inside the cell
      }
      const next = text.charCodeAt(close + 1);
      if (close + 1 < text.length && next !== COMMA && next !== LF && next !== CR) {
        return { at, value: cellText(text, at, close + 1), reason: 'text follows the closing quote of a quoted cell; if the quotes are part of the text, quote the whole cell and double each quote inside it ("""12"" pipe")' };
      }
      at = text.indexOf('"', close + 1);
    } else {
      let before = at - 1;
      while (before >= start && (text.charCodeAt(before) === 32 || text.charCodeAt(before) === 9)) before--;
      if (before < start || endsCell(text.charCodeAt(before))) {
        return { at, value: cellText(text, before + 1, at + 1), reason: 'spaces before an opening quote: remove them, or the cell is split at its commas' };
      }
      at = text.indexOf('"', at + 1);
    }
  }
  return null;
}

/** The physical line (1-based) of a position: LF and CRLF end a line, and so does a lone CR in a file without LF. */
export function lineAt(text: string, position: number): number {
  const end = text.includes('\n') ? '\n' : '\r';
  let line = 1;
  for (let at = text.indexOf(end); at !== -1 && at < position; at = text.indexOf(end, at + 1)) line++;
  return line;
}

/** The cell from `from` to the next comma or line end at or after `scanFrom`, at most 40 characters, for a problem's `value`. */
function cellText(text: string, from: number, scanFrom: number): string {
  const end = text.slice(scanFrom, scanFrom + 200).search(/[,\r\n]/);
  const cell = text.slice(from, end === -1 ? scanFrom + 200 : scanFrom + end);
  return [...cell].slice(0, 40).join('');
}
