import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { transactionConnection } from '../db/raw-connection.js';
import { ADVANCE_PAYABLE_STATUSES, transition } from './claim-status.js';
import { CLAIM_COLUMNS, balances, changeClaim, lockClaim, snapshot, toClaimRow, type ClaimRow } from './claims.repository.js';

/**
 * The claim's side of every payment: the payments ledger (claim_payments), the claim's totals and its
 * status, written together. The per-claim pay route and batch confirmations both come through here, so
 * a claim becomes PAID, and CLOSED, by one rule:
 * - PAID when everything approved has been paid (nothing remaining after advances and payments);
 * - CLOSED at that same moment when no recovery of the claim is still open; otherwise it stays PAID until
 *   the last open recovery is collected in full (see closeIfSettled).
 * The database checks the result at commit: payments add up to the totals, the totals never exceed the approval.
 */

export interface PaymentToApply {
  claim: ClaimRow;
  amount: Decimal;
  paidOn: string;
  reference: string;
  payoutLineId: string | null;
  /** Extra facts for the claim's history (the batch number, for example). */
  details?: Record<string, unknown>;
}

/** Locks many claims at once, in id order (the order every multi-claim writer uses, so they never deadlock). */
export async function lockClaims(tx: EntityManager, ids: readonly string[]): Promise<Map<string, ClaimRow>> {
  if (ids.length === 0) return new Map();
  const client = await transactionConnection(tx);
  const { rows } = await client.query(`SELECT ${CLAIM_COLUMNS} FROM claims c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id FOR UPDATE`, [ids]);
  return new Map(rows.map((raw) => [String(raw.id), toClaimRow(raw)]));
}

/** Claims among `ids` with a recovery not yet collected in full. */
export async function claimsWithOpenRecovery(tx: EntityManager, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const client = await transactionConnection(tx);
  const { rows } = await client.query('SELECT DISTINCT claim_id FROM claim_recoveries WHERE claim_id = ANY($1::bigint[]) AND collected < amount', [ids]);
  return new Set(rows.map((row) => String(row.claim_id)));
}

/** The line of an open payout batch holding the claim's unpaid amount, if any. */
export async function openPayoutLine(tx: EntityManager, claimId: string): Promise<{ lineId: string; batch: string; batchStatus: string } | null> {
  const [row] = await tx.execute<{ id: string; number: string; status: string }[]>(
    `SELECT l.id, b.number, b.status FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id WHERE l.claim_id = ? AND l.state = 'PENDING'`,
    [claimId],
  );
  return row ? { lineId: String(row.id), batch: row.number, batchStatus: row.status } : null;
}

interface HistoryEntry {
  claimId: string;
  action: string;
  details: Record<string, unknown>;
  before: ClaimRow;
  after: ClaimRow;
}

/**
 * Records payments of locked, APPROVED claims, set-based (a batch confirms thousands at once): the
 * payment rows, the new totals and statuses, and one history entry per change. Returns the claims after.
 */
export async function applyPayments(tx: EntityManager, actor: Actor, payments: readonly PaymentToApply[]): Promise<ClaimRow[]> {
  if (payments.length === 0) return [];
  const open = await claimsWithOpenRecovery(tx, payments.map((p) => p.claim.id));
  const history: HistoryEntry[] = [];
  const afters = payments.map((payment) => {
    const { claim, amount } = payment;
    const paidTotal = claim.paidTotal.plus(amount);
    const remaining = balances(claim.approvedTotal, claim.advancePaid, paidTotal).remaining;
    const status = remaining.isZero() ? transition(claim.status, 'pay') : claim.status;
    const paid: ClaimRow = { ...claim, paidTotal, status };
    history.push({ claimId: claim.id, action: 'pay', before: claim, after: paid, details: { amount: formatMoney(amount), paidOn: payment.paidOn, reference: payment.reference, ...payment.details } });
    if (status !== 'PAID' || open.has(claim.id)) return paid;
    const closed: ClaimRow = { ...paid, status: transition(paid.status, 'close') };
    history.push({ claimId: claim.id, action: 'close', before: paid, after: closed, details: { reason: 'paid in full with no open recovery' } });
    return closed;
  });
  await insertPayments(tx, actor, 'PAYMENT', payments);
  const client = await transactionConnection(tx);
  await client.query(
    `UPDATE claims c SET paid_total = u.paid_total, status = u.status, updated_at = now()
       FROM unnest($1::bigint[], $2::numeric[], $3::text[]) AS u(id, paid_total, status) WHERE c.id = u.id`,
    [afters.map((a) => a.id), afters.map((a) => formatMoney(a.paidTotal)), afters.map((a) => a.status)],
  );
  await insertHistory(tx, actor, history);
  return afters;
}

