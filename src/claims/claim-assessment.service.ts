import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { assess, needsSecondApproval, normalizeInvoiceNumber, type Assessment, type ClaimedItem, type PriorPayments } from './assessment.js';
import { transition, type ClaimStatus } from './claim-status.js';
import { balances, lockClaim, changeClaim, type ClaimChanges, type ClaimRow } from './claims.repository.js';
import { claimReader, guardedChange, optimistically, readClaim, withClaimsDb, type ClaimsDb, type ReadClaim } from './claims.db.js';
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
      return await withClaimsDb(ctx.em, (db) => optimistically(key, () => assessOnce(ctx, db, actor, key, request.items)));
    } catch (error) {
      if (!(error instanceof InvoiceTakenMeanwhile) || attempt >= INVOICE_RACE_ATTEMPTS) throw error;
    }
  }
}

/**
 * The claim with what the assessment engine needs besides it, in one read: what earlier approved
 * assessments paid this person for this event under this product, item by item, and which of the
 * invoices ($2) another assessment already took (not counting this claim's pending one, which a
 * reassessment replaces).
 */
const ASSESS_READ = claimReader(`
  (SELECT COALESCE(json_agg(p), '[]') FROM (
     SELECT i.type, sum(i.approved)::numeric(38,2)::text AS paid, min(i.grade) AS worst_grade, sum(i.deductible_applied)::numeric(38,2)::text AS deductible
       FROM claim_assessment_items i
       JOIN claim_assessments a ON a.id = i.assessment_id AND a.state = 'APPROVED'
       JOIN claims pc ON pc.id = a.claim_id
      WHERE pc.id_number = c.id_number AND pc.event_id = c.event_id AND pc.product = c.product
      GROUP BY i.type) p) AS prior,
  (SELECT COALESCE(json_agg(json_build_object('invoice', r.invoice_number, 'number', rc.number)), '[]')
     FROM reimbursed_invoices r JOIN claims rc ON rc.id = r.claim_id
    WHERE r.invoice_number = ANY($2::text[]) AND r.assessment_id IS DISTINCT FROM c.pending_assessment_id) AS taken,
  nextval(pg_get_serial_sequence('claim_assessments', 'id'))::text AS next_assessment_id`);

