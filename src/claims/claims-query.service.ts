import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { requireRole, type Actor } from '../shared/actor.js';
import { allowedActions, CLAIM_STATUS_LABELS_ZH, type ClaimStatus } from './claim-status.js';
import { shownPersonalData } from './personal-data.js';
import { CLAIM_COLUMNS, findClaim, iso, toClaimRow, type ClaimRow } from './claims.repository.js';
import { documentsOf } from './claim-intake.service.js';
import { CLAIM_READERS } from './events.service.js';
import type { ClaimsContext } from './claims.context.js';
import type { ClaimListQuery } from './claims.schemas.js';
import { forkOf } from '../db/request-transaction.js';

/** Statuses still waiting for the insurer's decision (Insurance Law art. 23: due 30 days after the documents are complete). */
const AWAITING_DECISION = `('REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'RETURNED', 'HELD')`;
const OVERDUE_SQL = `((c.status IN ${AWAITING_DECISION} AND c.decision_due_on < ?) OR (c.status = 'APPROVED' AND c.payment_due_on < ?))`;

const AWAITING = new Set(['REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'RETURNED', 'HELD']);
export function isOverdue(claim: ClaimRow, today: string): boolean {
  if (AWAITING.has(claim.status)) return claim.decisionDueOn !== null && claim.decisionDueOn < today;
  return claim.status === 'APPROVED' && claim.paymentDueOn !== null && claim.paymentDueOn < today;
}

/** The HTTP actions open to the claim now, named as the endpoints are (hold and settle are not requests on a claim). */
function nextActions(status: ClaimStatus): string[] {
  const names: Partial<Record<string, string>> = { approve_first: 'approve', approve_second: 'approve', assess: 'assessment', hold: undefined, settle: undefined, payment_returned: undefined };
  return [...new Set(allowedActions(status).flatMap((action) => (action in names ? (names[action] ? [names[action]!] : []) : [action])))];
}

/** What the claim pays in all (approved so far plus the assessment awaiting approval), what went out, and what is left. */
function moneyView(claim: ClaimRow) {
  const payable = claim.approvedTotal.plus(claim.pendingTotal ?? 0);
  const paid = claim.advancePaid.plus(claim.paidTotal);
  return {
    assessed: claim.pendingTotal === null ? null : formatMoney(claim.pendingTotal),
    approved: formatMoney(claim.approvedTotal),
    payable: formatMoney(payable),
    advanceApproved: formatMoney(claim.advanceApproved),
    advancePaid: formatMoney(claim.advancePaid),
    paid: formatMoney(paid),
    remaining: formatMoney(Decimal.max(0, payable.minus(paid))),
    recoveryOwed: formatMoney(claim.recoveryOwed),
  };
}

// Everything a claim's page shows besides the claim row, in one round trip. Amounts leave PostgreSQL as
// text: a numeric inside json would become a JSON number, a binary float.
export const DETAIL_COLUMNS = `
  (SELECT json_build_object('id', e.id::text, 'type', e.type, 'name', e.name, 'occurredOn', e.occurred_on, 'district', e.district)
     FROM claim_events e WHERE e.id = c.event_id) AS event,
  (SELECT COALESCE(json_agg(json_build_object('name', d.name, 'receivedOn', d.received_on) ORDER BY d.received_on, d.name), '[]')
     FROM claim_documents d WHERE d.claim_id = c.id) AS documents,
  (SELECT json_build_object(
      'id', a.id::text, 'state', a.state, 'productVersion', a.product_version, 'total', a.total::text,
      'assessedBy', u.name, 'assessedAt', ${iso('a.assessed_at')},
      'items', (SELECT json_agg(json_build_object('type', i.type, 'grade', i.grade, 'payable', i.payable::text, 'approved', i.approved::text, 'explanation', i.explanation) ORDER BY i.position)
                  FROM claim_assessment_items i WHERE i.assessment_id = a.id),
      'approvals', (SELECT COALESCE(json_agg(json_build_object('step', p.step, 'approver', pu.name, 'at', ${iso('p.approved_at')}) ORDER BY p.approved_at), '[]')
                  FROM claim_approvals p JOIN users pu ON pu.id = p.approver_id WHERE p.assessment_id = a.id))
     FROM claim_assessments a JOIN users u ON u.id = a.assessed_by
    WHERE a.claim_id = c.id AND a.state <> 'DISCARDED' ORDER BY a.id DESC LIMIT 1) AS assessment`;
const DETAIL_SQL = `SELECT ${DETAIL_COLUMNS} FROM claims c WHERE c.id = ?`;

export interface DetailParts {
  event: { id: string; type: string; name: string; occurredOn: string; district: string };
  documents: { name: string; receivedOn: string }[];
  assessment: {
    id: string; state: string; productVersion: number; total: string; assessedBy: string; assessedAt: string;
    items: { type: string; grade: number | null; payable: string; approved: string | null; explanation: string }[];
    approvals: { step: string; approver: string; at: string }[];
  } | null;
}

/** GET /claims/:id and the reply of every action: the whole claim, ID and bank numbers as the actor may see them. */
export async function claimDetail(em: EntityManager, ctx: ClaimsContext, actor: Actor, claim: ClaimRow) {
  const [parts] = await em.execute<DetailParts[]>(DETAIL_SQL, [claim.id]);
  return claimDetailOf(ctx, actor, claim, parts!);
}

/** The same from the parts already read (DETAIL_COLUMNS read with the claim, and what the caller changed since). */
export function claimDetailOf(ctx: ClaimsContext, actor: Actor, claim: ClaimRow, { event, documents, assessment }: DetailParts) {
  const terms = ctx.policies.get(claim.product, claim.productVersion);
  return shownPersonalData(actor, {
    id: claim.id,
    number: claim.number,
    product: claim.product,
    productVersion: claim.productVersion,
    policyYear: claim.policyYear,
    status: claim.status,
    statusLabel: CLAIM_STATUS_LABELS_ZH[claim.status],
    event,
    claimant: {
      name: claim.claimantName, idNumber: claim.idNumber, phone: claim.phone, hasMedicalInsurance: claim.hasMedicalInsurance,
      bank: { accountName: claim.bankAccountName, accountNumber: claim.bankAccountNumber, bankName: claim.bankName },
    },
    incidentOn: claim.incidentOn,
    reportedOn: claim.reportedOn,
    description: claim.description,
    benefits: claim.benefits,
    documents: documentsOf(terms, claim, documents),
    ...moneyView(claim),
    assessment: assessment && {
      ...assessment,
      items: assessment.items.map(({ grade, ...item }) => ({ ...item, ...(grade === null ? {} : { grade }) })),
    },
    needsSecondApproval: claim.pendingTotal !== null && claim.pendingTotal.gt(terms.twoApprovalsAbove),
    holdReasons: claim.holdReasons,
    dueDates: { decision: claim.decisionDueOn, payment: claim.paymentDueOn },
    approvedOn: claim.approvedOn,
    overdue: isOverdue(claim, ctx.today()),
    actions: nextActions(claim.status),
    createdAt: claim.createdAt,
    updatedAt: claim.updatedAt,
  });
}

export async function getClaim(ctx: ClaimsContext, actor: Actor, key: string) {
  requireRole(actor, ...CLAIM_READERS);
  const em = forkOf(ctx.em);
  return claimDetail(em, ctx, actor, await findClaim(em, key));
}

/** GET /claims: filters, newest report first; ID and bank numbers masked for everyone but finance, who pays. */
export async function listClaims(ctx: ClaimsContext, actor: Actor, query: ClaimListQuery) {
  requireRole(actor, ...CLAIM_READERS);
  const today = ctx.today();
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (query.product) add('c.product = ?', query.product);
  if (query.event) add('c.event_id = ?', query.event);
  if (query.status) add('c.status IN (SELECT jsonb_array_elements_text(?::jsonb))', JSON.stringify(query.status));
  if (query.district) add('e.district = ?', query.district);
  if (query.reportedFrom) add('c.reported_on >= ?', query.reportedFrom);
  if (query.reportedTo) add('c.reported_on <= ?', query.reportedTo);
  if (query.incidentFrom) add('c.incident_on >= ?', query.incidentFrom);
  if (query.incidentTo) add('c.incident_on <= ?', query.incidentTo);
  if (query.overdue !== undefined) add(query.overdue ? OVERDUE_SQL : `NOT ${OVERDUE_SQL}`, today, today);
  if (query.batched !== undefined) add(`${query.batched ? '' : 'NOT '}EXISTS (SELECT 1 FROM payout_lines l WHERE l.claim_id = c.id AND l.state = 'PENDING')`);
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const em = forkOf(ctx.em);
  const from = 'FROM claims c JOIN claim_events e ON e.id = c.event_id';
  const [count] = await em.execute<{ total: string }[]>(`SELECT count(*) AS total ${from} ${whereSql}`, params);
  const rows = await em.execute(
    `SELECT ${CLAIM_COLUMNS}, e.name AS event_name, e.type AS event_type, e.district ${from} ${whereSql}
      ORDER BY c.reported_on DESC, c.id DESC LIMIT ? OFFSET ?`,
    [...params, query.limit, query.offset],
  );
  const items = rows.map((raw: any) => {
    const claim = toClaimRow(raw);
    const money = moneyView(claim);
    return {
      id: claim.id, number: claim.number, product: claim.product, productVersion: claim.productVersion, status: claim.status,
      event: { id: claim.eventId, name: raw.event_name, type: raw.event_type }, district: raw.district,
      claimantName: claim.claimantName,
      idNumber: claim.idNumber,
      bankAccountNumber: claim.bankAccountNumber,
      incidentOn: claim.incidentOn, reportedOn: claim.reportedOn,
      payable: money.payable, paid: money.paid, remaining: money.remaining,
      dueDates: { decision: claim.decisionDueOn, payment: claim.paymentDueOn }, overdue: isOverdue(claim, today),
    };
  });
  return { items: shownPersonalData(actor, items), total: Number(count!.total) };
}

/** GET /claims/:id/history: every change, oldest first, with who, when, what, and the state before and after. */
export async function claimHistory(ctx: ClaimsContext, actor: Actor, key: string) {
  requireRole(actor, ...CLAIM_READERS);
  const em = forkOf(ctx.em);
  const claim = await findClaim(em, key);
  const rows = await em.execute(`SELECT id, ${iso('at')} AS at, actor_id, actor_name, action, details, before, after FROM claim_history WHERE claim_id = ? ORDER BY id`, [claim.id]);
  return shownPersonalData(actor, {
    claimId: claim.id,
    number: claim.number,
    items: rows.map((row: any) => ({ id: String(row.id), at: row.at, actor: { id: String(row.actor_id), name: row.actor_name }, action: row.action, details: row.details, before: row.before, after: row.after })),
  });
}
