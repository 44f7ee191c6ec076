import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney, sum } from '../shared/amounts.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { forkOf } from '../db/request-transaction.js';
import { transactionConnection } from '../db/raw-connection.js';
import { ADVANCE_PAYABLE_STATUSES, lockClaims, shownPersonalData, type ClaimRow } from '../claims/index.js';
import { payoutEligibility, type LastLine } from './payout-eligibility.js';
import { MAX_BATCH_LINES, type BatchListQuery, type CreateBatchInput } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A batch by id or number (PB00000007). */
function whereBatch(key: string): { sql: string; value: string } {
  if (/^\d{1,18}$/.test(key)) return { sql: 'b.id = ?', value: key };
  if (/^PB\d{8,18}$/.test(key)) return { sql: 'b.number = ?', value: key };
  throw new NotFoundError('payout batch', key);
}

export interface BatchRow {
  id: string;
  number: string;
  status: 'OPEN' | 'SENT' | 'CONFIRMED' | 'CANCELLED';
  sentOn: string | null;
}

/** Locks the batch row: every change to a batch or its lines' outcomes goes through here first. */
export async function lockBatch(tx: EntityManager, key: string): Promise<BatchRow> {
  const where = whereBatch(key);
  const [row] = await tx.execute<{ id: string; number: string; status: BatchRow['status']; sent_on: string | null }[]>(
    `SELECT b.id, b.number, b.status, b.sent_on FROM payout_batches b WHERE ${where.sql} FOR UPDATE`, [where.value],
  );
  if (!row) throw new NotFoundError('payout batch', key);
  return { id: String(row.id), number: row.number, status: row.status, sentOn: row.sent_on };
}

/**
 * POST /payout-batches: collects approved, unpaid amounts into a numbered batch, one line per claim with
 * the claim's bank details as they are now. Named claims must all be payable (else nothing is created and
 * every refused claim is named); with filters, claims that cannot be paid are left out, and those waiting
 * for corrected bank details are listed as skipped. Most urgent first (the 10-day payment clock).
 */
export async function createBatch(ctx: PayoutsContext, actor: Actor, input: CreateBatchInput) {
  try {
    const id = await inTransaction(ctx.em, async (tx) => {
      const candidates = input.claims ? await namedClaims(tx, input.claims) : await approvedClaims(tx, input);
      const claims = await lockClaims(tx, candidates);
      const last = await lastLines(tx, candidates);
      const chosen: { claim: ClaimRow; amount: Decimal; purpose: string }[] = [];
      const refused: { claim: string; code: string; reason: string }[] = [];
      for (const claimId of candidates) {
        const claim = claims.get(claimId)!;
        const verdict = payoutEligibility(claim, last.get(claimId) ?? null);
        if (verdict.payable) chosen.push({ claim, amount: verdict.amount, purpose: verdict.purpose });
        else refused.push({ claim: claim.number, code: verdict.code, reason: verdict.reason });
      }
      if (input.claims && refused.length > 0) {
        throw new ConflictError('NOT_PAYABLE', `no batch was created: ${refused.map((r) => r.reason).join('; ')}`, refused);
      }
      if (chosen.length === 0) throw new ConflictError('NOTHING_TO_PAY', 'no approved, unpaid amount matches: nothing to put in a batch', refused);
      chosen.sort((a, b) => (a.claim.paymentDueOn ?? '').localeCompare(b.claim.paymentDueOn ?? '') || Number(BigInt(a.claim.id) - BigInt(b.claim.id)));
      const lines = chosen.slice(0, MAX_BATCH_LINES).sort((a, b) => Number(BigInt(a.claim.id) - BigInt(b.claim.id)));
      const skipped = refused.filter((r) => r.code === 'BANK_NOT_CORRECTED');
      return insertBatch(tx, actor, input, lines, skipped);
    });
    return batchDetail(forkOf(ctx.em), actor, id);
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'payout_lines_one_open_per_claim') {
      throw new ConflictError('CLAIM_ALREADY_BATCHED', `a claim was put into another open batch at the same moment: ${(error as { detail?: string }).detail ?? ''}; try again`, []);
    }
    throw error;
  }
}

