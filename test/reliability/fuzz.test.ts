// Proves that hostile input in any path parameter, query parameter, JSON body field or CSV import of any declared route never gives a 5xx, always refuses with {error: {code, message, details: []}}, and writes nothing when it refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatViolations, fuzzRoutes, oversizedBodies } from '../../reliability/fuzz.js';
import { matrixFixture, type MatrixFixture } from '../../reliability/permissions.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { targetOf } from './target.js';

let app: TestApp;
let fx: MatrixFixture;
let openapi: any;
beforeAll(async () => {
  app = await startTestApp({ limits: { importBytes: 1024 * 1024, importRows: 1000, jsonBytes: 256 * 1024 } });
  fx = await matrixFixture(targetOf(app), 'FZ');
  openapi = (await app.request('GET', '/openapi.json')).body;
});
afterAll(() => app.close());

describe('fuzzing every route (short)', () => {
  it('hostile path, query, body and CSV inputs: no 5xx, the error contract, nothing written on a refusal', async () => {
    const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
    const report = await fuzzRoutes(targetOf(app), openapi, { runsPerRoute: 5, seed, tokens: fx.tokens });
    expect(report.inputs).toBeGreaterThan(250);
    expect(formatViolations(report.violations), `seed ${seed}`).toEqual([]);
  }, 120_000);

  it('a body over the limit on every POST and PUT: 413 in the error contract, nothing written', async () => {
    const report = await oversizedBodies(targetOf(app), openapi, fx.tokens, 300 * 1024);
    expect(formatViolations(report.violations)).toEqual([]);
  });
});
