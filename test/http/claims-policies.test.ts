// Proves the products-as-data contract at the service level: a broken policy file stops start-up naming file and field, and a claim keeps the product version of its incident date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/claims/index.js';
import { loadConfig } from '../../src/config.js';
import { addDays } from '../../src/shared/dates.js';
import { buildServices } from '../../src/services.js';
import type { TestApp } from '../support/app.js';
import { TODAY, appWithPolicies, approve, createEvent, editedPolicies, registerAndAssess, residentId, staff, type Staff } from './claims.fixtures.js';

// STAMPEDE v1 ends ten days ago; v2 from then on raises the death/disability limit to 150,000.
const V2_FROM = addDays(TODAY, -10);
let app: TestApp;
let people: Staff;
beforeAll(async () => {
  const dir = editedPolicies({ STAMPEDE: (terms) => { terms.validTo = addDays(V2_FROM, -1); } });
  const v1 = JSON.parse(readFileSync(join(dir, 'STAMPEDE', '2020-07-31.v1.json'), 'utf8'));
  writeFileSync(join(dir, 'STAMPEDE', `${V2_FROM}.v2.json`), JSON.stringify({ ...v1, version: 2, validFrom: V2_FROM, validTo: null, deathDisabilityLimit: '150000.00' }, null, 2));
  app = await appWithPolicies(dir);
  people = await staff(app);
});
afterAll(() => app.close());

describe('a broken policy file stops start-up', () => {
  it('the loader and the services builder name the file and the field', () => {
    const dir = editedPolicies({ STAMPEDE: (terms) => { terms.medical.limit = 20000; } });
    const expected = /STAMPEDE\/2020-07-31\.v1\.json: medical\.limit: expected a money amount like "20000\.00"/;
    expect(() => loadPolicies(dir)).toThrow(expected);
    expect(() => buildServices(app.services.orm, { ...loadConfig({}), paths: { ...loadConfig({}).paths, policies: dir } })).toThrow(expected);
  });

  it('an unknown field and a benefit without its documents are named too', () => {
    const misspelt = editedPolicies({ BRAVE_DEED: (terms) => { terms.perEventLimt = null; } });
    expect(() => buildServices(app.services.orm, { ...loadConfig({}), paths: { ...loadConfig({}).paths, policies: misspelt } })).toThrow(/BRAVE_DEED\/2020-07-31\.v1\.json: perEventLimt: unknown field/);
    const undocumented = editedPolicies({ VOLUNTEER: (terms) => { delete terms.requiredDocuments.MEDICAL; } });
    expect(() => buildServices(app.services.orm, { ...loadConfig({}), paths: { ...loadConfig({}).paths, policies: undocumented } })).toThrow(/VOLUNTEER\/2020-07-31\.v1\.json: requiredDocuments\.MEDICAL/);
  });
});

describe('product versions', () => {
  it('GET /products lists both versions with their dates', async () => {
    const products = (await app.request('GET', '/products', { token: people.assessor })).body.items.filter((p: any) => p.code === 'STAMPEDE');
    expect(products.map((p: any) => [p.version, p.validFrom, p.validTo, p.deathDisabilityLimit])).toEqual([
      [1, '2020-07-31', addDays(V2_FROM, -1), '100000.00'],
      [2, V2_FROM, null, '150000.00'],
    ]);
  });

  it('a claim is assessed under the version in force on its incident date, and a reassessment keeps it', async () => {
    const before = addDays(V2_FROM, -3);
    const after = addDays(V2_FROM, 2);
    const oldEvent = await createEvent(app, people.assessor, 'STAMPEDE', before);
    const newEvent = await createEvent(app, people.assessor, 'STAMPEDE', after);
    const old = await registerAndAssess(app, people, { product: 'STAMPEDE', event: oldEvent, idNumber: residentId(1), incidentOn: before, items: [{ type: 'DEATH' }] });
    const recent = await registerAndAssess(app, people, { product: 'STAMPEDE', event: newEvent, idNumber: residentId(2), incidentOn: after, items: [{ type: 'DEATH' }] });
    expect([old.assessment.productVersion, old.assessment.total]).toEqual([1, '100000.00']);
    expect([recent.assessment.productVersion, recent.assessment.total]).toEqual([2, '150000.00']);

    await app.request('POST', `/claims/${old.id}/return`, { token: people.approver, body: { reason: '复核' } });
    const again = await app.request('POST', `/claims/${old.id}/assessment`, { token: people.assessor, body: { items: [{ type: 'DEATH' }] } });
    expect([again.body.productVersion, again.body.total]).toEqual([1, '100000.00']);
    await approve(app, people.approver, old.id);
    const detail = await approve(app, people.approver2, old.id);
    expect(detail).toMatchObject({ productVersion: 1, approved: '100000.00', assessment: { productVersion: 1 } });
  });
});
