// Proves that the command line says how many problems a refused file has: the first 50 and "… and N more", or every one with --all.
import { describe, expect, it } from 'vitest';
import { PRINTED_PROBLEMS, refusalLines } from '../../../src/cli/problems.js';
import { ValidationError } from '../../../src/shared/errors.js';

const refusal = (n: number) => new ValidationError(`catalog import refused: ${n} problems on ${n} rows; nothing was written`, Array.from({ length: n }, (_, i) => ({ line: i + 2, field: '编码', reason: 'required' })), 'IMPORT_REJECTED');

describe('refusalLines', () => {
  it('prints the first 50 of 387 problems and says how many more there are', () => {
    const lines = refusalLines(refusal(387), false);
    expect(lines[0]).toBe('IMPORT_REJECTED: catalog import refused: 387 problems on 387 rows; nothing was written');
    expect(lines).toHaveLength(1 + PRINTED_PROBLEMS + 1);
    expect(lines[1]).toBe('  {"line":2,"field":"编码","reason":"required"}');
    expect(lines.at(-1)).toBe('  … and 337 more (--all prints every one)');
  });

  it('prints every problem with --all, and no "more" line when all fit', () => {
    expect(refusalLines(refusal(387), true)).toHaveLength(388);
    expect(refusalLines(refusal(3), false)).toHaveLength(4);
  });

  it('prints the message of an unexpected error', () => {
    expect(refusalLines(new Error('ENOENT: no such file'), false)).toEqual(['ENOENT: no such file']);
  });
});
