import { Decimal } from '../shared/decimal.js';
import { formatMoney, sum } from '../shared/amounts.js';
import { NotFoundError } from '../shared/errors.js';
import { forkOf } from '../db/request-transaction.js';
import { PRODUCT_CODES, policyYearOf, policyYearRange } from '../claims/index.js';
import type { LossRatioQuery, SummaryDimension, SummaryQuery } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

// Each dimension as SQL over one payment row p, its claim c and the claim's event e.
const DIMENSION_SQL: Record<SummaryDimension, string> = {
  product: 'c.product',
  month: `to_char(p.paid_on, 'YYYY-MM')`,
  district: 'e.district',
};

/**
 * GET /payouts/summary: money paid out, by product, month of payment and district of the event, from the
 * payments ledger itself: advances and payments count on the day they were paid, a returned payment
 * counts negative on the day it came back. So the figures are sums of individual payments, to the fen.
 */
export async function payoutSummary(ctx: PayoutsContext, query: SummaryQuery) {
  const dimensions = query.groupBy ?? [];
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.from) where.push('p.paid_on >= ?') && params.push(query.from);
  if (query.to) where.push('p.paid_on <= ?') && params.push(query.to);
  const select = dimensions.map((d) => `${DIMENSION_SQL[d]} AS ${d}`);
  const rows = await forkOf(ctx.em).execute(
    `SELECT ${[...select,
      `count(*) FILTER (WHERE p.kind <> 'REVERSAL') AS payments`,
      `count(DISTINCT p.claim_id) AS claims`,
      `COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'ADVANCE'), 0)::numeric(38,2)::text AS advances`,
      `COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'PAYMENT'), 0)::numeric(38,2)::text AS payments_amount`,
      `COALESCE(-sum(p.amount) FILTER (WHERE p.kind = 'REVERSAL'), 0)::numeric(38,2)::text AS returned`,
      `sum(p.amount)::numeric(38,2)::text AS paid`].join(', ')}
       FROM claim_payments p JOIN claims c ON c.id = p.claim_id JOIN claim_events e ON e.id = c.event_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ${dimensions.length > 0 ? `GROUP BY ${dimensions.map((_, i) => i + 1).join(', ')} ORDER BY ${dimensions.map((_, i) => i + 1).join(', ')}` : ''}`,
    params,
  );
  const items = rows
    .filter((row: any) => dimensions.length > 0 || Number(row.payments) + Number(row.claims) > 0)
    .map((row: any) => ({
      ...Object.fromEntries(dimensions.map((d) => [d, row[d]])),
      claims: Number(row.claims), payments: Number(row.payments),
      advances: row.advances, paidInBatchesOrDirect: row.payments_amount, returned: row.returned, paid: row.paid,
    }));
  return { groupBy: dimensions, from: query.from ?? null, to: query.to ?? null, items, total: formatMoney(sum(items.map((item: any) => new Decimal(item.paid)))) };
}

/**
 * GET /products/:code/loss-ratio: paid ÷ the premium of the policy year, per policy year (31 July to
 * 30 July). A payment counts in the policy year of its claim's incident (the year whose cover it falls
 * under), whenever it was paid; returned payments are taken off. The premium is the annualPremium of
 * the product version in force on the first day of that year. Recoveries collected are shown beside,
 * with the ratio net of them.
 */
export async function lossRatio(ctx: PayoutsContext, code: string, query: LossRatioQuery) {
  if (!(PRODUCT_CODES as readonly string[]).includes(code)) throw new NotFoundError('product', code);
  const em = forkOf(ctx.em);
  const paidRows = await em.execute<{ policy_year: number; paid: string; claims: string }[]>(
    `SELECT c.policy_year, sum(p.amount)::numeric(38,2)::text AS paid, count(DISTINCT c.id) AS claims
       FROM claim_payments p JOIN claims c ON c.id = p.claim_id WHERE c.product = ? ${query.year ? 'AND c.policy_year = ?' : ''} GROUP BY 1`,
    query.year ? [code, query.year] : [code],
  );
  const recoveredRows = await em.execute<{ policy_year: number; recovered: string }[]>(
    `SELECT c.policy_year, sum(k.amount)::numeric(38,2)::text AS recovered
       FROM recovery_collections k JOIN claim_recoveries r ON r.id = k.recovery_id JOIN claims c ON c.id = r.claim_id
      WHERE c.product = ? ${query.year ? 'AND c.policy_year = ?' : ''} GROUP BY 1`,
    query.year ? [code, query.year] : [code],
  );
  const years = new Set<number>([...paidRows.map((r) => r.policy_year), ...recoveredRows.map((r) => r.policy_year)]);
  if (query.year) years.add(query.year);
  const items = [...years].sort((a, b) => a - b).map((year) => {
    const range = policyYearRange(year);
    const terms = ctx.policies.versionFor(code, range.from);
    const row = paidRows.find((r) => r.policy_year === year);
    const paid = new Decimal(row?.paid ?? 0);
    const recovered = new Decimal(recoveredRows.find((r) => r.policy_year === year)?.recovered ?? 0);
    const ratio = (value: Decimal) => value.div(terms.annualPremium).toFixed(4, Decimal.ROUND_HALF_UP);
    return {
      policyYear: year, from: range.from, to: range.to, productVersion: terms.version, premium: formatMoney(terms.annualPremium),
      claims: Number(row?.claims ?? 0), paid: formatMoney(paid), recovered: formatMoney(recovered), net: formatMoney(paid.minus(recovered)),
      lossRatio: ratio(paid), netLossRatio: ratio(paid.minus(recovered)),
    };
  });
  return { product: code, currentPolicyYear: policyYearOf(ctx.today()), items };
}
