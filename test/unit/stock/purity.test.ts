// Proves the pure ledger core imports nothing but shared/, node:crypto and its own pure files, so it stays free of database and HTTP code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The pure core lives in src/stock/core/; services, SQL and queries sit in the sibling folders.
const PURE_FILES = ['nodes', 'movement', 'validation', 'posting', 'transfer-posting', 'fefo', 'stocktake', 'chain', 'balances', 'periods'];
const ALLOWED = [/^\.\.\/\.\.\/shared\/[a-z-]+\.js$/, /^node:crypto$/, new RegExp(`^\\./(${PURE_FILES.join('|')})\\.js$`)];

function importsOf(file: string): string[] {
  const source = readFileSync(new URL(`../../../src/stock/core/${file}.ts`, import.meta.url), 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
}

describe('pure stock core', () => {
  it.each(PURE_FILES)('%s.ts imports only shared/, node:crypto and pure stock files', (file) => {
    const imports = importsOf(file);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((spec) => !ALLOWED.some((pattern) => pattern.test(spec)))).toEqual([]);
  });

  it('never imports decimal.js directly, so the shared precision setting always applies', () => {
    for (const file of PURE_FILES) expect(importsOf(file)).not.toContain('decimal.js');
  });
});
