// Proves a category whose ledger has started keeps its lot rule and never shrinks its scale: the import refuses it row by row, and the database refuses it on any other path.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory, receipt, seedWarehouses } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

it('refuses to shrink the scale or change the lot rule of a category with ledger entries, and allows the rest', async () => {
  const rice = await newCategory(app, 'rice');
  const untouched = await newCategory(app, 'rice');
  expect((await receipt(app, 'WH-A', [{ category: rice, quantity: '1.250' }])).status).toBe(201);

  const header = 'code,name,majorClass,minorClass,unit,scale,lotTracked';
  const shrink = await app.request('POST', '/imports/catalog', { raw: `${header}\n${rice},大米,生活保障物资,测试,t,0,是\n${untouched},大米,生活保障物资,测试,t,0,否\n` });
  expect(shrink.status).toBe(422);
  expect(shrink.body.error.details).toEqual([
    expect.objectContaining({ line: 2, field: 'scale', value: '0' }),
    expect.objectContaining({ line: 2, field: 'lotTracked', value: '是' }),
  ]);
  expect((await app.request('GET', `/categories/${untouched}`)).body.scale).toBe(3);

  const grow = await app.request('POST', '/imports/catalog', { raw: `${header}\n${rice},大米(袋装),生活保障物资,测试,t,3,否\n${untouched},大米,生活保障物资,测试,t,0,否\n` });
  expect(grow.body).toMatchObject({ updated: 2 });

  await expect(app.sql('UPDATE categories SET scale = 0 WHERE code = ?', [rice])).rejects.toThrow(/ledger entries/);
  await expect(app.sql('UPDATE categories SET lot_tracked = true WHERE code = ?', [rice])).rejects.toThrow(/ledger entries/);
});
