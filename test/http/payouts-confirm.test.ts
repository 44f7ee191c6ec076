// Proves the bank file and the bank's answer: the xlsx has the bank's columns, amounts as #,##0.00 numbers, a SUM total with its cached value and user text as inert strings; exporting marks the batch SENT; confirmation (JSON or return file) pays claims and closes them, confirming twice changes nothing, a failed line is reissued only after the bank details are corrected (recorded in the history), and a returned payment is reversed and payable again.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { TODAY, createEvent, intakeBody, registerAndAssess, residentId, staff, approve, allDocuments, type Staff } from './claims.fixtures.js';
import { approvedClaim, batchOf, post, send } from './payouts.fixtures.js';

let app: TestApp;
let people: Staff;
let typhoon: string;
beforeAll(async () => {
  app = await startTestApp();
  people = await staff(app);
  typhoon = await createEvent(app, people.assessor, 'TYPHOON');
});
afterAll(() => app.close());

const HOSTILE_NAMES = ['=HYPERLINK("http://evil","x")', '+cmd|\' /C calc\'!A0', '@SUM(1)', '-1+1'];

async function hostileClaim(sequence: number, name: string, amount: string) {
  const intake = await app.request('POST', '/claims', { token: people.assessor, body: { ...intakeBody({ product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(sequence), benefits: ['MEDICAL'] }), claimant: { ...intakeBody({ product: 'PUBLIC_LIABILITY', event: typhoon, idNumber: residentId(sequence) }).claimant, name, bank: { accountName: name, accountNumber: `62220202001122${String(sequence).padStart(5, '0')}`, bankName: name } } } });
  expect(intake.status, JSON.stringify(intake.body)).toBe(201);
  const id = intake.body.id;
  await post(app, people.assessor, `/claims/${id}/survey`, { surveyedOn: TODAY, findings: '属实', documentsReceived: allDocuments(app, 'PUBLIC_LIABILITY', ['MEDICAL']) });
  expect((await post(app, people.assessor, `/claims/${id}/assessment`, { items: [{ type: 'MEDICAL', invoices: [{ number: `H-${sequence}`, amount }] }] })).status).toBe(200);
  await approve(app, people.approver, id);
  return { id, number: intake.body.number as string };
}

