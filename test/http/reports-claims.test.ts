// Proves the claims reports: the payouts summary totals equal /payouts/summary to the fen; the register and the overdue list carry the same claims, statuses and amounts as GET /claims, with ID and bank numbers masked for everyone but finance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import { PRODUCT_CODES, policyYearOf } from '../../src/claims/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TODAY, allDocuments, createEvent, intakeBody, onDay, residentId, staff, type Staff } from './claims.fixtures.js';
import { dataRows, download } from './reports.helpers.js';
import { seedWarehouses } from './stock.fixtures.js';
import { approvedClaim, post } from './payouts.fixtures.js';

let app: TestApp;
let people: Staff;
const OLD = addDays(TODAY, -120);
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  await seedWarehouses(app);
  const recent = await createEvent(app, people.assessor, 'TYPHOON');
  const old = await createEvent(app, people.assessor, 'TYPHOON', addDays(OLD, -2));
  const benefits = ['MEDICAL'] as const;
  const intake = async (event: string, id: number, incidentOn?: string) => {
    const body = intakeBody({ product: 'PUBLIC_LIABILITY', event, idNumber: residentId(id), benefits: [...benefits], ...(incidentOn ? { incidentOn } : {}), documents: allDocuments(app, 'PUBLIC_LIABILITY', [...benefits], incidentOn) });
    const reply = await app.request('POST', '/claims', { token: people.assessor, body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  };
  await onDay(app, OLD, () => intake(old, 1, addDays(OLD, -2)));
  await intake(recent, 2);
  await intake(recent, 3);
});
afterAll(() => app.close());

const claimsOf = async (query: string, token: string) => (await app.request('GET', `/claims?limit=500&${query}`, { token })).body.items;

describe('claims reports', () => {
  it('理赔案件登记表: every claim reported in the period, amounts and totals as GET /claims, numbers masked except for finance', async () => {
    const from = addDays(OLD, -10);
    const path = `/reports/claims-register.xlsx?from=${from}&to=${TODAY}`;
    const api = await claimsOf(`reportedFrom=${from}&reportedTo=${TODAY}`, people.finance);
    const asFinance = dataRows((await download(app, path, people.finance)).sheet!);
    const body = asFinance.slice(0, -1);
    expect(body.map((r) => r[0]).sort()).toEqual(api.map((c: any) => c.number).sort());
    for (const claim of api) {
      const row = body.find((r) => r[0] === claim.number)!;
      expect(row[6]).toBe(claim.idNumber);
      expect(row[7]).toBe(claim.bankAccountNumber);
      expect(row[13]).toBe(Number(claim.payable));
    }
    const total = asFinance.at(-1)!;
    expect(total[13]).toMatchObject({ formula: `SUM(N8:N${7 + body.length})` });
    // exceljs leaves out a cached result of 0 (Excel then shows the recalculated 0).
    expect((total[13] as { result?: number }).result ?? 0).toBe(api.reduce((s: number, c: any) => s + Math.round(Number(c.payable) * 100), 0) / 100);
    const masked = dataRows((await download(app, path, people.assessor)).sheet!).slice(0, -1);
    const ids = masked.map((r) => String(r[6]));
    expect(ids.every((id) => /^\d{6}\*{8}\d{3}[\dX]$/.test(id))).toBe(true);
    expect(masked.every((r) => /^\*+\d{4}$/.test(String(r[7])))).toBe(true); // bank accounts keep only their last 4
    expect((await download(app, path, await app.user('keeper-x', 'keeper', ['WH-A']))).status).toBe(403);
  });

  it('超期案件: the claims GET /claims?overdue=true lists, with days over', async () => {
    const api = await claimsOf('overdue=true', people.approver);
    expect(api.length).toBeGreaterThan(0);
    const rows = dataRows((await download(app, '/reports/overdue-claims.xlsx', people.approver)).sheet!).slice(0, -1);
    expect(rows.map((r) => r[0]).sort()).toEqual(api.map((c: any) => c.number).sort());
    expect(rows.every((r) => typeof r[16] === 'number' && (r[16] as number) > 0)).toBe(true);
  });

  it('赔付汇总: rows and totals equal GET /payouts/summary by product, month and district', async () => {
    const event = await createEvent(app, people.assessor, 'TYPHOON', undefined, '市北区');
    for (const [i, amount] of ['1234.56', '0.01', '9876.54'].entries()) {
      const claim = await approvedClaim(app, people, event, 4 + i, amount);
      expect((await post(app, people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: `R-${i}` })).status).toBe(200);
    }
    const from = addDays(TODAY, -400);
    const api = (await app.request('GET', `/payouts/summary?groupBy=product,month,district&from=${from}&to=${TODAY}`, { token: people.finance })).body;
    const file = await download(app, `/reports/payouts-summary.xlsx?from=${from}&to=${TODAY}`, people.finance);
    const rows = dataRows(file.sheet!);
    const body = rows.slice(0, -1);
    expect(body.map((r) => [r[0], r[1], r[2], r[3], r[4], r[8]])).toEqual(api.items.map((i: any) => [app.services.policies.versionFor(i.product, TODAY).nameZh, i.month, i.district, i.claims, i.payments, Number(i.paid)]));
    expect(rows.at(-1)![8]).toMatchObject({ formula: `SUM(I8:I${7 + body.length})`, result: Number(api.total) });
    expect((await download(app, `/reports/payouts-summary.xlsx?from=${from}&to=${TODAY}`, people.assessor)).status).toBe(403);

    // The 赔付率 sheet: per product and policy year of the period, exactly GET /products/:code/loss-ratio?year=.
    const ratios = file.workbook!.getWorksheet('赔付率')!;
    expect(ratios.getCell('A1').value).toBe('赔付率（按保单年度）');
    expect(ratios.getCell('J7').value).toBe('赔付率');
    const ratioRows = dataRows(ratios);
    const expected: unknown[][] = [];
    for (const code of PRODUCT_CODES) {
      for (let year = policyYearOf(from); year <= policyYearOf(TODAY); year++) {
        const item = (await app.request('GET', `/products/${code}/loss-ratio?year=${year}`, { token: people.finance })).body.items.find((i: any) => i.policyYear === year);
        expected.push([app.services.policies.versionFor(code, TODAY).nameZh, `${year}年度`, item.premium, item.claims, item.paid, item.lossRatio, item.netLossRatio].map(String));
      }
    }
    expect(ratioRows.map((r) => [r[0], r[1], (r[4] as number).toFixed(2), r[5], (r[6] as number).toFixed(2), (r[9] as number).toFixed(4), (r[10] as number).toFixed(4)].map(String))).toEqual(expected);
    // The typhoon's payments show: some ratio is not zero, and the cell is a percentage.
    expect(ratioRows.some((r) => (r[9] as number) > 0)).toBe(true);
    expect(ratios.getCell('J8').numFmt).toBe('0.00%');
  });
});
