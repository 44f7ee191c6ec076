// Proves that `npm test` itself reports a red run: a known-failing file run through the very same command
// and set-up (the embedded PostgreSQL included) exits non-zero, and a known-passing one exits 0.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function npmTest(file: string) {
  const run = spawnSync('npm', ['test'], {
    env: { ...process.env, RELIEF_TEST_INCLUDE: file },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, lastLine: run.stdout.trim().split('\n').at(-1) };
}

describe('npm test exit status', () => {
  it('is non-zero when a test fails, and says so in the summary line', () => {
    const run = npmTest('test/fixtures/failing/always-fails.fixture.ts');
    expect(run.lastLine).toBe('0 passed, 1 failed, 0 skipped');
    expect(run.status).not.toBe(0);
  }, 120_000);

  it('is zero when every test passes', () => {
    const run = npmTest('test/fixtures/passing/always-passes.fixture.ts');
    expect(run.lastLine).toBe('1 passed, 0 failed, 0 skipped');
    expect(run.status).toBe(0);
  }, 120_000);
});
