// Proves the console's typed client matches the service: the API types are generated from the OpenAPI document built in-process, then the console is type-checked against them, so a changed route breaks this test rather than the console's users.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('console type check', () => {
  it('the generated API types describe every route and the console compiles against them', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-console.ts', '--types-only'], { stdio: 'pipe' });
    const types = readFileSync('console/src/api/schema.d.ts', 'utf8');
    for (const path of ['"/session"', '"/balances"', '"/claims/{id}/assessment"', '"/payout-batches/{id}/confirm"']) expect(types).toContain(path);
    let output = '';
    try {
      execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'console/tsconfig.json'], { stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output, 'tsc over console/ reported errors').toBe('');
  }, 180_000);
});