/** The approved advance not yet paid (zero when none, or once the claim is past its final approval). */
export function unpaidAdvance(claim: ClaimRow): Decimal {
  if (!ADVANCE_PAYABLE_STATUSES.includes(claim.status)) return new Decimal(0);
  return Decimal.max(0, claim.advanceApproved.minus(claim.advancePaid));
}

/**
 * Records payments of approved advances of locked claims, set-based (a batch confirms many at once):
 * ADVANCE rows of the payments ledger, the claims' advance_paid, one history entry each. The claim's
 * status does not change. The database refuses an advance paid beyond what was approved.
 */
export async function applyAdvancePayments(tx: EntityManager, actor: Actor, payments: readonly PaymentToApply[]): Promise<ClaimRow[]> {
  if (payments.length === 0) return [];
  const afters = payments.map((p) => ({ ...p.claim, advancePaid: p.claim.advancePaid.plus(p.amount) }));
  await insertPayments(tx, actor, 'ADVANCE', payments);
  const client = await transactionConnection(tx);
  await client.query(
    `UPDATE claims c SET advance_paid = u.advance_paid, updated_at = now() FROM unnest($1::bigint[], $2::numeric[]) AS u(id, advance_paid) WHERE c.id = u.id`,
    [afters.map((a) => a.id), afters.map((a) => formatMoney(a.advancePaid))],
  );
  await insertHistory(tx, actor, payments.map((p, i) => ({
    claimId: p.claim.id, action: 'advance_paid', before: p.claim, after: afters[i]!,
    details: { amount: formatMoney(p.amount), paidOn: p.paidOn, reference: p.reference, ...p.details },
  })));
  return afters;
}

/** The payments ledger rows of `payments`, one statement. */
async function insertPayments(tx: EntityManager, actor: Actor, kind: 'PAYMENT' | 'ADVANCE', payments: readonly PaymentToApply[]): Promise<void> {
  const client = await transactionConnection(tx);
  await client.query(
    `INSERT INTO claim_payments (claim_id, kind, amount, paid_on, reference, recorded_by, payout_line_id)
     SELECT u.claim_id, $7, u.amount, u.paid_on, u.reference, $6, u.line_id
       FROM unnest($1::bigint[], $2::numeric[], $3::date[], $4::text[], $5::bigint[]) AS u(claim_id, amount, paid_on, reference, line_id)`,
    [payments.map((p) => p.claim.id), payments.map((p) => formatMoney(p.amount)), payments.map((p) => p.paidOn), payments.map((p) => p.reference), payments.map((p) => p.payoutLineId), actor.id, kind],
  );
}

async function insertHistory(tx: EntityManager, actor: Actor, entries: readonly HistoryEntry[]): Promise<void> {
  const client = await transactionConnection(tx);
  await client.query(
    `INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
     SELECT u.claim_id, $1, $2, u.action, u.details, u.before, u.after
       FROM unnest($3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS u(claim_id, action, details, before, after, n)
      ORDER BY u.n`,
    [
      actor.id, actor.name, entries.map((e) => e.claimId), entries.map((e) => e.action), entries.map((e) => JSON.stringify(e.details)),
      entries.map((e) => JSON.stringify(snapshot(e.before))), entries.map((e) => JSON.stringify(snapshot(e.after))),
    ],
  );
}

export interface ReversedPayment {
  paymentId: string;
  reversalId: string;
  claim: ClaimRow;
  amount: Decimal;
  payoutLineId: string | null;
}

