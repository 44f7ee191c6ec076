import { type FieldProblem, ValidationError } from '../shared/errors.js';

/**
 * Text PostgreSQL cannot store: NUL (refused by `text` and `jsonb`) and UTF-16 surrogates that are not
 * part of a pair (no UTF-8 encoding exists for them). Checked once at the edge, on every string of the
 * parsed body, the query and the path, so no route can pass one on to the database and fail with a 500.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** JSON nesting deeper than this is refused rather than walked (a body is at most a few levels deep). */
const MAX_DEPTH = 64;
/** One problem per bad string is enough to fix the request; more only make the reply long. */
const MAX_PROBLEMS = 20;

export function textProblem(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  const unit = found[0]!.charCodeAt(0);
  if (unit === 0) return 'must not contain the NUL character (\\u0000)';
  return `must be valid Unicode text: contains a lone surrogate \\u${unit.toString(16).padStart(4, '0')}`;
}

/** A bad key is named with its bad characters written as \\u escapes, so the reply itself stays storable text. */
function escapeUnstorable(text: string): string {
  return text.replace(/[\u0000\ud800-\udfff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** lines.0.quantity → lines[0].quantity, the form the domain's own errors use. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`)).join('');
}

/** Every string (values and keys) of a parsed JSON value that cannot be stored, each named by its path. */
export function unstorableStrings(value: unknown, path: PropertyKey[] = [], problems: FieldProblem[] = []): FieldProblem[] {
  if (problems.length >= MAX_PROBLEMS) return problems;
  if (typeof value === 'string') {
    const reason = textProblem(value);
    if (reason) problems.push({ field: fieldPath(path) || '(body)', reason });
  } else if (path.length > MAX_DEPTH) {
    problems.push({ field: fieldPath(path), reason: `nested deeper than ${MAX_DEPTH} levels` });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => unstorableStrings(item, [...path, index], problems));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const reason = textProblem(key);
      if (reason) problems.push({ field: fieldPath([...path, escapeUnstorable(key)]), reason: `the key ${reason}` });
      else unstorableStrings(item, [...path, key], problems);
    }
  }
  return problems;
}

/** Throws a 422 naming every field (body path, query or path parameter name) with unstorable text. */
export function refuseUnstorableText(where: string, value: unknown): void {
  const problems = unstorableStrings(value);
  if (problems.length === 0) return;
  throw new ValidationError(`invalid ${where}: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`, problems);
}
