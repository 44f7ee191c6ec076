/**
 * 赔付汇总: money paid out by product × month of payment × district of the event, from the payments
 * ledger itself, in the terms of GET /payouts/summary?groupBy=product,month,district (advances and
 * payments on the day paid, a returned payment negative on the day it came back), and a second sheet
 * 赔付率 with the loss ratio per product and policy year.
 */
import { requireRole } from '../../shared/actor.js';
import { PRODUCT_CODES, policyYearOf } from '../../claims/index.js';
import type { ReportQuery, ReportRequest } from '../report.query.js';
import type { ReportRow } from '../report.writer.js';
import { requirePeriod } from './scope.js';

const SQL = `
  SELECT c.product, to_char(p.paid_on, 'YYYY-MM') AS month, e.district,
         count(DISTINCT p.claim_id)::int AS claims, (count(*) FILTER (WHERE p.kind <> 'REVERSAL'))::int AS payments,
         COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'ADVANCE'), 0)::numeric(38,2)::text AS advances,
         COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'PAYMENT'), 0)::numeric(38,2)::text AS payments_amount,
         COALESCE(-sum(p.amount) FILTER (WHERE p.kind = 'REVERSAL'), 0)::numeric(38,2)::text AS returned,
         sum(p.amount)::numeric(38,2)::text AS paid
  FROM claim_payments p JOIN claims c ON c.id = p.claim_id JOIN claim_events e ON e.id = c.event_id
  WHERE p.paid_on BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR c.product = $3)
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

interface Raw { product: string; month: string; district: string; claims: number; payments: number; advances: string; payments_amount: string; returned: string; paid: string }

/**
 * The 赔付率 sheet: per product and policy year the period touches, the figures of GET
 * /products/:code/loss-ratio?year= (paid ÷ the annual premium of the product file, payments counted in the
 * policy year of the claim's incident whenever paid), taken from the payouts service itself so they agree.
 */
async function lossRatioRows(request: ReportRequest, from: string, to: string): Promise<ReportRow[]> {
  const products = request.params.product ? [String(request.params.product)] : [...PRODUCT_CODES];
  const rows: ReportRow[] = [];
  for (const product of products) {
    for (let year = policyYearOf(from); year <= policyYearOf(to); year++) {
      for (const item of (await request.lossRatio(product, year)).items.filter((i) => i.policyYear === year)) {
        rows.push({
          product: request.productName(product), policyYear: `${year}年度`, from: item.from, to: item.to, premium: item.premium, claims: item.claims,
          paid: item.paid, recovered: item.recovered, net: item.net, lossRatio: item.lossRatio, netLossRatio: item.netLossRatio,
        });
      }
    }
  }
  return rows;
}

export const payoutsSummaryReport: ReportQuery = {
  name: 'payouts-summary',
  async prepare(request) {
    const { actor, params, productName } = request;
    requireRole(actor, 'admin', 'finance');
    const from = params.from as string;
    const to = params.to as string;
    requirePeriod(from, to);
    return {
      appendix: await lossRatioRows(request, from, to),
      period: `支付日期 ${from} 至 ${to}`, filters: params.product ? [`险种：${String(params.product)}`] : [], fileSuffix: `${from}_${to}`,
      rows: {
        sql: SQL, params: [from, to, params.product ?? null],
        toRow: (r: Raw) => ({ product: productName(r.product), month: r.month, district: r.district, claims: r.claims, payments: r.payments, advances: r.advances, paidDirect: r.payments_amount, returned: r.returned, paid: r.paid }),
      },
    };
  },
};
