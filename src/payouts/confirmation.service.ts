import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, ValidationError, type FieldProblem } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { transactionConnection } from '../db/raw-connection.js';
import { applyAdvancePayments, applyPayments, balances, changeClaim, lockClaims, reversePayment, type PaymentToApply } from '../claims/index.js';
import { lockBatch, type BatchRow } from './batches.service.js';
import type { LineOutcome } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

interface StoredLine {
  id: string;
  position: number;
  claimId: string;
  claim: string;
  amount: Decimal;
  purpose: 'FINAL' | 'DIFFERENCE' | 'REISSUE' | 'ADVANCE';
  state: 'PENDING' | 'PAID' | 'FAILED' | 'RETURNED' | 'CANCELLED';
  failureReason: string | null;
  paymentId: string | null;
  bankReference: string | null;
  paidOn: string | null;
}

type Step =
  | { kind: 'pay'; line: StoredLine; outcome: Extract<LineOutcome, { status: 'PAID' }> }
  | { kind: 'fail'; line: StoredLine; outcome: Extract<LineOutcome, { status: 'FAILED' }> }
  | { kind: 'return'; line: StoredLine; outcome: Extract<LineOutcome, { status: 'RETURNED' }> }
  | { kind: 'unchanged'; line: StoredLine; outcome: LineOutcome };

/**
 * The bank's answer for a sent batch, line by line (POST /payout-batches/:id/confirm and the return file):
 * PAID records the payment on the claim, FAILED keeps the line on record and frees the amount for a later
 * batch, RETURNED reverses a payment made. All or nothing: a request with any refused line changes
 * nothing and names every refused claim with its reason. An answer already recorded is left as it is, so
 * confirming twice changes nothing; an answer that contradicts a recorded one is refused.
 */
export async function confirmBatch(ctx: PayoutsContext, actor: Actor, key: string, outcomes: readonly LineOutcome[]) {
  return inTransaction(ctx.em, async (tx) => {
    const batch = await lockBatch(tx, key);
    if (batch.status === 'OPEN') throw new ConflictError('BATCH_NOT_SENT', `payout batch ${batch.number} has not been sent to the bank: export its bank file first`, [{ batch: batch.number }]);
    if (batch.status === 'CANCELLED') throw new ConflictError('BATCH_CANCELLED', `payout batch ${batch.number} was cancelled`, [{ batch: batch.number }]);
    const lines = await storedLines(tx, batch.id);
    const steps = plan(batch, lines, outcomes, ctx.today());
    const counts = { paid: 0, failed: 0, returned: 0, unchanged: 0 };
    await pay(tx, actor, batch, steps.filter((s) => s.kind === 'pay'));
    await fail(tx, actor, batch, steps.filter((s) => s.kind === 'fail'));
    for (const step of steps) {
      if (step.kind === 'return') {
        await reversePayment(tx, actor, step.line.paymentId!, step.outcome.reason, step.outcome.returnedOn ?? ctx.today());
      }
      counts[({ pay: 'paid', fail: 'failed', return: 'returned', unchanged: 'unchanged' } as const)[step.kind]]++;
    }
    const [state] = await tx.execute<{ pending: string }[]>(`SELECT count(*) FILTER (WHERE state = 'PENDING') AS pending FROM payout_lines WHERE batch_id = ?`, [batch.id]);
    let status = batch.status;
    if (status === 'SENT' && Number(state!.pending) === 0) {
      await tx.execute(`UPDATE payout_batches SET status = 'CONFIRMED', confirmed_at = now() WHERE id = ?`, [batch.id]);
      status = 'CONFIRMED';
    }
    return {
      id: batch.id, number: batch.number, status, ...counts, pending: Number(state!.pending),
      lines: steps.map((s) => ({ claim: s.line.claim, position: s.line.position, amount: formatMoney(s.line.amount), outcome: s.kind === 'unchanged' ? 'UNCHANGED' : s.outcome.status })),
    };
  });
}