describe('the bank file', () => {
  it('xlsx: the bank columns, full account numbers, amounts as numbers with two decimals, a SUM total with cached value, user text as inert strings; exporting marks SENT', async () => {
    const claims = [];
    for (const [i, name] of HOSTILE_NAMES.entries()) claims.push(await hostileClaim(21 + i, name, ['1234.56', '0.10', '9999.99', '1000.00'][i]!));
    const batch = await batchOf(app, people.finance, claims.map((c) => c.id));
    expect(batch.status).toBe('OPEN');
    const file = await fetchBytes(`/payout-batches/${batch.id}/bank-file.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file as any);
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['序号', '收款人姓名', '收款账号', '开户行', '金额', '用途']);
    for (const [i, claim] of claims.entries()) {
      const row = sheet.getRow(i + 2);
      expect(row.getCell(1).value).toBe(i + 1);
      for (const col of [2, 4]) {
        expect(row.getCell(col).type).toBe(ExcelJS.ValueType.String);
        expect(row.getCell(col).value).toBe(HOSTILE_NAMES[i]);
      }
      expect(row.getCell(3).value).toBe(`62220202001122${String(21 + i).padStart(5, '0')}`);
      expect(row.getCell(5).type).toBe(ExcelJS.ValueType.Number);
      expect(row.getCell(5).numFmt).toBe('#,##0.00');
      expect(row.getCell(6).value).toBe(claim.number);
    }
    expect(sheet.getRow(2).getCell(5).value).toBe(1234.56);
    const total = sheet.getRow(claims.length + 2).getCell(5);
    expect(total.type).toBe(ExcelJS.ValueType.Formula);
    expect(total.value).toMatchObject({ formula: `SUM(E2:E${claims.length + 1})`, result: 12234.65 });
    expect(total.numFmt).toBe('#,##0.00');
    // No cell of the file is a formula except the total.
    const formulas: string[] = [];
    sheet.eachRow((row) => row.eachCell((cell) => void (cell.type === ExcelJS.ValueType.Formula && formulas.push(cell.address))));
    expect(formulas).toEqual([total.address]);
    expect((await app.request('GET', `/payout-batches/${batch.id}`, { token: people.finance })).body.status).toBe('SENT');
  });

  it('csv: a formula-looking name gets a leading apostrophe, the account number stays whole, amounts canonical', async () => {
    const claim = await hostileClaim(25, '=1+2', '5.00');
    const batch = await batchOf(app, people.finance, [claim.id]);
    const csv = (await send(app, people.finance, batch.id, 'csv')).body as string;
    const lines = csv.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('序号,收款人姓名,收款账号,开户行,金额,用途');
    expect(lines[1]).toBe(`1,'=1+2,6222020200112200025,'=1+2,5.00,${claim.number}`);
  });
});

/** The helper decodes bodies as text; a workbook needs the bytes. */
async function fetchBytes(path: string): Promise<Buffer> {
  const response = await fetch(app.base + path, { headers: { authorization: `Bearer ${people.finance}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('spreadsheetml');
  return Buffer.from(await response.arrayBuffer());
}


const history = async (id: string) => (await app.request('GET', `/claims/${id}/history`)).body.items.map((item: any) => item.action);
const claimOf = async (id: string) => (await app.request('GET', `/claims/${id}`)).body;

describe('confirmation', () => {
  it('PAID lines pay and close their claims; FAILED lines stay on record; the same answer again changes nothing; a contradicting one is refused naming the claim', async () => {
    const [a, b] = [await approvedClaim(app, people, typhoon, 30, '800.00'), await approvedClaim(app, people, typhoon, 40, '200.00')];
    const batch = await batchOf(app, people.finance, [a.id, b.id]);
    const early = await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: a.number, status: 'PAID', bankReference: 'BK-1', paidOn: TODAY }] });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('BATCH_NOT_SENT');
    await send(app, people.finance, batch.id);
    const answer = { lines: [{ claim: a.number, status: 'PAID', bankReference: 'BK-1', paidOn: TODAY }, { claim: b.number, status: 'FAILED', reason: '户名与账号不符' }] };
    const first = await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, answer);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: 'CONFIRMED', paid: 1, failed: 1, unchanged: 0, pending: 0 });
    expect(await claimOf(a.id)).toMatchObject({ status: 'CLOSED', paid: '800.00', remaining: '0.00' });
    expect(await history(a.id)).toEqual(expect.arrayContaining(['pay', 'close']));
    expect(await claimOf(b.id)).toMatchObject({ status: 'APPROVED', paid: '0.00', remaining: '200.00' });
    expect(await history(b.id)).toContain('payment_failed');

    const payments = await app.sql('SELECT count(*)::int AS n FROM claim_payments');
    const again = await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, answer);
    expect(again.body).toMatchObject({ paid: 0, failed: 0, unchanged: 2 });
    expect(await app.sql('SELECT count(*)::int AS n FROM claim_payments')).toEqual(payments);

    const contradiction = await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: a.number, status: 'PAID', bankReference: 'BK-OTHER', paidOn: TODAY }, { claim: b.number, status: 'PAID', bankReference: 'BK-2', paidOn: TODAY }] });
    expect(contradiction.status).toBe(409);
    expect(contradiction.body.error.code).toBe('LINE_ALREADY_CONFIRMED');
    expect(contradiction.body.error.details.map((d: any) => d.claim)).toEqual([a.number, b.number]);
    const stranger = await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: 'LP99999999', status: 'FAILED', reason: 'x' }] });
    expect(stranger.status).toBe(422);
    expect(stranger.body.error.message).toContain('LP99999999');
  });

  it('a failed amount is reissued only after the bank details are corrected, and the correction is in the history', async () => {
    const claim = await approvedClaim(app, people, typhoon, 41, '321.00');
    const batch = await batchOf(app, people.finance, [claim.id]);
    await send(app, people.finance, batch.id);
    await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: claim.number, status: 'FAILED', reason: '账户已销户' }] });
    const refused = await post(app, people.finance, '/payout-batches', { claims: [claim.number] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ claim: claim.number, code: 'BANK_NOT_CORRECTED' })]);
    expect(refused.body.error.message).toContain('账户已销户');
    const corrected = await app.request('PUT', `/claims/${claim.id}/bank`, { token: people.finance, body: { accountName: '张三', accountNumber: '6217000011112222333', bankName: '中国建设银行青岛分行', reason: '原账户已销户' } });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    const entry = (await app.request('GET', `/claims/${claim.id}/history`)).body.items.at(-1);
    expect(entry).toMatchObject({ action: 'change_bank', details: { from: { accountNumber: '***************3445' }, to: { accountNumber: '***************2333', bankName: '中国建设银行青岛分行' } } });
    const reissue = await batchOf(app, people.finance, [claim.number]);
    expect(reissue.lines[0]).toMatchObject({ amount: '321.00', purpose: 'REISSUE', bankName: '中国建设银行青岛分行' });
    // The bank details cannot change while the amount is in an open batch.
    const locked = await app.request('PUT', `/claims/${claim.id}/bank`, { token: people.finance, body: { accountName: '张三', accountNumber: '6217000011112222444', bankName: '某行' } });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('CLAIM_IN_BATCH');
    // Nor be paid on its own.
    const direct = await post(app, people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'X' });
    expect(direct.body.error.code).toBe('CLAIM_IN_BATCH');
    // The old batch still shows the failure.
    expect((await app.request('GET', `/payout-batches/${batch.id}`, { token: people.finance })).body.lines[0]).toMatchObject({ state: 'FAILED', failureReason: '账户已销户', bankName: '中国工商银行青岛分行' });
  });

  it('the return file confirms like JSON (GBK, Chinese statuses, the amount checked) and a RETURNED line reverses the payment, which is then payable again', async () => {
    const [a, b] = [await approvedClaim(app, people, typhoon, 42, '1000.00'), await approvedClaim(app, people, typhoon, 50, '2000.00')];
    const batch = await batchOf(app, people.finance, [a.id, b.id]);
    await send(app, people.finance, batch.id, 'xlsx');
    const wrongAmount = `序号,金额,用途,状态,银行流水号,交易日期,失败原因\n1,999.00,${a.number},成功,R-1,${TODAY},\n`;
    const refused = await app.request('POST', `/payout-batches/${batch.id}/return-file`, { token: people.finance, raw: wrongAmount });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toMatchObject({ line: 2, field: '金额' });
    const file = `序号,金额,用途,状态,银行流水号,交易日期,失败原因\r\n1,"1,000.00",${a.number},成功,R-1,${TODAY},\r\n2,2000.00,${b.number},成功,R-2,${TODAY},\r\n`;
    const iconv = (await import('iconv-lite')).default;
    const ok = await app.request('POST', `/payout-batches/${batch.id}/return-file`, { token: people.finance, raw: iconv.encode(file, 'gbk'), headers: { 'content-type': 'text/csv; charset=gbk' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status: 'CONFIRMED', paid: 2 });
    const returned = `用途,状态,交易日期,失败原因\n${b.number},退回,${TODAY},收款账户冻结\n`;
    const back = await app.request('POST', `/payout-batches/${batch.id}/return-file`, { token: people.finance, raw: returned });
    expect(back.body).toMatchObject({ returned: 1 });
    expect(await claimOf(b.id)).toMatchObject({ status: 'APPROVED', paid: '0.00', remaining: '2000.00' });
    const ledger = await app.sql(`SELECT kind, amount, reason FROM claim_payments WHERE claim_id = ? ORDER BY id`, [b.id]);
    expect(ledger).toEqual([{ kind: 'PAYMENT', amount: '2000.00', reason: null }, { kind: 'REVERSAL', amount: '-2000.00', reason: '收款账户冻结' }]);
    expect((await app.request('POST', `/payout-batches/${batch.id}/return-file`, { token: people.finance, raw: returned })).body).toMatchObject({ returned: 0, unchanged: 1 });
    const reissue = await batchOf(app, people.finance, [b.id]);
    expect(reissue.lines[0]).toMatchObject({ amount: '2000.00', purpose: 'REISSUE' });
  });

  it('POST /payments/:id/return reverses a confirmed payment once', async () => {
    const claim = await approvedClaim(app, people, typhoon, 51, '450.00');
    const batch = await batchOf(app, people.finance, [claim.id]);
    await send(app, people.finance, batch.id);
    await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: claim.number, status: 'PAID', bankReference: 'P-51', paidOn: TODAY }] });
    const payment = (await app.request('GET', `/payout-batches/${batch.id}`, { token: people.finance })).body.lines[0].payment;
    expect(payment).toMatchObject({ bankReference: 'P-51', paidOn: TODAY });
    const replies = await Promise.all([1, 2].map(() => post(app, people.finance, `/payments/${payment.id}/return`, { reason: '退票' })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)!.body.error.message).toContain(claim.number);
    expect(replies.find((r) => r.status === 200)!.body).toMatchObject({ claim: claim.number, amount: '450.00', claimStatus: 'APPROVED', paid: '0.00' });
    expect((await app.request('GET', `/payout-batches/${batch.id}`, { token: people.finance })).body.lines[0].state).toBe('RETURNED');
  });

  it('GET /claims/:id/payments lists the payments ledger with ids: a direct payment is found there, returned by its id, and shown reversed', async () => {
    const claim = await approvedClaim(app, people, typhoon, 60, '320.00');
    expect((await post(app, people.finance, `/claims/${claim.id}/pay`, { paidOn: TODAY, reference: 'DIRECT-60' })).status).toBe(200);
    const ledger = async () => (await app.request('GET', `/claims/${claim.number}/payments`, { token: people.finance })).body;
    const before = await ledger();
    expect(before).toMatchObject({ claim: claim.number, claimId: claim.id });
    expect(before.items).toEqual([
      { id: expect.stringMatching(/^\d+$/), kind: 'PAYMENT', amount: '320.00', paidOn: TODAY, reference: 'DIRECT-60', batch: null, reverses: null, reversedBy: null, reason: null, recordedAt: expect.any(String) },
    ]);
    const paymentId = before.items[0].id;
    const back = await post(app, people.finance, `/payments/${paymentId}/return`, { reason: '账户已销户' });
    expect(back.body).toMatchObject({ payment: paymentId, claim: claim.number, amount: '320.00' });
    const after = (await ledger()).items;
    expect(after).toMatchObject([
      { id: paymentId, kind: 'PAYMENT', amount: '320.00', reversedBy: back.body.reversal },
      { id: back.body.reversal, kind: 'REVERSAL', amount: '-320.00', reverses: paymentId, reason: '账户已销户' },
    ]);
    // A batch payment names its batch; other roles than finance and admin get 403.
    const batched = await approvedClaim(app, people, typhoon, 61, '10.00');
    const batch = await batchOf(app, people.finance, [batched.id]);
    await send(app, people.finance, batch.id);
    await post(app, people.finance, `/payout-batches/${batch.id}/confirm`, { lines: [{ claim: batched.number, status: 'PAID', bankReference: 'P-61', paidOn: TODAY }] });
    expect((await app.request('GET', `/claims/${batched.id}/payments`, { token: people.finance })).body.items).toMatchObject([{ kind: 'PAYMENT', batch: batch.number, reference: 'P-61' }]);
    expect((await app.request('GET', `/claims/${batched.id}/payments`, { token: people.assessor })).status).toBe(403);
  });
});
