// Proves a half-year of payouts end to end over the API: 115 claims across the six products go from intake through survey, assessment and approval to monthly batches, bank files and the bank's answers (three failures reissued after a bank correction, one payment returned and reissued, one advance approved and paid through its own batch, one payment outside a batch); 5,165,000.00 yuan is paid, and the payout summary and the loss ratios agree with the sum of the individual payments to the fen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/shared/decimal.js';
import { addDays } from '../../src/shared/dates.js';
import { policyYearOf, residentIdCheckCharacter } from '../../src/claims/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TODAY, allDocuments, approve, createEvent, intakeBody, onDay, registerAndAssess, staff, type Staff } from './claims.fixtures.js';
import { post } from './payouts.fixtures.js';

let app: TestApp;
let people: Staff;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
});
afterAll(() => app.close());

/** Distinct valid resident IDs for the scenario's people (the check character is not what this test is about). */
const personId = (n: number) => {
  const first17 = `370203198506${String(1 + Math.floor(n / 900)).padStart(2, '0')}${String(100 + (n % 900)).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
};

/** Runs `work` with both the claims and the payouts clocks on `day`, as if finance had worked then. */
async function onFinanceDay<T>(day: string, work: () => Promise<T>): Promise<T> {
  const ctx = (app.services.payouts as unknown as { ctx: { today: () => string } }).ctx;
  const real = ctx.today;
  ctx.today = () => day;
  try {
    return await onDay(app, day, work);
  } finally {
    ctx.today = real;
  }
}

interface Kind { product: string; event: string; item: unknown; amount: string; count: number }
const disability = (grade: number) => ({ type: 'DISABILITY', grade });
// 40×50,000 + 20×50,000 + 20×50,000 + 10×40,000 + 10×40,000 + 10×30,000 + 3×20,000 + 4,321.09 + 678.91 = 5,165,000.00
const KINDS: Kind[] = [
  { product: 'PUBLIC_LIABILITY', event: 'TYPHOON', item: disability(6), amount: '50000.00', count: 40 },
  { product: 'EMERGENCY_RESPONSE', event: 'FIRE', item: disability(6), amount: '50000.00', count: 20 },
  { product: 'CRIMINAL_INJURY', event: 'CRIMINAL_CASE', item: disability(6), amount: '50000.00', count: 20 },
  { product: 'STAMPEDE', event: 'STAMPEDE', item: disability(7), amount: '40000.00', count: 10 },
  { product: 'VOLUNTEER', event: 'VOLUNTEER_ACTIVITY', item: disability(9), amount: '40000.00', count: 10 },
  { product: 'BRAVE_DEED', event: 'BRAVE_DEED', item: disability(10), amount: '30000.00', count: 10 },
  { product: 'PUBLIC_LIABILITY', event: 'TYPHOON', item: { type: 'MEDICAL', invoices: [{ number: 'SC-M', amount: '20000.00' }] }, amount: '20000.00', count: 3 },
  { product: 'PUBLIC_LIABILITY', event: 'TYPHOON', item: { type: 'MEDICAL', invoices: [{ number: 'SC-M', amount: '4321.09' }] }, amount: '4321.09', count: 1 },
  { product: 'PUBLIC_LIABILITY', event: 'TYPHOON', item: { type: 'MEDICAL', invoices: [{ number: 'SC-M', amount: '678.91' }] }, amount: '678.91', count: 1 },
];
const DISTRICTS = ['市南区', '市北区', '李沧区', '崂山区', '黄岛区', '城阳区'];
const MONTHS = 6;
const startOf = (month: number) => addDays(TODAY, -175 + month * 30);

interface Planned { kind: Kind; month: number; person: number; id?: string; number?: string }

describe('a half-year of payouts', () => {
  it('pays 5,165,000.00 yuan, and the summary and loss ratios agree with the individual payments to the fen', async () => {
    const planned: Planned[] = [];
    for (const kind of KINDS) for (let i = 0; i < kind.count; i++) planned.push({ kind, month: planned.length % MONTHS, person: planned.length });
    expect(planned.length).toBe(115);
    expect(planned.reduce((total, p) => total.plus(p.kind.amount), new Decimal(0)).toFixed(2)).toBe('5165000.00');

    const failedToCorrect: Planned[] = [];
    let returnedPayment: { id: string; claim: Planned } | null = null;
    let advanced: Planned | null = null;
    let paidDirect: Planned | null = null;
    for (let month = 0; month < MONTHS; month++) {
      const day = startOf(month);
      const events = new Map<string, string>();
      const ofMonth = planned.filter((p) => p.month === month);
      await onFinanceDay(addDays(day, 1), async () => {
        for (const p of ofMonth) {
          const key = `${p.kind.event}`;
          if (!events.has(key)) events.set(key, await createEvent(app, people.assessor, p.kind.event, day, DISTRICTS[month]!));
          const items = [JSON.parse(JSON.stringify(p.kind.item).replace('"SC-M"', `"SC-M-${p.person}"`))];
          if (p.kind.product === 'BRAVE_DEED' && !advanced) {
            // The brave-deed hero's hospital gets 10,000.00 before the assessment; the batch pays the rest.
            advanced = p;
            const intake = await post(app, people.assessor, '/claims', intakeBody({ product: p.kind.product, event: events.get(key)!, idNumber: personId(p.person), incidentOn: day, benefits: ['DISABILITY'] }));
            expect(intake.status, JSON.stringify(intake.body)).toBe(201);
            Object.assign(p, { id: intake.body.id, number: intake.body.number });
            expect((await post(app, people.finance, `/claims/${p.id}/advance`, { amount: '10000.00' })).status).toBe(200);
            // The approved advance is a payable amount: a batch collects it (purpose ADVANCE) and the bank pays it.
            const advanceBatch = await post(app, people.finance, '/payout-batches', { claims: [p.number] });
            expect(advanceBatch.body).toMatchObject({ total: '10000.00', lines: [{ claim: p.number, amount: '10000.00', purpose: 'ADVANCE' }] });
            expect((await app.request('GET', `/payout-batches/${advanceBatch.body.id}/bank-file.csv`, { token: people.finance })).status).toBe(200);
            const advancePaid = await post(app, people.finance, `/payout-batches/${advanceBatch.body.id}/confirm`, { lines: [{ claim: p.number, status: 'PAID', bankReference: 'BK-ADV', paidOn: addDays(day, 1) }] });
            expect(advancePaid.body).toMatchObject({ status: 'CONFIRMED', paid: 1 });
            await post(app, people.assessor, `/claims/${p.id}/survey`, { surveyedOn: day, findings: '属实', documentsReceived: allDocuments(app, p.kind.product, ['DISABILITY'], day) });
            expect((await post(app, people.assessor, `/claims/${p.id}/assessment`, { items })).body.remaining).toBe('20000.00');
          } else {
            const walked = await registerAndAssess(app, people, { product: p.kind.product, event: events.get(key)!, idNumber: personId(p.person), incidentOn: day, items });
            expect(walked.assessment.total).toBe(p.kind.amount);
            Object.assign(p, { id: walked.id, number: walked.number });
          }
          expect((await approve(app, people.approver, p.id!)).status).toBe('APPROVED');
        }
      });
      await onFinanceDay(addDays(day, 3), async () => {
        if (month === 1) {
          // One claim paid by finance outside any batch.
          paidDirect = ofMonth[0]!;
          expect((await post(app, people.finance, `/claims/${paidDirect.id}/pay`, { paidOn: addDays(day, 3), reference: 'DIRECT-1' })).body.status).toBe('CLOSED');
        }
        const inBatch = ofMonth.filter((p) => p !== paidDirect).map((p) => p.number!);
        for (const p of failedToCorrect.splice(0)) {
          const fixed = await app.request('PUT', `/claims/${p.id}/bank`, { token: people.finance, body: { accountName: '张三', accountNumber: `621700001111${String(p.person).padStart(7, '0')}`, bankName: '中国建设银行青岛分行', reason: '银行退回：账号有误' } });
          expect(fixed.status).toBe(200);
          inBatch.push(p.number!);
        }
        if (returnedPayment) inBatch.push(returnedPayment.claim.number!);
        const batch = await post(app, people.finance, '/payout-batches', { claims: inBatch });
        expect(batch.status, JSON.stringify(batch.body)).toBe(201);
        const csv = await app.request('GET', `/payout-batches/${batch.body.id}/bank-file.csv`, { token: people.finance });
        expect(csv.status).toBe(200);
        const failing = month === 1 ? ofMonth.filter((p) => p !== paidDirect).slice(0, 3) : [];
        const lines = batch.body.lines.map((line: any) => failing.some((p) => p.number === line.claim)
          ? { claim: line.claim, status: 'FAILED', reason: '账号户名不符' }
          : { claim: line.claim, status: 'PAID', bankReference: `BK-${month}-${line.position}`, paidOn: addDays(day, 3) });
        const answer = month % 2 === 0
          ? await post(app, people.finance, `/payout-batches/${batch.body.id}/confirm`, { lines })
          : await app.request('POST', `/payout-batches/${batch.body.id}/return-file`, {
            token: people.finance,
            raw: ['用途,状态,银行流水号,交易日期,失败原因', ...lines.map((l: any) => `${l.claim},${l.status === 'PAID' ? '成功' : '失败'},${l.bankReference ?? ''},${l.paidOn ?? ''},${l.reason ?? ''}`)].join('\n'),
          });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body).toMatchObject({ status: 'CONFIRMED', failed: failing.length });
        failedToCorrect.push(...failing);
        if (returnedPayment) returnedPayment = null;
        if (month === 3) {
          // The bank sends one paid amount back a few days later; it is reversed and reissued next month.
          const detail = (await app.request('GET', `/payout-batches/${batch.body.id}`, { token: people.finance })).body;
          const line = detail.lines[0];
          const back = await post(app, people.finance, `/payments/${line.payment.id}/return`, { reason: '收款账户冻结', returnedOn: addDays(day, 3) });
          expect(back.status, JSON.stringify(back.body)).toBe(200);
          returnedPayment = { id: line.payment.id, claim: planned.find((p) => p.number === line.claim)! };
        }
      });
    }
    expect(failedToCorrect).toEqual([]);
    expect(returnedPayment).toBeNull();

    // Every claim paid exactly its approval, and closed.
    const claims = (await app.request('GET', '/claims?limit=500', { token: people.finance })).body.items;
    expect(claims).toHaveLength(115);
    for (const claim of claims) expect(claim).toMatchObject({ remaining: '0.00', paid: claim.payable });
    expect(new Set(claims.map((c: any) => c.status))).toEqual(new Set(['CLOSED']));
    const individual = claims.reduce((total: Decimal, c: any) => total.plus(c.paid), new Decimal(0)).toFixed(2);
    expect(individual).toBe('5165000.00');
    const [ledger] = await app.sql(`SELECT sum(amount)::text AS paid, count(*) FILTER (WHERE kind = 'REVERSAL')::int AS reversals FROM claim_payments`);
    expect(ledger).toEqual({ paid: '5165000.00', reversals: 1 });
    expect(await app.sql(`SELECT p.amount::text, l.purpose FROM claim_payments p JOIN payout_lines l ON l.id = p.payout_line_id WHERE p.kind = 'ADVANCE'`)).toEqual([{ amount: '10000.00', purpose: 'ADVANCE' }]);

    // The summary, however grouped, adds up to the individual payments.
    const summary = (await app.request('GET', '/payouts/summary?groupBy=product,month,district', { token: people.finance })).body;
    expect(summary.total).toBe('5165000.00');
    expect(summary.items.reduce((t: Decimal, i: any) => t.plus(i.paid), new Decimal(0)).toFixed(2)).toBe('5165000.00');
    expect(new Set(summary.items.map((i: any) => i.district)).size).toBe(6);
    const byProduct = (await app.request('GET', '/payouts/summary?groupBy=product', { token: people.finance })).body;
    const expectedByProduct = new Map<string, Decimal>();
    for (const p of planned) expectedByProduct.set(p.kind.product, (expectedByProduct.get(p.kind.product) ?? new Decimal(0)).plus(p.kind.amount));
    expect(Object.fromEntries(byProduct.items.map((i: any) => [i.product, i.paid]))).toEqual(Object.fromEntries([...expectedByProduct].map(([k, v]) => [k, v.toFixed(2)])));
    const window = (await app.request('GET', `/payouts/summary?from=${startOf(2)}&to=${addDays(startOf(3), 29)}`, { token: people.finance })).body;
    const [inWindow] = await app.sql(`SELECT sum(amount)::text AS paid FROM claim_payments WHERE paid_on BETWEEN ? AND ?`, [startOf(2), addDays(startOf(3), 29)]);
    expect(window.total).toBe(inWindow.paid);

    // Loss ratios: per product and policy year, paid ÷ premium, adding up to the product's payments.
    let allProducts = new Decimal(0);
    for (const [product, paid] of expectedByProduct) {
      const ratio = (await app.request('GET', `/products/${product}/loss-ratio`, { token: people.finance })).body;
      const total = ratio.items.reduce((t: Decimal, i: any) => t.plus(i.paid), new Decimal(0));
      expect(total.toFixed(2)).toBe(paid.toFixed(2));
      for (const item of ratio.items) expect(item.lossRatio).toBe(new Decimal(item.paid).div(item.premium).toFixed(4, Decimal.ROUND_HALF_UP));
      allProducts = allProducts.plus(total);
    }
    expect(allProducts.toFixed(2)).toBe('5165000.00');
    const year = policyYearOf(startOf(0));
    const one = (await app.request('GET', `/products/PUBLIC_LIABILITY/loss-ratio?year=${year}`, { token: people.finance })).body;
    expect(one.items).toHaveLength(1);
    expect(one.items[0]).toMatchObject({ policyYear: year, premium: '6800000.00' });
  }, 240_000);
});