async function storedLines(tx: EntityManager, batchId: string): Promise<StoredLine[]> {
  const client = await transactionConnection(tx);
  const { rows } = await client.query(
    `SELECT l.id, l.position, l.claim_id, c.number, l.amount::text AS amount, l.purpose, l.state, l.failure_reason, p.id AS payment_id, p.reference, p.paid_on::text AS paid_on
       FROM payout_lines l JOIN claims c ON c.id = l.claim_id LEFT JOIN claim_payments p ON p.payout_line_id = l.id
      WHERE l.batch_id = $1 ORDER BY l.position`,
    [batchId],
  );
  return rows.map((r) => ({
    id: String(r.id), position: r.position, claimId: String(r.claim_id), claim: r.number, amount: new Decimal(r.amount), purpose: r.purpose, state: r.state,
    failureReason: r.failure_reason, paymentId: r.payment_id === null ? null : String(r.payment_id), bankReference: r.reference, paidOn: r.paid_on,
  }));
}

/** Decides each line's step, collecting every problem (422) and every contradiction (409) before anything is written. */
function plan(batch: BatchRow, lines: readonly StoredLine[], outcomes: readonly LineOutcome[], today: string): Step[] {
  const byKey = new Map<string, StoredLine>();
  for (const line of lines) {
    byKey.set(line.claim, line);
    byKey.set(line.claimId, line);
  }
  const invalid: FieldProblem[] = [];
  const conflicts: { claim: string; line?: number; reason: string }[] = [];
  const seen = new Set<string>();
  const steps: Step[] = [];
  outcomes.forEach((outcome, index) => {
    const at = outcome.line === undefined ? { field: `lines.${index}.claim` } : { line: outcome.line, field: '用途' };
    const line = byKey.get(outcome.claim);
    if (!line) return void invalid.push({ ...at, value: outcome.claim, reason: `claim ${outcome.claim} has no line in payout batch ${batch.number}` });
    if (seen.has(line.id)) return void invalid.push({ ...at, value: outcome.claim, reason: `claim ${line.claim} is answered twice` });
    seen.add(line.id);
    if (outcome.amount !== undefined && outcome.amount !== formatMoney(line.amount)) {
      return void invalid.push({ ...(outcome.line === undefined ? {} : { line: outcome.line }), field: '金额', value: outcome.amount, reason: `claim ${line.claim}: the batch pays ${formatMoney(line.amount)}, not ${outcome.amount}` });
    }
    const day = outcome.status === 'PAID' ? outcome.paidOn : outcome.status === 'RETURNED' ? outcome.returnedOn : undefined;
    if (day !== undefined && (day > today || day < batch.sentOn!)) {
      const field = outcome.line === undefined ? `lines.${index}.${outcome.status === 'PAID' ? 'paidOn' : 'returnedOn'}` : '交易日期';
      return void invalid.push({ ...(outcome.line === undefined ? {} : { line: outcome.line }), field, value: day, reason: `claim ${line.claim}: the date must lie between the day the batch was sent (${batch.sentOn}) and today (${today})` });
    }
    const refuse = (reason: string): undefined => void conflicts.push({ claim: line.claim, ...(outcome.line === undefined ? {} : { line: outcome.line }), reason: `claim ${line.claim}: ${reason}` });
    const step = decide(line, outcome, refuse);
    if (step) steps.push(step);
  });
  if (invalid.length > 0) throw new ValidationError(invalid.map((p) => p.reason).join('; '), invalid, 'CONFIRMATION_INVALID');
  if (conflicts.length > 0) throw new ConflictError('LINE_ALREADY_CONFIRMED', conflicts.map((c) => c.reason).join('; '), conflicts);
  return steps;
}

