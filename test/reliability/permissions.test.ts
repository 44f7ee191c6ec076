// Proves that every route answers each role (admin, keeper of the warehouse, keeper of another, dispatcher, assessor, approver, finance, no token, deactivated user) as the permission table says, and that no route is missing from the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, checkPermissions, matrixFixture } from '../../reliability/permissions.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { targetOf } from './target.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('permission matrix', () => {
  it('every declared route × role gives the status class of the table', async () => {
    const target = targetOf(app);
    const openapi = (await app.request('GET', '/openapi.json')).body;
    const report = await checkPermissions(target, await matrixFixture(target), openapi);
    expect(report.failures).toEqual([]);
    expect(report.routes).toBeGreaterThan(50);
    expect(report.checked).toBe(report.routes * ROLES.length);
    // Some 650 requests one after another; two shared cores make that slower than the default 30 s.
  }, 180_000);
});
