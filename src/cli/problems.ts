import { DomainError } from '../shared/errors.js';

/** Problems printed for a refused file unless `--all` is given. */
export const PRINTED_PROBLEMS = 50;

/**
 * The lines the CLI writes to stderr for a failure: the code and message, then the problems, the first
 * `PRINTED_PROBLEMS` of them unless `all`, and how many more there are when some are left out.
 */
export function refusalLines(error: unknown, all: boolean): string[] {
  if (!(error instanceof DomainError)) return [(error as Error).message];
  const lines = [`${error.code}: ${error.message}`];
  if (!Array.isArray(error.details)) return lines;
  const shown = all ? error.details : error.details.slice(0, PRINTED_PROBLEMS);
  for (const problem of shown) lines.push(`  ${JSON.stringify(problem)}`);
  const more = error.details.length - shown.length;
  if (more > 0) lines.push(`  … and ${more} more (--all prints every one)`);
  return lines;
}