function decide(line: StoredLine, outcome: LineOutcome, refuse: (reason: string) => undefined): Step | undefined {
  switch (outcome.status) {
    case 'PAID':
      if (line.state === 'PENDING') return { kind: 'pay', line, outcome };
      if (line.state === 'PAID' && line.bankReference === outcome.bankReference && line.paidOn === outcome.paidOn) return { kind: 'unchanged', line, outcome };
      if (line.state === 'PAID') return refuse(`already confirmed PAID with bank reference ${line.bankReference} on ${line.paidOn}`);
      return refuse(`already confirmed ${line.state}${line.failureReason ? ` (${line.failureReason})` : ''}; it cannot become PAID`);
    case 'FAILED':
      if (line.state === 'PENDING') return { kind: 'fail', line, outcome };
      if (line.state === 'FAILED') return { kind: 'unchanged', line, outcome };
      return refuse(`already confirmed ${line.state}; a paid line that comes back is RETURNED, not FAILED`);
    case 'RETURNED':
      if (line.state === 'PAID') return { kind: 'return', line, outcome };
      if (line.state === 'RETURNED') return { kind: 'unchanged', line, outcome };
      return refuse(`is ${line.state}: only a paid line can be returned`);
  }
}

async function pay(tx: EntityManager, actor: Actor, batch: BatchRow, steps: readonly Step[]): Promise<void> {
  if (steps.length === 0) return;
  const claims = await lockClaims(tx, steps.map((s) => s.line.claimId));
  const payments: PaymentToApply[] = [];
  const advances: PaymentToApply[] = [];
  const conflicts: { claim: string; reason: string }[] = [];
  for (const step of steps as Extract<Step, { kind: 'pay' }>[]) {
    const claim = claims.get(step.line.claimId)!;
    const advance = step.line.purpose === 'ADVANCE';
    // The bank paid an advance line: it is an advance, whatever the claim went on to (the final pays what was not advanced).
    const payable = advance ? claim.advanceApproved.minus(claim.advancePaid) : balances(claim.approvedTotal, claim.advancePaid, claim.paidTotal).remaining;
    // Only a bug or a hand edit can get here (a batched claim cannot be paid or reassessed elsewhere); the database would refuse the overpayment anyway.
    if ((!advance && claim.status !== 'APPROVED') || payable.lt(step.line.amount)) {
      conflicts.push({ claim: claim.number, reason: `claim ${claim.number} is ${claim.status} with ${formatMoney(payable)} left to pay${advance ? ' in advance' : ''}, less than the line's ${formatMoney(step.line.amount)}` });
      continue;
    }
    (advance ? advances : payments).push({
      claim, amount: step.line.amount, paidOn: step.outcome.paidOn, reference: step.outcome.bankReference, payoutLineId: step.line.id,
      details: { batch: batch.number, position: step.line.position },
    });
  }
  if (conflicts.length > 0) throw new ConflictError('CLAIM_NOT_PAYABLE', conflicts.map((c) => c.reason).join('; '), conflicts);
  await applyPayments(tx, actor, payments);
  await applyAdvancePayments(tx, actor, advances);
  const client = await transactionConnection(tx);
  await client.query(`UPDATE payout_lines SET state = 'PAID', decided_at = now(), decided_by = $2 WHERE id = ANY($1::bigint[]) AND state = 'PENDING'`, [steps.map((s) => s.line.id), actor.id]);
}

/** A refused transfer: the line keeps the bank's reason, the claim's history says so, the amount is payable again. */
async function fail(tx: EntityManager, actor: Actor, batch: BatchRow, steps: readonly Step[]): Promise<void> {
  if (steps.length === 0) return;
  const claims = await lockClaims(tx, steps.map((s) => s.line.claimId));
  const client = await transactionConnection(tx);
  const failed = steps as Extract<Step, { kind: 'fail' }>[];
  await client.query(
    `UPDATE payout_lines l SET state = 'FAILED', failure_reason = u.reason, decided_at = now(), decided_by = $3
       FROM unnest($1::bigint[], $2::text[]) AS u(id, reason) WHERE l.id = u.id AND l.state = 'PENDING'`,
    [failed.map((s) => s.line.id), failed.map((s) => s.outcome.reason), actor.id],
  );
  for (const step of failed) {
    await changeClaim(tx, actor, 'payment_failed', claims.get(step.line.claimId)!, {}, { batch: batch.number, position: step.line.position, amount: formatMoney(step.line.amount), reason: step.outcome.reason });
  }
}