async function namedClaims(tx: EntityManager, keys: readonly string[]): Promise<string[]> {
  const ids = keys.filter((k) => /^\d+$/.test(k));
  const numbers = keys.filter((k) => k.startsWith('LP'));
  const client = await transactionConnection(tx);
  const { rows } = await client.query('SELECT id, number FROM claims WHERE id = ANY($1::bigint[]) OR number = ANY($2::text[])', [ids, numbers]);
  const byKey = new Map<string, string>();
  for (const row of rows) {
    byKey.set(String(row.id), String(row.id));
    byKey.set(row.number, String(row.id));
  }
  const problems: { field: string; value: string; reason: string }[] = [];
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    const id = byKey.get(key);
    if (!id) problems.push({ field: `claims.${index}`, value: key, reason: `claim ${key} does not exist` });
    else if (seen.has(id)) problems.push({ field: `claims.${index}`, value: key, reason: `claim ${key} is listed twice` });
    else seen.add(id);
  });
  if (problems.length > 0) throw new ValidationError(problems.map((p) => p.reason).join('; '), problems, 'UNKNOWN_CLAIM');
  return [...seen];
}

async function approvedClaims(tx: EntityManager, input: CreateBatchInput): Promise<string[]> {
  // Approved finals, and approved advances not yet paid before the final approval; approvedFrom/To is
  // the day of the approval that made the amount payable (the advance's, for an advance).
  const params: unknown[] = [ADVANCE_PAYABLE_STATUSES];
  const where = [
    `((c.status = 'APPROVED' AND c.approved_total - c.advance_paid - c.paid_total > 0) OR (c.status = ANY($1::text[]) AND c.advance_approved > c.advance_paid))`,
    `NOT EXISTS (SELECT 1 FROM payout_lines l WHERE l.claim_id = c.id AND l.state = 'PENDING')`,
  ];
  const approvedOn = `CASE WHEN c.status = 'APPROVED' THEN c.approved_on ELSE c.advance_approved_on END`;
  if (input.product) where.push(`c.product = $${params.push(input.product)}`);
  if (input.approvedFrom) where.push(`${approvedOn} >= $${params.push(input.approvedFrom)}`);
  if (input.approvedTo) where.push(`${approvedOn} <= $${params.push(input.approvedTo)}`);
  const client = await transactionConnection(tx);
  const { rows } = await client.query(`SELECT c.id FROM claims c WHERE ${where.join(' AND ')} ORDER BY c.id`, params);
  return rows.map((row) => String(row.id));
}

async function lastLines(tx: EntityManager, claimIds: readonly string[]): Promise<Map<string, LastLine>> {
  if (claimIds.length === 0) return new Map();
  const client = await transactionConnection(tx);
  const { rows } = await client.query(
    `SELECT DISTINCT ON (l.claim_id) l.claim_id, l.state, b.number, l.account_name, l.account_number, l.bank_name, l.failure_reason
       FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id
      WHERE l.claim_id = ANY($1::bigint[]) AND l.state <> 'CANCELLED' ORDER BY l.claim_id, l.id DESC`,
    [claimIds],
  );
  return new Map(rows.map((row) => [String(row.claim_id), {
    state: row.state, batch: row.number, accountName: row.account_name, accountNumber: row.account_number, bankName: row.bank_name, failureReason: row.failure_reason,
  }]));
}

async function insertBatch(
  tx: EntityManager,
  actor: Actor,
  input: CreateBatchInput,
  lines: readonly { claim: ClaimRow; amount: Decimal; purpose: string }[],
  skipped: readonly unknown[],
): Promise<string> {
  const total = sum(lines.map((line) => line.amount));
  const criteria = { ...input, ...(skipped.length > 0 ? { skipped } : {}) };
  const client = await transactionConnection(tx);
  const { rows: [batch] } = await client.query(
    'INSERT INTO payout_batches (criteria, line_count, total, created_by) VALUES ($1::jsonb, $2, $3, $4) RETURNING id',
    [JSON.stringify(criteria), lines.length, formatMoney(total), actor.id],
  );
  const id = String(batch.id);
  await client.query(
    `INSERT INTO payout_lines (batch_id, position, claim_id, amount, purpose, account_name, account_number, bank_name)
     SELECT $1, u.n, c.id, u.amount, u.purpose, c.bank_account_name, c.bank_account_number, c.bank_name
       FROM unnest($2::bigint[], $3::numeric[], $4::text[]) WITH ORDINALITY AS u(claim_id, amount, purpose, n)
       JOIN claims c ON c.id = u.claim_id`,
    [id, lines.map((l) => l.claim.id), lines.map((l) => formatMoney(l.amount)), lines.map((l) => l.purpose)],
  );
  return id;
}