/**
 * The bank sent a paid amount back: a reversal (the negative of the payment, dated the day it came back)
 * takes it off the claim's paid total (an advance's off its advance paid), so the amount is payable again; a PAID or CLOSED claim returns to
 * APPROVED. The original payment stays on record. A payment is reversed at most once (a unique key).
 */
export async function reversePayment(tx: EntityManager, actor: Actor, paymentId: string, reason: string, returnedOn: string): Promise<ReversedPayment> {
  if (!/^\d{1,18}$/.test(paymentId)) throw new NotFoundError('payment', paymentId);
  const [found] = await tx.execute<{ claim_id: string }[]>('SELECT claim_id FROM claim_payments WHERE id = ?', [paymentId]);
  if (!found) throw new NotFoundError('payment', paymentId);
  const claim = await lockClaim(tx, String(found.claim_id));
  const [payment] = await tx.execute<{ kind: string; amount: string; paid_on: string; payout_line_id: string | null; reversed_by: string | null }[]>(
    `SELECT p.kind, p.amount, p.paid_on, p.payout_line_id, r.id AS reversed_by FROM claim_payments p
       LEFT JOIN claim_payments r ON r.reverses_payment_id = p.id WHERE p.id = ?`,
    [paymentId],
  );
  const refuse = (code: string, why: string) => new ConflictError(code, `payment ${paymentId} of claim ${claim.number} cannot be returned: ${why}`, { claim: claim.number, payment: paymentId });
  if (payment!.kind === 'REVERSAL') throw refuse('NOT_A_PAYMENT', 'it is itself a reversal');
  const advance = payment!.kind === 'ADVANCE';
  if (payment!.reversed_by !== null) throw refuse('PAYMENT_ALREADY_RETURNED', `it was already returned (reversal ${payment!.reversed_by})`);
  const amount = new Decimal(payment!.amount);
  if (amount.isZero()) throw refuse('NOTHING_TO_RETURN', 'it paid 0.00');
  if (returnedOn < payment!.paid_on) throw refuse('RETURN_BEFORE_PAYMENT', `returnedOn ${returnedOn} is before the payment's date ${payment!.paid_on}`);
  const [reversal] = await tx.execute<{ id: string }[]>(
    `INSERT INTO claim_payments (claim_id, kind, amount, paid_on, reference, recorded_by, reverses_payment_id, reason)
     VALUES (?, 'REVERSAL', ?, ?, ?, ?, ?, ?) RETURNING id`,
    [claim.id, formatMoney(amount.negated()), returnedOn, `RETURN-${paymentId}`, actor.id, paymentId, reason],
  );
  // A returned advance is an advance no longer paid: the approved advance (or, after approval, the final) is payable again.
  const status = claim.status === 'PAID' || claim.status === 'CLOSED' ? transition(claim.status, 'payment_returned') : claim.status;
  const totals = advance ? { advancePaid: claim.advancePaid.minus(amount) } : { paidTotal: claim.paidTotal.minus(amount) };
  const after = await changeClaim(tx, actor, 'payment_returned', claim, { status, ...totals }, { payment: paymentId, kind: payment!.kind, amount: formatMoney(amount), returnedOn, reason });
  const lineId = payment!.payout_line_id === null ? null : String(payment!.payout_line_id);
  if (lineId !== null) await tx.execute(`UPDATE payout_lines SET state = 'RETURNED' WHERE id = ? AND state = 'PAID'`, [lineId]);
  return { paymentId, reversalId: String(reversal!.id), claim: after, amount, payoutLineId: lineId };
}

/** A PAID claim with nothing left to pay closes once its last open recovery is collected. */
export async function closeIfSettled(tx: EntityManager, actor: Actor, claimId: string, reason: string): Promise<ClaimRow> {
  const claim = await lockClaim(tx, claimId);
  if (claim.status !== 'PAID') return claim;
  if (!balances(claim.approvedTotal, claim.advancePaid, claim.paidTotal).remaining.isZero()) return claim;
  if ((await claimsWithOpenRecovery(tx, [claim.id])).size > 0) return claim;
  return changeClaim(tx, actor, 'close', claim, { status: transition(claim.status, 'close') }, { reason });
}
