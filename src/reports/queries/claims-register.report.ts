/**
 * 理赔案件登记表 (claims reported in a period) and 超期案件 (claims past a statutory due date today, in
 * the terms of GET /claims?overdue=true). Amounts as GET /claims gives them (payable = approved +
 * assessed-pending, paid = advance + payments); resident ID and bank numbers masked for all but finance (by the writer, as the definitions' columns say).
 */
import { requireRole } from '../../shared/actor.js';
import { todayInCity } from '../../shared/dates.js';
import type { ReportQuery } from '../report.query.js';
import { requirePeriod } from './scope.js';

export const CLAIM_STATUS_LABELS: Record<string, string> = {
  REPORTED: '已报案', SURVEYED: '已查勘', ASSESSED: '已定损', PENDING_SECOND_APPROVAL: '待复核', HELD: '限额暂挂', APPROVED: '已核准',
  PAID: '已赔付', CLOSED: '已结案', RETURNED: '退回补正', REJECTED: '拒赔', WITHDRAWN: '已撤案',
};

const AWAITING_DECISION = `('REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'RETURNED', 'HELD')`;
/** The same condition as the claims list's overdue filter ($1 = today). */
const OVERDUE = `((c.status IN ${AWAITING_DECISION} AND c.decision_due_on < $1::date) OR (c.status = 'APPROVED' AND c.payment_due_on < $1::date))`;

const sql = (where: string) => `
  SELECT c.number, c.product, c.status, e.name AS event_name, e.district, c.claimant_name, c.id_number, c.bank_account_number, c.bank_name,
         c.incident_on::text AS incident_on, c.reported_on::text AS reported_on, c.decision_due_on::text AS decision_due_on, c.payment_due_on::text AS payment_due_on,
         (c.approved_total + coalesce(c.pending_total, 0))::text AS payable, (c.advance_paid + c.paid_total)::text AS paid,
         greatest(0, c.approved_total + coalesce(c.pending_total, 0) - c.advance_paid - c.paid_total)::text AS remaining,
         CASE WHEN c.status IN ${AWAITING_DECISION} THEN $1::date - c.decision_due_on WHEN c.status = 'APPROVED' THEN $1::date - c.payment_due_on END AS days_over
  FROM claims c JOIN claim_events e ON e.id = c.event_id
  WHERE ${where} AND ($2::text IS NULL OR c.product = $2) AND ($3::text IS NULL OR e.district = $3)
  ORDER BY c.reported_on, c.id`;

interface Raw { number: string; product: string; status: string; event_name: string; district: string; claimant_name: string; id_number: string; bank_account_number: string; bank_name: string; incident_on: string; reported_on: string; decision_due_on: string | null; payment_due_on: string | null; payable: string; paid: string; remaining: string; days_over: number | null }

const CLAIM_READERS = ['admin', 'assessor', 'approver', 'finance'] as const;

function rowMapper(today: string, productName: (code: string) => string) {
  return (r: Raw) => ({
    number: r.number, product: productName(r.product), status: CLAIM_STATUS_LABELS[r.status] ?? r.status, event: r.event_name, district: r.district, claimant: r.claimant_name,
    // Masked by the writer for every role but finance (the columns' mask in reports/).
    idNumber: r.id_number, bankAccount: r.bank_account_number, bankName: r.bank_name,
    incidentOn: r.incident_on, reportedOn: r.reported_on, decisionDueOn: r.decision_due_on, paymentDueOn: r.payment_due_on,
    payable: r.payable, paid: r.paid, remaining: r.remaining,
    daysOver: r.days_over !== null && r.days_over > 0 ? r.days_over : null,
    overdue: r.days_over !== null && r.days_over > 0 ? '超期' : '', today,
  });
}

const filtersOf = (params: Record<string, unknown>) => [
  ...(params.product ? [`险种：${String(params.product)}`] : []), ...(params.district ? [`区县：${String(params.district)}`] : []),
];

export const claimsRegisterReport: ReportQuery = {
  name: 'claims-register',
  async prepare({ actor, params, productName }) {
    requireRole(actor, ...CLAIM_READERS);
    const from = params.from as string;
    const to = params.to as string;
    requirePeriod(from, to);
    const today = todayInCity();
    return {
      period: `报案日期 ${from} 至 ${to}`, filters: filtersOf(params), fileSuffix: `${from}_${to}`,
      rows: { sql: sql('c.reported_on BETWEEN $4::date AND $5::date'), params: [today, params.product ?? null, params.district ?? null, from, to], toRow: rowMapper(today, productName) },
    };
  },
};

export const overdueClaimsReport: ReportQuery = {
  name: 'overdue-claims',
  async prepare({ actor, params, productName }) {
    requireRole(actor, ...CLAIM_READERS);
    const today = todayInCity();
    return {
      period: `截至 ${today}`, filters: filtersOf(params), fileSuffix: today,
      rows: { sql: sql(OVERDUE), params: [today, params.product ?? null, params.district ?? null], toRow: rowMapper(today, productName) },
    };
  },
};