/** POST /payout-batches/:id/cancel: only before the bank file went out; its amounts are free to batch again. */
export async function cancelBatch(ctx: PayoutsContext, actor: Actor, key: string, reason?: string) {
  const id = await inTransaction(ctx.em, async (tx) => {
    const batch = await lockBatch(tx, key);
    if (batch.status !== 'OPEN') {
      throw new ConflictError('BATCH_NOT_OPEN', `payout batch ${batch.number} is ${batch.status}: only a batch not yet sent to the bank can be cancelled`, [{ batch: batch.number, status: batch.status }]);
    }
    await tx.execute(`UPDATE payout_lines SET state = 'CANCELLED', decided_at = now(), decided_by = ? WHERE batch_id = ? AND state = 'PENDING'`, [actor.id, batch.id]);
    await tx.execute(`UPDATE payout_batches SET status = 'CANCELLED', cancelled_at = now(), cancelled_by = ?, cancel_reason = ? WHERE id = ?`, [actor.id, reason ?? null, batch.id]);
    return batch.id;
  });
  return batchDetail(forkOf(ctx.em), actor, id);
}

const BATCH_COLUMNS = `b.id, b.number, b.status, b.line_count, b.total::text AS total, b.criteria, b.sent_on, b.cancel_reason,
  ${iso('b.created_at')} AS created_at, ${iso('b.sent_at')} AS sent_at, ${iso('b.cancelled_at')} AS cancelled_at, ${iso('b.confirmed_at')} AS confirmed_at,
  cu.name AS created_by`;

function batchView(row: any) {
  return {
    id: String(row.id), number: row.number, status: row.status, total: row.total, lineCount: row.line_count, criteria: row.criteria,
    createdBy: row.created_by, createdAt: row.created_at, sentOn: row.sent_on, sentAt: row.sent_at,
    cancelledAt: row.cancelled_at, cancelReason: row.cancel_reason, confirmedAt: row.confirmed_at,
  };
}

/** GET /payout-batches/:id: the batch and every line with its outcome; account numbers as the actor may see them. */
export async function batchDetail(em: EntityManager, actor: Actor, key: string) {
  const where = whereBatch(key);
  const [row] = await em.execute(`SELECT ${BATCH_COLUMNS} FROM payout_batches b JOIN users cu ON cu.id = b.created_by WHERE ${where.sql}`, [where.value]);
  if (!row) throw new NotFoundError('payout batch', key);
  const lines = await em.execute(
    `SELECT l.position, c.id AS claim_id, c.number, c.claimant_name, c.product, c.payment_due_on, l.account_name, l.account_number, l.bank_name,
            l.amount::text AS amount, l.purpose, l.state, l.failure_reason, p.id AS payment_id, p.reference, p.paid_on
       FROM payout_lines l JOIN claims c ON c.id = l.claim_id LEFT JOIN claim_payments p ON p.payout_line_id = l.id
      WHERE l.batch_id = ? ORDER BY l.position`,
    [row.id],
  );
  const counts = { PENDING: 0, PAID: 0, FAILED: 0, RETURNED: 0, CANCELLED: 0 } as Record<string, number>;
  for (const line of lines) counts[line.state] = (counts[line.state] ?? 0) + 1;
  return shownPersonalData(actor, {
    ...batchView(row),
    counts,
    lines: lines.map((l: any) => ({
      position: l.position, claim: l.number, claimId: String(l.claim_id), claimant: l.claimant_name, product: l.product,
      accountName: l.account_name, accountNumber: l.account_number, bankName: l.bank_name,
      amount: l.amount, purpose: l.purpose, state: l.state, paymentDueOn: l.payment_due_on,
      ...(l.failure_reason ? { failureReason: l.failure_reason } : {}),
      ...(l.payment_id ? { payment: { id: String(l.payment_id), bankReference: l.reference, paidOn: l.paid_on } } : {}),
    })),
  });
}

export async function listBatches(ctx: PayoutsContext, query: BatchListQuery) {
  const em = forkOf(ctx.em);
  const where = query.status ? 'WHERE b.status = ?' : '';
  const params = query.status ? [query.status] : [];
  const [count] = await em.execute<{ total: string }[]>(`SELECT count(*) AS total FROM payout_batches b ${where}`, params);
  const rows = await em.execute(`SELECT ${BATCH_COLUMNS} FROM payout_batches b JOIN users cu ON cu.id = b.created_by ${where} ORDER BY b.id DESC LIMIT ? OFFSET ?`, [...params, query.limit, query.offset]);
  return { items: rows.map(batchView), total: Number(count!.total) };
}

export const getBatch = (ctx: PayoutsContext, actor: Actor, key: string) => batchDetail(forkOf(ctx.em), actor, key);
