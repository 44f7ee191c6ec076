import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { NotFoundError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import type { BenefitType, ProductCode } from './product-terms.js';
import type { ClaimStatus } from './claim-status.js';

/** One claim as stored; money as Decimal, dates as YYYY-MM-DD (MikroORM's pg parsers leave dates as text). */
export interface ClaimRow {
  id: string;
  number: string;
  product: ProductCode;
  productVersion: number;
  policyYear: number;
  eventId: string;
  status: ClaimStatus;
  claimantName: string;
  idNumber: string;
  phone: string;
  hasMedicalInsurance: boolean;
  bankAccountName: string;
  bankAccountNumber: string;
  bankName: string;
  incidentOn: string;
  reportedOn: string;
  description: string;
  benefits: BenefitType[];
  documentsCompleteOn: string | null;
  decisionDueOn: string | null;
  approvedOn: string | null;
  paymentDueOn: string | null;
  pendingAssessmentId: string | null;
  pendingTotal: Decimal | null;
  approvedTotal: Decimal;
  advanceMax: Decimal;
  /** Advances approved so far (POST /claims/:id/advance); paid by a batch or the pay route, never beyond (a CHECK). */
  advanceApproved: Decimal;
  advanceApprovedOn: string | null;
  advancePaid: Decimal;
  paidTotal: Decimal;
  recoveryOwed: Decimal;
  firstApprovedBy: string | null;
  holdReasons: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Timestamps as ISO 8601 in UTC, whatever the session's DateStyle. */
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const CLAIM_COLUMNS = `c.id, c.number, c.product, c.product_version, c.policy_year, c.event_id, c.status, c.claimant_name,
  c.id_number, c.phone, c.has_medical_insurance, c.bank_account_name, c.bank_account_number, c.bank_name,
  c.incident_on, c.reported_on, c.description, c.benefits, c.documents_complete_on, c.decision_due_on, c.approved_on,
  c.payment_due_on, c.pending_assessment_id, c.pending_total, c.approved_total, c.advance_max, c.advance_approved, c.advance_approved_on, c.advance_paid,
  c.paid_total, c.recovery_owed, c.first_approved_by, c.hold_reasons, c.created_by,
  ${iso('c.created_at')} AS created_at, ${iso('c.updated_at')} AS updated_at`;

type Raw = Record<string, any>;
const money = (value: string | null): Decimal | null => (value === null ? null : new Decimal(value));

export function toClaimRow(raw: Raw): ClaimRow {
  return {
    id: String(raw.id),
    number: raw.number,
    product: raw.product,
    productVersion: raw.product_version,
    policyYear: raw.policy_year,
    eventId: String(raw.event_id),
    status: raw.status,
    claimantName: raw.claimant_name,
    idNumber: raw.id_number,
    phone: raw.phone,
    hasMedicalInsurance: raw.has_medical_insurance,
    bankAccountName: raw.bank_account_name,
    bankAccountNumber: raw.bank_account_number,
    bankName: raw.bank_name,
    incidentOn: raw.incident_on,
    reportedOn: raw.reported_on,
    description: raw.description,
    benefits: raw.benefits,
    documentsCompleteOn: raw.documents_complete_on,
    decisionDueOn: raw.decision_due_on,
    approvedOn: raw.approved_on,
    paymentDueOn: raw.payment_due_on,
    pendingAssessmentId: raw.pending_assessment_id === null ? null : String(raw.pending_assessment_id),
    pendingTotal: money(raw.pending_total),
    approvedTotal: new Decimal(raw.approved_total),
    advanceMax: new Decimal(raw.advance_max),
    advanceApproved: new Decimal(raw.advance_approved),
    advanceApprovedOn: raw.advance_approved_on,
    advancePaid: new Decimal(raw.advance_paid),
    paidTotal: new Decimal(raw.paid_total),
    recoveryOwed: new Decimal(raw.recovery_owed),
    firstApprovedBy: raw.first_approved_by === null ? null : String(raw.first_approved_by),
    holdReasons: raw.hold_reasons,
    createdBy: String(raw.created_by),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/** A claim is addressed by its id or its number (LP00000042), as staff read it off a form. */
function whereKey(key: string): { sql: string; value: string } | null {
  if (/^\d{1,18}$/.test(key)) return { sql: 'c.id = ?', value: key };
  if (/^LP\d{8,}$/.test(key)) return { sql: 'c.number = ?', value: key };
  return null;
}

export async function findClaim(em: EntityManager, key: string, options: { lock?: boolean } = {}): Promise<ClaimRow> {
  const where = whereKey(key);
  if (where) {
    const rows = await em.execute(`SELECT ${CLAIM_COLUMNS} FROM claims c WHERE ${where.sql}${options.lock ? ' FOR UPDATE' : ''}`, [where.value]);
    if (rows[0]) return toClaimRow(rows[0]);
  }
  throw new NotFoundError('claim', key);
}

/** Locks the claim row for the rest of the transaction: every change to a claim goes through here first. */
export const lockClaim = (tx: EntityManager, key: string) => findClaim(tx, key, { lock: true });

type UpdatableField =
  | 'status' | 'benefits' | 'documentsCompleteOn' | 'decisionDueOn' | 'approvedOn' | 'paymentDueOn' | 'pendingAssessmentId'
  | 'pendingTotal' | 'approvedTotal' | 'advanceApproved' | 'advanceApprovedOn' | 'advancePaid' | 'paidTotal' | 'recoveryOwed' | 'firstApprovedBy' | 'holdReasons'
  | 'bankAccountName' | 'bankAccountNumber' | 'bankName';

/** Columns a service may change, in their SQL names; anything else is a bug. */
const UPDATABLE: Record<UpdatableField, string> = {
  status: 'status',
  benefits: 'benefits',
  documentsCompleteOn: 'documents_complete_on',
  decisionDueOn: 'decision_due_on',
  approvedOn: 'approved_on',
  paymentDueOn: 'payment_due_on',
  pendingAssessmentId: 'pending_assessment_id',
  pendingTotal: 'pending_total',
  approvedTotal: 'approved_total',
  advanceApproved: 'advance_approved',
  advanceApprovedOn: 'advance_approved_on',
  advancePaid: 'advance_paid',
  paidTotal: 'paid_total',
  recoveryOwed: 'recovery_owed',
  firstApprovedBy: 'first_approved_by',
  holdReasons: 'hold_reasons',
  bankAccountName: 'bank_account_name',
  bankAccountNumber: 'bank_account_number',
  bankName: 'bank_name',
};
export type ClaimChanges = Partial<Pick<ClaimRow, UpdatableField>>;

/**
 * Changes a claim and records the change in its history in one statement, so no change can go unrecorded.
 * The caller holds the claim's row lock, so `before` is current and before + changes is exactly the new state.
 */
export async function changeClaim(
  tx: EntityManager,
  actor: Actor,
  action: string,
  before: ClaimRow,
  changes: ClaimChanges,
  details: Record<string, unknown> = {},
): Promise<ClaimRow> {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(changes)) {
    const column = UPDATABLE[field as UpdatableField];
    if (!column) throw new Error(`claims.${field} is not updatable`);
    if (Array.isArray(value)) {
      // knex expands a bound array into a list: pass JSON text and rebuild the array in SQL.
      sets.push(`${column} = ARRAY(SELECT jsonb_array_elements_text(?::jsonb))`);
      params.push(JSON.stringify(value));
    } else {
      sets.push(`${column} = ?`);
      params.push(Decimal.isDecimal(value) ? formatMoney(value) : value);
    }
  }
  sets.push('updated_at = now()');
  const history = [actor.id, actor.name, action, JSON.stringify(details), JSON.stringify(snapshot(before)), JSON.stringify(snapshot({ ...before, ...changes }))];
  const rows = await tx.execute(
    `WITH c AS (UPDATE claims SET ${sets.join(', ')} WHERE id = ? RETURNING *),
          h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
                SELECT id, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb FROM c)
     SELECT ${CLAIM_COLUMNS} FROM c`,
    [...params, before.id, ...history],
  );
  const after = toClaimRow(rows[0]!);
  if (changes.recoveryOwed !== undefined && !changes.recoveryOwed.eq(before.recoveryOwed)) await followRecoveryOwed(tx, actor, after);
  return after;
}

/**
 * An advance above the final payable is owed back (claims.recovery_owed, set by approval and by ending a
 * claim). The recovery to collect is one row per claim whose amount follows that figure, so finance
 * collects against it and a later approval that raises the payable lowers what is owed.
 */
async function followRecoveryOwed(tx: EntityManager, actor: Actor, claim: ClaimRow): Promise<void> {
  await tx.execute(
    `INSERT INTO claim_recoveries (claim_id, kind, debtor, reason, amount, created_by)
     VALUES (?, 'ADVANCE_EXCESS', ?, 'advance paid above the final payable', ?, ?)
     ON CONFLICT (claim_id) WHERE kind = 'ADVANCE_EXCESS' DO UPDATE SET amount = EXCLUDED.amount, updated_at = now()`,
    [claim.id, claim.claimantName, formatMoney(claim.recoveryOwed), actor.id],
  );
}

/** What the history keeps of a claim before and after each change: its workflow state, not the claimant's data. */
export function snapshot(row: ClaimRow): Record<string, unknown> {
  return {
    status: row.status,
    productVersion: row.productVersion,
    pendingTotal: row.pendingTotal === null ? null : formatMoney(row.pendingTotal),
    approvedTotal: formatMoney(row.approvedTotal),
    advanceApproved: formatMoney(row.advanceApproved),
    advancePaid: formatMoney(row.advancePaid),
    paidTotal: formatMoney(row.paidTotal),
    recoveryOwed: formatMoney(row.recoveryOwed),
    benefits: row.benefits,
    decisionDueOn: row.decisionDueOn,
    paymentDueOn: row.paymentDueOn,
    holdReasons: row.holdReasons,
    firstApprovedBy: row.firstApprovedBy,
  };
}

/** The first entry of a claim's history (its registration); later changes go through changeClaim. */
export async function recordHistory(
  tx: EntityManager,
  actor: Actor,
  action: string,
  before: ClaimRow | null,
  after: ClaimRow,
  details: Record<string, unknown> = {},
): Promise<void> {
  await tx.execute('INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)', [
    after.id,
    actor.id,
    actor.name,
    action,
    JSON.stringify(details),
    before === null ? null : JSON.stringify(snapshot(before)),
    JSON.stringify(snapshot(after)),
  ]);
}

/** The people who assessed any version of this claim: none of them may approve it. */
export async function assessorsOf(tx: EntityManager, claimId: string): Promise<Set<string>> {
  const rows = await tx.execute<{ assessed_by: string }[]>('SELECT DISTINCT assessed_by FROM claim_assessments WHERE claim_id = ?', [claimId]);
  return new Set(rows.map((row) => String(row.assessed_by)));
}

/** Ends an assessment that was never approved and frees the invoices it had taken. */
export async function discardPendingAssessment(tx: EntityManager, claim: ClaimRow): Promise<void> {
  if (claim.pendingAssessmentId === null) return;
  await tx.execute('DELETE FROM reimbursed_invoices WHERE assessment_id = ?', [claim.pendingAssessmentId]);
  await tx.execute(`UPDATE claim_assessments SET state = 'DISCARDED' WHERE id = ? AND state = 'PENDING'`, [claim.pendingAssessmentId]);
}

/** Still to pay once approved, and what the claimant owes back when the advance exceeded the final figure. */
export function balances(approvedTotal: Decimal, advancePaid: Decimal, paidTotal: Decimal): { remaining: Decimal; recoveryOwed: Decimal } {
  const paid = advancePaid.plus(paidTotal);
  return { remaining: Decimal.max(0, approvedTotal.minus(paid)), recoveryOwed: Decimal.max(0, paid.minus(approvedTotal)) };
}
