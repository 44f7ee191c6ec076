import type { Services } from '../../services.js';
import { reopenBody } from '../../stock/index.js';
import { ok, route } from '../route.js';
import { ClosedPeriod, Period, PeriodHistory, Periods } from '../replies/stock.replies.js';

const READERS = ['admin', 'keeper', 'finance'] as const;
const PERIOD = '{period, status, closedAt, closedBy}';

/** Accounting periods (会计期间) and month-end close (月结). */
export function periodRoutes({ stock, ledgerDigest }: Services) {
  return [
    route({
      method: 'get', path: '/periods', tag: 'periods', roles: READERS, summary: 'Months from the first movement through the current month, OPEN or CLOSED',
      reply: Periods, responses: { 200: `{items: [${PERIOD}], closedThrough, firstOpenDate}` },
      handle: async ({ actor }) => ok(await stock.periods.list(actor)),
    }),
    route({
      method: 'post', path: '/periods/:period/close', tag: 'periods', roles: ['admin', 'finance'],
      summary: 'Close a month (月结) once every earlier month is closed and the month has ended; freezes the closing balance of every warehouse, category and lot',
      reply: ClosedPeriod, responses: { 200: `${PERIOD} + balances (frozen rows)`, 409: 'PERIOD_ALREADY_CLOSED, PERIOD_NOT_ENDED or PERIOD_OUT_OF_ORDER' },
      handle: async ({ actor, params, log }) => {
        const closed = await stock.periods.close(actor, params.period!);
        // Every month-end close leaves a signed digest in the log outside the database.
        await ledgerDigest.appendAfterCommit(`month-end close ${params.period}`, (error) => log.error({ err: error }, 'appending the ledger digest after the close failed'));
        return ok(closed);
      },
    }),
    route({
      method: 'post', path: '/periods/:period/reopen', tag: 'periods', roles: ['admin'], summary: 'Reopen the latest closed month, with a reason; its frozen balances are discarded',
      body: reopenBody, reply: Period, responses: { 200: PERIOD, 409: 'PERIOD_NOT_CLOSED or PERIOD_NOT_LATEST' },
      handle: async ({ actor, params, body }) => ok(await stock.periods.reopen(actor, params.period!, body.reason)),
    }),
    route({
      method: 'get', path: '/periods/:period/history', tag: 'periods', roles: READERS, summary: 'Every close and reopen of a month: who, when and why',
      reply: PeriodHistory, responses: { 200: '{period, items: [{period, action, reason, at, by}]}' },
      handle: async ({ actor, params }) => ok(await stock.periods.history(actor, params.period!)),
    }),
  ];
}
