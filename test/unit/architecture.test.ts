// Proves the conventions the codebase relies on: koa only in src/http, no binary floats for money or quantities, no focused or skipped tests, capability folders reached through their index.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();

function filesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, folder))) {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

const sources = filesUnder('src').map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);

describe('architecture', () => {
  it('only src/http knows koa', () => {
    const offenders = sources.filter((f) => !f.path.startsWith('src/http/') && importsOf(f.text).some((spec) => /^(koa|@koa\/)/.test(spec)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('money and quantities never pass through a JavaScript number', () => {
    const offenders = sources.filter((f) => /\b(parseFloat|Number\.parseFloat)\(|\.toNumber\(\)/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('decimal.js is imported only by src/shared/decimal.ts, so its precision setting always applies', () => {
    const offenders = sources.filter((f) => f.path !== 'src/shared/decimal.ts' && importsOf(f.text).includes('decimal.js'));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('the pure cores import no database, HTTP or file code', () => {
    const pure = sources.filter((f) => /^src\/(shared|stock\/core\/(nodes|movement|validation|posting|transfer-posting|fefo|stocktake|chain|balances|periods)|claims\/(assessment[a-z.-]*|claim-status|resident-id|policy-year|product-terms))\.ts$/.test(f.path));
    expect(pure.length).toBeGreaterThan(15);
    const forbidden = /^(@mikro-orm|pg|koa|@koa|node:fs|node:net|node:http|exceljs|csv-parse)/;
    const offenders = pure.flatMap((f) => importsOf(f.text).filter((spec) => forbidden.test(spec)).map((spec) => `${f.path} → ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('src/http and src/cli reach capabilities only through their public index', () => {
    const capabilities = ['catalog', 'stock', 'claims', 'users', 'imports', 'payouts', 'reports', 'allocation'];
    const offenders = sources
      .filter((f) => f.path.startsWith('src/http/') || f.path.startsWith('src/cli/'))
      .flatMap((f) => importsOf(f.text).filter((spec) => capabilities.some((c) => new RegExp(`/${c}/(?!index\\.js$)`).test(spec))).map((spec) => `${f.path} → ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('src/stock/core imports none of its sibling folders, and queries/ writes nothing through documents/', () => {
    const stock = sources.filter((f) => f.path.startsWith('src/stock/'));
    const offenders = stock.flatMap((f) => importsOf(f.text)
      .filter((spec) => (f.path.startsWith('src/stock/core/') && /^\.\.\/(posting|documents|queries|imports)\//.test(spec))
        || (f.path.startsWith('src/stock/queries/') && /^\.\.\/documents\//.test(spec)))
      .map((spec) => `${f.path} → ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('no test is focused, skipped or left as a todo', () => {
    const tests = filesUnder('test').map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
    const offenders = tests.filter((f) => f.path !== relative(ROOT, join(ROOT, 'test/unit/architecture.test.ts')) && /\b(it|test|describe)\.(skip|only|todo)\(|\bxit\(/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('every test file opens with a sentence on what it proves', () => {
    const tests = filesUnder('test').filter((path) => path.endsWith('.test.ts'));
    const silent = tests.filter((path) => !readFileSync(join(ROOT, path), 'utf8').startsWith('//'));
    expect(silent).toEqual([]);
  });
});