async function assessOnce(ctx: ClaimsContext, db: ClaimsDb, actor: Actor, key: string, items: readonly ClaimedItem[]) {
  const numbers = items.flatMap((item) => (item.type === 'MEDICAL' ? item.invoices.map((invoice) => normalizeInvoiceNumber(invoice.number)) : []));
  const read = await readClaim(db, ASSESS_READ, key, [numbers]);
  if (!read) throw new NotFoundError('claim', key);
  const { claim } = read;
  const status = transition(claim.status, 'assess');
  const terms = ctx.policies.get(claim.product, claim.productVersion);
  const result = assess({ terms, hasMedicalInsurance: claim.hasMedicalInsurance, items, prior: priorPayments(read.raw.prior, read.raw.taken) });
  const after = await writeAssessment(db, actor, read, items, result, status, terms.version);
  const assessmentId = after.pendingAssessmentId!;
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

/** What earlier approved assessments paid this person for this event under this product, as read with the claim. */
function priorPayments(
  rows: { type: string; paid: string; worst_grade: number | null; deductible: string }[],
  taken: { invoice: string; number: string }[],
): PriorPayments {
  const byType = new Map(rows.map((row) => [row.type, row]));
  const paid = (type: string) => new Decimal(byType.get(type)?.paid ?? 0);
  return {
    deathDisabilityPaid: paid('DEATH').plus(paid('DISABILITY')),
    worstDisabilityGradePaid: byType.get('DISABILITY')?.worst_grade ?? null,
    medicalPaid: paid('MEDICAL'),
    medicalDeductibleUsed: new Decimal(byType.get('MEDICAL')?.deductible ?? 0),
    funeralPaid: paid('FUNERAL'),
    resettlementPaid: paid('RESETTLEMENT'),
    livingAidPaid: paid('LIVING_AID'),
    reimbursedInvoices: new Map(taken.map((row) => [row.invoice, row.number])),
  };
}

/**
 * One statement: the claim (if unchanged since read), a reassessment's discarded predecessor and its
 * invoices released, the assessment, its items and the invoices it takes. An invoice another claim took
 * meanwhile fails the statement on its primary key, and nothing is written.
 */
async function writeAssessment(db: ClaimsDb, actor: Actor, read: ReadClaim, items: readonly ClaimedItem[], result: Assessment, status: ClaimStatus, productVersion: number): Promise<ClaimRow> {
  const { claim } = read;
  const claimed = JSON.stringify(items, (_key, value) => (Decimal.isDecimal(value) ? formatMoney(value) : value));
  const lines = result.items.map((item, position) => ({
    position, type: item.type, grade: item.grade ?? null, payable: formatMoney(item.payable),
    deductible: formatMoney(item.deductibleApplied ?? ZERO), explanation: item.explanation,
  }));
  const invoices = result.items.flatMap((item) => (item.invoices ?? []).filter((invoice) => invoice.counted))
    .map((invoice) => ({ number: invoice.number, amount: formatMoney(invoice.amount), excluded: formatMoney(invoice.excluded) }));
  const previous = claim.pendingAssessmentId;
  // The new assessment's id was drawn with the read, so the claim can point at it in the same statement.
  const id = String(read.raw.next_assessment_id);
  const details = { assessmentId: id, total: formatMoney(result.total), productVersion };
  try {
    const changes: ClaimChanges = { status, pendingAssessmentId: id, pendingTotal: result.total, firstApprovedBy: null, holdReasons: [] };
    return (await guardedChange(db, actor, 'assess', read, changes, details, {
      also: (p) => {
        const assessment = p.add(id);
        return [
          // A reassessment (after a return) discards the unapproved one and releases its invoices first
          // (the inserts below read these CTEs, so they run after them).
          ...(previous === null ? [] : [
            `x AS (UPDATE claim_assessments SET state = 'DISCARDED' WHERE id = ${p.add(previous)}::bigint AND state = 'PENDING' AND EXISTS (SELECT FROM c) RETURNING id)`,
            `y AS (DELETE FROM reimbursed_invoices WHERE assessment_id = ${p.add(previous)}::bigint AND EXISTS (SELECT FROM c) RETURNING invoice_number)`,
          ]),
          `a AS (INSERT INTO claim_assessments (id, claim_id, product_version, state, claimed, total, assessed_by)
                 SELECT ${assessment}::bigint, c.id, c.product_version, 'PENDING', ${p.add(claimed)}::jsonb, ${p.add(formatMoney(result.total))}, ${p.add(actor.id)}::bigint FROM c
                 ${previous === null ? '' : 'WHERE (SELECT count(*) FROM x) >= 0 AND (SELECT count(*) FROM y) >= 0'} RETURNING id)`,
          `i AS (INSERT INTO claim_assessment_items (assessment_id, position, type, grade, payable, deductible_applied, explanation)
                 SELECT a.id, x.position, x.type, x.grade, x.payable, x.deductible, x.explanation
                   FROM a, jsonb_to_recordset(${p.add(JSON.stringify(lines))}::jsonb) AS x(position int, type text, grade int, payable numeric, deductible numeric, explanation text))`,
          `r AS (INSERT INTO reimbursed_invoices (invoice_number, claim_id, assessment_id, amount, excluded)
                 SELECT x.number, c.id, a.id, x.amount, x.excluded
                   FROM c, a, jsonb_to_recordset(${p.add(JSON.stringify(invoices))}::jsonb) AS x(number text, amount numeric, excluded numeric))`,
        ];
      },
    })).claim;
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).constraint === 'reimbursed_invoices_pkey') throw new InvoiceTakenMeanwhile();
    throw error;
  }
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
