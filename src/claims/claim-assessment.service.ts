import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, ValidationError, type FieldProblem } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { assess, needsSecondApproval, normalizeInvoiceNumber, type Assessment, type ClaimedItem, type PriorPayments } from './assessment.js';
import { transition } from './claim-status.js';
import { balances, discardPendingAssessment, lockClaim, changeClaim, type ClaimRow } from './claims.repository.js';
import type { ClaimsContext } from './claims.context.js';
import type { AdvanceInput, AssessmentRequest } from './claims.schemas.js';

const ZERO = new Decimal(0);
const INVOICE_RACE_ATTEMPTS = 4;

/** Another claim took one of our invoices between our read and our insert: assess again, it will now count 0. */
class InvoiceTakenMeanwhile extends Error {}

/**
 * POST /claims/:id/assessment. The engine is fed what was already approved for this person, event and
 * product (other claims, and this claim before a reopen) and every invoice already reimbursed anywhere,
 * so a reassessment pays only the difference and an invoice is never paid twice.
 */
export async function assessClaim(ctx: ClaimsContext, actor: Actor, key: string, request: AssessmentRequest) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.em, (tx) => assessInTransaction(ctx, tx, actor, key, request.items));
    } catch (error) {
      if (!(error instanceof InvoiceTakenMeanwhile) || attempt >= INVOICE_RACE_ATTEMPTS) throw error;
    }
  }
}

async function assessInTransaction(ctx: ClaimsContext, tx: EntityManager, actor: Actor, key: string, items: readonly ClaimedItem[]) {
  const claim = await lockClaim(tx, key);
  const status = transition(claim.status, 'assess');
  const terms = ctx.policies.get(claim.product, claim.productVersion);
  // A reassessment (after a return) replaces the unapproved one and releases the invoices it had taken.
  await discardPendingAssessment(tx, claim);
  const prior = await priorPayments(tx, claim, items);
  const result = assess({ terms, hasMedicalInsurance: claim.hasMedicalInsurance, items, prior });
  const assessmentId = await insertAssessment(tx, actor, claim, items, result);
  const after = await changeClaim(tx, actor, 'assess', claim, { status, pendingAssessmentId: assessmentId, pendingTotal: result.total, firstApprovedBy: null, holdReasons: [] }, { assessmentId, total: formatMoney(result.total), productVersion: terms.version });
  const { remaining, recoveryOwed } = balances(after.approvedTotal.plus(result.total), after.advancePaid, after.paidTotal);
  return {
    claimId: after.id,
    number: after.number,
    status: after.status,
    assessmentId,
    productVersion: terms.version,
    items: result.items.map((item) => ({
      type: item.type,
      payable: formatMoney(item.payable),
      explanation: item.explanation,
      ...(item.grade === undefined ? {} : { grade: item.grade }),
      ...(item.invoices === undefined ? {} : {
        invoices: item.invoices.map((invoice) => ({ number: invoice.number, amount: formatMoney(invoice.amount), excluded: formatMoney(invoice.excluded), counted: invoice.counted, ...(invoice.reason ? { reason: invoice.reason } : {}) })),
      }),
    })),
    total: formatMoney(result.total),
    advancePaid: formatMoney(after.advancePaid),
    remaining: formatMoney(remaining),
    recoveryOwed: formatMoney(recoveryOwed),
    needsSecondApproval: needsSecondApproval(result.total, terms),
  };
}

