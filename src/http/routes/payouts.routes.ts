import {
  batchListQuerySchema,
  cancelBatchSchema,
  collectSchema,
  confirmSchema,
  createBatchSchema,
  lossRatioQuerySchema,
  recoveryListQuerySchema,
  recoverySchema,
  returnPaymentSchema,
  summaryQuerySchema,
} from '../../payouts/index.js';
import type { Services } from '../../services.js';
import { created, declaredCharset, ok, route, type HandlerInput, type Reply } from '../route.js';
import { ClaimPayments, Collected, Confirmed, LossRatio, PayoutBatch, PayoutBatchPage, PayoutSummary, Recovery, RecoveryPage, ReturnedPayment } from '../replies/payouts.replies.js';

const BATCH = '{id, number, status, total, lineCount, counts, lines: [{position, claim, claimant, accountNumber (masked), bankName, amount, purpose, state, payment}]}';
const CONFIRMED = '{id, number, status, paid, failed, returned, unchanged, pending, lines: [{claim, position, amount, outcome}]}';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function payoutRoutes({ payouts }: Services, importRows: number) {
  const bankFile = (format: 'xlsx' | 'csv') => async ({ actor, params, koa }: HandlerInput<unknown, unknown>): Promise<Reply> => {
    const file = await payouts.bankFile(actor, params.id!, format);
    koa.set('Content-Type', file.contentType);
    koa.set('Content-Disposition', `attachment; filename="${file.fileName.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
    return ok(file.body);
  };
  return [
    route({
      method: 'post', path: '/payout-batches', tag: 'payouts', roles: ['finance'], body: createBatchSchema,
      summary: 'Collect approved, unpaid amounts (named claims, or by product and approval dates) into a numbered batch; most urgent first',
      reply: PayoutBatch, responses: { 201: BATCH },
      handle: async ({ actor, body }) => created(await payouts.createBatch(actor, body)),
    }),
    route({
      method: 'get', path: '/payout-batches', tag: 'payouts', roles: ['finance'], query: batchListQuerySchema,
      summary: 'Payout batches, newest first', reply: PayoutBatchPage, responses: { 200: '{items: [{id, number, status, total, lineCount, createdAt, sentOn}], total}' },
      handle: async ({ actor, query }) => ok(await payouts.listBatches(actor, query)),
    }),
    route({
      method: 'get', path: '/payout-batches/:id', tag: 'payouts', roles: ['finance'],
      summary: 'One batch (id or PB number) with every line and its outcome', reply: PayoutBatch, responses: { 200: BATCH },
      handle: async ({ actor, params }) => ok(await payouts.getBatch(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/payout-batches/:id/cancel', tag: 'payouts', roles: ['finance'], body: cancelBatchSchema,
      summary: 'Cancel a batch not yet sent to the bank; its amounts can be batched again', reply: PayoutBatch, responses: { 200: BATCH },
      handle: async ({ actor, params, body }) => ok(await payouts.cancelBatch(actor, params.id!, body.reason)),
    }),
    route({
      method: 'get', path: '/payout-batches/:id/bank-file.xlsx', tag: 'payouts', roles: ['finance'], produces: XLSX,
      summary: 'The bank\'s bulk-disbursement file (序号, 收款人姓名, 收款账号, 开户行, 金额, 用途) with a total row; marks the batch SENT',
      responses: { 200: 'the xlsx file' },
      handle: bankFile('xlsx'),
    }),
    route({
      method: 'get', path: '/payout-batches/:id/bank-file.csv', tag: 'payouts', roles: ['finance'], produces: 'text/csv',
      summary: 'The bank file as CSV (UTF-8 with BOM); marks the batch SENT', responses: { 200: 'the CSV file' },
      handle: bankFile('csv'),
    }),
    route({
      method: 'post', path: '/payout-batches/:id/confirm', tag: 'payouts', roles: ['finance'], body: confirmSchema,
      summary: 'The bank\'s answer per line: PAID {bankReference, paidOn} or FAILED {reason}; all or nothing; an answer already recorded changes nothing',
      reply: Confirmed, responses: { 200: CONFIRMED },
      handle: async ({ actor, params, body }) => ok(await payouts.confirm(actor, params.id!, body.lines)),
    }),
    route({
      method: 'post', path: '/payout-batches/:id/return-file', tag: 'payouts', roles: ['finance'], csvBody: true,
      summary: 'The bank\'s return file (CSV: 用途 = claim number, 状态 成功/失败/退回, 银行流水号, 交易日期, 失败原因, optional 金额); same rules as confirm',
      reply: Confirmed, responses: { 200: CONFIRMED },
      handle: async ({ actor, params, raw, koa }) => ok(await payouts.confirmFromReturnFile(actor, params.id!, raw, declaredCharset(koa), importRows)),
    }),
    route({
      method: 'get', path: '/claims/:id/payments', tag: 'payouts', roles: ['finance', 'admin'],
      summary: 'A claim\'s payments ledger (id or LP number): advances, payments with their batch, reversals; each payment\'s id is what POST /payments/:id/return takes',
      reply: ClaimPayments, responses: { 200: '{claim, claimId, items: [{id, kind, amount, paidOn, reference, batch, reverses, reversedBy, reason, recordedAt}]}' },
      handle: async ({ actor, params }) => ok(await payouts.claimPayments(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/payments/:id/return', tag: 'payouts', roles: ['finance'], body: returnPaymentSchema,
      summary: 'The bank returned a confirmed payment: it is reversed (kept on record) and the amount is payable again',
      reply: ReturnedPayment, responses: { 200: '{payment, reversal, claim, amount, returnedOn, claimStatus, paid}' },
      handle: async ({ actor, params, body }) => ok(await payouts.returnPayment(actor, params.id!, body)),
    }),
    route({
      method: 'get', path: '/recoveries', tag: 'payouts', roles: ['finance', 'admin'], query: recoveryListQuerySchema,
      summary: 'Amounts owed back (advance above the final payable, liable third parties) and what was collected',
      reply: RecoveryPage, responses: { 200: '{items: [{id, number, kind, claim, debtor, amount, collected, outstanding, status, collections}], total}' },
      handle: async ({ actor, query }) => ok(await payouts.listRecoveries(actor, query)),
    }),
    route({
      method: 'post', path: '/recoveries', tag: 'payouts', roles: ['finance'], body: recoverySchema,
      summary: 'Record what a liable third party owes back (criminal-injury and emergency-response claims), up to what the claim paid',
      reply: Recovery, responses: { 201: '{id, number, kind, claim, debtor, amount, collected, outstanding, status}' },
      handle: async ({ actor, body }) => created(await payouts.recordRecovery(actor, body)),
    }),
    route({
      method: 'post', path: '/recoveries/:id/collect', tag: 'payouts', roles: ['finance'], body: collectSchema,
      summary: 'Money received against a recovery (never more than outstanding); the last one closes a paid claim',
      reply: Collected, responses: { 200: '{id, number, amount, collected, outstanding, status, claimStatus}' },
      handle: async ({ actor, params, body }) => ok(await payouts.collectRecovery(actor, params.id!, body)),
    }),
    route({
      method: 'get', path: '/payouts/summary', tag: 'payouts', roles: ['finance', 'admin'], query: summaryQuerySchema,
      summary: 'Money paid out by product, month and district (groupBy=product,month,district; from, to on the payment date); sums of the individual payments',
      reply: PayoutSummary, responses: { 200: '{groupBy, from, to, items: [{product?, month?, district?, claims, payments, advances, returned, paid}], total}' },
      handle: async ({ actor, query }) => ok(await payouts.summary(actor, query)),
    }),
    route({
      method: 'get', path: '/products/:code/loss-ratio', tag: 'payouts', roles: ['finance', 'admin'], query: lossRatioQuerySchema,
      summary: 'Paid ÷ the yearly premium per policy year (31 July – 30 July), by the incident\'s policy year; optional year',
      reply: LossRatio, responses: { 200: '{product, items: [{policyYear, from, to, premium, paid, recovered, lossRatio, netLossRatio}]}' },
      handle: async ({ actor, params, query }) => ok(await payouts.lossRatio(actor, params.code!, query)),
    }),
  ];
}
