import { Decimal } from '../shared/decimal.js';
import { parseDecimal } from '../shared/amounts.js';
import type { FieldProblem } from '../shared/errors.js';
import { trimCell } from './csv-source.js';

/** What `flag` reads as yes (after lower-casing). */
export const TRUE_FLAGS: readonly string[] = ['是', 'y', 'yes', 'true', '1', '启用'];

/**
 * Small readers for one CSV cell each. They push a problem naming line, column and value, and
 * return undefined, so a row can be checked completely before deciding it is bad.
 */
export class RowReader<K extends string> {
  constructor(
    private readonly values: Partial<Record<K, string>>,
    protected line: number,
    protected readonly problems: FieldProblem[],
    protected readonly headerOf: (key: K) => string,
  ) {}

  /** The cell of `key`, trimmed; undefined when the row has none. */
  protected value(key: K): string | undefined {
    return this.values[key];
  }

  private fail(key: K, reason: string): undefined {
    this.problems.push({ line: this.line, field: this.headerOf(key), value: this.value(key) ?? '', reason });
    return undefined;
  }

  text(key: K, options: { required: boolean; max: number; pattern?: RegExp; patternHint?: string }): string | null | undefined {
    const value: string = this.value(key) ?? '';
    if (value === '') return options.required ? this.fail(key, 'required') : null;
    // UTF-16 length bounds the code-point count from above: count code points only when it might matter.
    if (value.length > options.max && [...value].length > options.max) return this.fail(key, `longer than ${options.max} characters`);
    if (options.pattern && !options.pattern.test(value)) return this.fail(key, options.patternHint ?? `does not match ${options.pattern}`);
    return value;
  }

  integer(key: K, min: number, max: number): number | undefined {
    const value = this.value(key) ?? '';
    if (!/^\d+$/.test(value)) return this.fail(key, value === '' ? 'required' : 'must be a whole number');
    const parsed = Number.parseInt(value, 10);
    if (parsed < min || parsed > max) return this.fail(key, `must be between ${min} and ${max}`);
    return parsed;
  }

  decimal(key: K, options: { min: Decimal; max: Decimal; maxScale: number }): Decimal | undefined {
    const value = this.value(key) ?? '';
    const parsed = parseDecimal(value);
    if (!parsed) return this.fail(key, value === '' ? 'required' : 'must be a decimal number like 36.066900');
    if (parsed.decimalPlaces() > options.maxScale) return this.fail(key, `at most ${options.maxScale} decimal places`);
    if (parsed.lt(options.min) || parsed.gt(options.max)) return this.fail(key, `must be between ${options.min} and ${options.max}`);
    return parsed;
  }

  /** 是/否 as Chinese staff write it, and the usual English spellings. */
  flag(key: K, fallback?: boolean): boolean | undefined {
    const value = (this.value(key) ?? '').toLowerCase();
    if (value === '' && fallback !== undefined) return fallback;
    if (TRUE_FLAGS.includes(value)) return true;
    if (['否', 'n', 'no', 'false', '0', '停用'].includes(value)) return false;
    return this.fail(key, value === '' ? 'required (是 or 否)' : 'must be 是 or 否 (yes/no)');
  }

  oneOf<T extends string>(key: K, aliases: Record<string, T>): T | undefined {
    const value = this.value(key) ?? '';
    const found = aliases[value] ?? aliases[value.toUpperCase()];
    if (found) return found;
    return this.fail(key, `${value === '' ? 'required; ' : ''}must be one of ${Object.keys(aliases).join(', ')}`);
  }
}

/**
 * The same checks on a record's cells as read (no object per record): one reader for a whole file,
 * pointed at each record in turn, cells found by the header's column positions and trimmed when read.
 */
export class CellsReader<K extends string> extends RowReader<K> {
  private cells: readonly string[] = [];

  constructor(
    private readonly positions: Partial<Record<K, number>>,
    problems: FieldProblem[],
    headerOf: (key: K) => string,
    /** Told when a cell had spaces or tabs around it. */
    private readonly shape?: { padded: boolean },
  ) {
    super({}, 0, problems, headerOf);
  }

  /** Reads `cells` (record `line`) from now on. */
  at(cells: readonly string[], line: number): this {
    this.cells = cells;
    this.line = line;
    return this;
  }

  protected override value(key: K): string | undefined {
    const position = this.positions[key];
    const cell = position === undefined ? undefined : this.cells[position];
    if (cell === undefined) return undefined;
    const trimmed = trimCell(cell);
    if (trimmed !== cell && this.shape) this.shape.padded = true;
    return trimmed;
  }
}

export { Decimal };