/** What earlier approved assessments paid this person for this event under this product, item by item. */
async function priorPayments(tx: EntityManager, claim: ClaimRow, items: readonly ClaimedItem[]): Promise<PriorPayments> {
  const rows = await tx.execute<{ type: string; paid: string; worst_grade: number | null; deductible: string }[]>(
    `SELECT i.type, sum(i.approved)::numeric(38,2) AS paid, min(i.grade) AS worst_grade, sum(i.deductible_applied)::numeric(38,2) AS deductible
       FROM claim_assessment_items i
       JOIN claim_assessments a ON a.id = i.assessment_id AND a.state = 'APPROVED'
       JOIN claims c ON c.id = a.claim_id
      WHERE c.id_number = ? AND c.event_id = ? AND c.product = ?
      GROUP BY i.type`,
    [claim.idNumber, claim.eventId, claim.product],
  );
  const byType = new Map(rows.map((row) => [row.type, row]));
  const paid = (type: string) => new Decimal(byType.get(type)?.paid ?? 0);
  const numbers = items.flatMap((item) => (item.type === 'MEDICAL' ? item.invoices.map((invoice) => normalizeInvoiceNumber(invoice.number)) : []));
  const taken = numbers.length === 0 ? [] : await tx.execute<{ invoice_number: string; number: string }[]>(
    `SELECT r.invoice_number, c.number FROM reimbursed_invoices r JOIN claims c ON c.id = r.claim_id
      WHERE r.invoice_number IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(numbers)],
  );
  return {
    deathDisabilityPaid: paid('DEATH').plus(paid('DISABILITY')),
    worstDisabilityGradePaid: byType.get('DISABILITY')?.worst_grade ?? null,
    medicalPaid: paid('MEDICAL'),
    medicalDeductibleUsed: new Decimal(byType.get('MEDICAL')?.deductible ?? 0),
    funeralPaid: paid('FUNERAL'),
    resettlementPaid: paid('RESETTLEMENT'),
    livingAidPaid: paid('LIVING_AID'),
    reimbursedInvoices: new Map(taken.map((row) => [row.invoice_number, row.number])),
  };
}

async function insertAssessment(tx: EntityManager, actor: Actor, claim: ClaimRow, items: readonly ClaimedItem[], result: Assessment): Promise<string> {
  const claimed = JSON.stringify(items, (_key, value) => (Decimal.isDecimal(value) ? formatMoney(value) : value));
  const [row] = await tx.execute<{ id: string }[]>(
    `INSERT INTO claim_assessments (claim_id, product_version, state, claimed, total, assessed_by) VALUES (?, ?, 'PENDING', ?::jsonb, ?, ?) RETURNING id`,
    [claim.id, claim.productVersion, claimed, formatMoney(result.total), actor.id],
  );
  const id = String(row!.id);
  const lines = result.items.map((item, position) => ({
    position, type: item.type, grade: item.grade ?? null, payable: formatMoney(item.payable),
    deductible: formatMoney(item.deductibleApplied ?? ZERO), explanation: item.explanation,
  }));
  await tx.execute(
    `INSERT INTO claim_assessment_items (assessment_id, position, type, grade, payable, deductible_applied, explanation)
     SELECT ?, x.position, x.type, x.grade, x.payable, x.deductible, x.explanation
       FROM jsonb_to_recordset(?::jsonb) AS x(position int, type text, grade int, payable numeric, deductible numeric, explanation text)`,
    [id, JSON.stringify(lines)],
  );
  const invoices = result.items.flatMap((item) => (item.invoices ?? []).filter((invoice) => invoice.counted));
  if (invoices.length > 0) {
    const taken = await tx.execute(
      `INSERT INTO reimbursed_invoices (invoice_number, claim_id, assessment_id, amount, excluded)
       SELECT x.number, ?, ?, x.amount, x.excluded FROM jsonb_to_recordset(?::jsonb) AS x(number text, amount numeric, excluded numeric)
       ON CONFLICT (invoice_number) DO NOTHING RETURNING invoice_number`,
      [claim.id, id, JSON.stringify(invoices.map((invoice) => ({ number: invoice.number, amount: formatMoney(invoice.amount), excluded: formatMoney(invoice.excluded) })))],
    );
    if (taken.length !== invoices.length) throw new InvoiceTakenMeanwhile();
  }
  return id;
}

/**
 * POST /claims/:id/advance: approves an advance before the assessment, where the product allows it (up
 * to its maximum in all). Nothing is paid here: the approved advance is a payable amount that a payout
 * batch collects (purpose ADVANCE) or the per-claim pay route pays, and the final payable is reduced by
 * what was actually paid in advance.
 */
export async function approveAdvance(ctx: ClaimsContext, actor: Actor, key: string, input: AdvanceInput) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
    const terms = ctx.policies.get(claim.product, claim.productVersion);
    if (terms.advance === null) {
      const reason = `${terms.productCode} v${terms.version} pays no advances (only products whose terms say so, e.g. BRAVE_DEED, CRIMINAL_INJURY)`;
      throw new ValidationError(`amount: ${reason}`, [{ field: 'amount', value: formatMoney(input.amount), reason }], 'ADVANCE_NOT_OFFERED');
    }
    if (claim.status !== 'REPORTED' && claim.status !== 'SURVEYED') {
      throw new ConflictError('ADVANCE_AFTER_ASSESSMENT', `an advance is approved before the assessment; claim ${claim.number} is ${claim.status}`, { status: claim.status });
    }
    const left = terms.advance.max.minus(claim.advanceApproved);
    const problems: FieldProblem[] = [];
    if (input.amount.lte(0)) problems.push({ field: 'amount', value: formatMoney(input.amount), reason: 'an advance is more than 0.00' });
    if (input.amount.gt(left)) {
      problems.push({ field: 'amount', value: formatMoney(input.amount), reason: `at most ${formatMoney(terms.advance.max)} in all; ${formatMoney(claim.advanceApproved)} already advanced, ${formatMoney(left)} left` });
    }
    if (problems.length > 0) throw new ValidationError(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems, input.amount.gt(left) ? 'ADVANCE_OVER_MAX' : 'VALIDATION_FAILED');
    const approvedOn = ctx.today();
    const after = await changeClaim(tx, actor, 'advance', claim, { advanceApproved: claim.advanceApproved.plus(input.amount), advanceApprovedOn: approvedOn }, { amount: formatMoney(input.amount), approvedOn, note: input.note ?? null });
    return {
      id: after.id, number: after.number, status: after.status, advanceApproved: formatMoney(after.advanceApproved), advancePaid: formatMoney(after.advancePaid),
      advanceUnpaid: formatMoney(after.advanceApproved.minus(after.advancePaid)), advanceMax: formatMoney(terms.advance.max), approvedOn,
    };
  });
}
