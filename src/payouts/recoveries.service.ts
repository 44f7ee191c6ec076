import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { forkOf } from '../db/request-transaction.js';
import { closeIfSettled, findClaim, lockClaim } from '../claims/index.js';
import type { CollectInput, RecoveryInput, RecoveryListQuery } from './payouts.schemas.js';
import type { PayoutsContext } from './payouts.context.js';

/**
 * Products whose cases have a liable third party whose compensation is owed back to the scheme: the
 * offender in a criminal-injury case, whoever caused a sudden incident. Other products cover acts of
 * nature or of the claimant (a brave deed, volunteering, a stampede) with nobody to recover from.
 */
export const THIRD_PARTY_PRODUCTS: readonly string[] = ['CRIMINAL_INJURY', 'EMERGENCY_RESPONSE'];

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RECOVERY_SQL = `SELECT r.id, r.number, r.kind, r.debtor, r.reason, r.amount::text AS amount, r.collected::text AS collected,
    (r.amount - r.collected)::text AS outstanding, c.id AS claim_id, c.number AS claim, c.product, ${iso('r.created_at')} AS created_at,
    (SELECT COALESCE(json_agg(json_build_object('amount', k.amount::text, 'collectedOn', k.collected_on, 'reference', k.reference) ORDER BY k.id), '[]')
       FROM recovery_collections k WHERE k.recovery_id = r.id) AS collections
  FROM claim_recoveries r JOIN claims c ON c.id = r.claim_id`;

function recoveryView(row: any) {
  return {
    id: String(row.id), number: row.number, kind: row.kind, claim: row.claim, claimId: String(row.claim_id), product: row.product,
    debtor: row.debtor, reason: row.reason, amount: row.amount, collected: row.collected, outstanding: row.outstanding,
    status: new Decimal(row.outstanding).gt(0) ? 'OPEN' : 'COLLECTED', collections: row.collections, createdAt: row.created_at,
  };
}

async function recoveryById(em: EntityManager, id: string) {
  const [row] = await em.execute(`${RECOVERY_SQL} WHERE r.id = ?`, [id]);
  if (!row) throw new NotFoundError('recovery', id);
  return recoveryView(row);
}

function recoveryKey(key: string): { sql: string; value: string } {
  if (/^\d{1,18}$/.test(key)) return { sql: 'id = ?', value: key };
  if (/^ZC\d{8,18}$/.test(key)) return { sql: 'number = ?', value: key };
  throw new NotFoundError('recovery', key);
}

/** GET /recoveries: what is owed back, by whom, what was collected; open ones first. */
export async function listRecoveries(ctx: PayoutsContext, query: RecoveryListQuery) {
  const em = forkOf(ctx.em);
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status === 'OPEN') where.push('r.collected < r.amount');
  if (query.status === 'COLLECTED') where.push('r.collected = r.amount');
  if (query.kind) where.push('r.kind = ?') && params.push(query.kind);
  if (query.claim) where.push(/^\d+$/.test(query.claim) ? 'c.id = ?' : 'c.number = ?') && params.push(query.claim);
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await em.execute<{ total: string }[]>(`SELECT count(*) AS total FROM claim_recoveries r JOIN claims c ON c.id = r.claim_id ${whereSql}`, params);
  const rows = await em.execute(`${RECOVERY_SQL} ${whereSql} ORDER BY (r.collected < r.amount) DESC, r.id LIMIT ? OFFSET ?`, [...params, query.limit, query.offset]);
  return { items: rows.map(recoveryView), total: Number(count!.total) };
}

/**
 * POST /recoveries: a liable third party owes the scheme what it paid (criminal-injury and emergency-response
 * cases). At most what the claim has paid out, less what other third parties already owe for it.
 */
export async function recordRecovery(ctx: PayoutsContext, actor: Actor, input: RecoveryInput) {
  const id = await inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, input.claim);
    if (!THIRD_PARTY_PRODUCTS.includes(claim.product)) {
      throw new ValidationError(`claim ${claim.number} (${claim.product}) has no liable third party to recover from; only ${THIRD_PARTY_PRODUCTS.join(', ')} claims do`, [{ field: 'claim', value: claim.number, reason: `product ${claim.product} has no third-party recovery` }], 'NO_THIRD_PARTY');
    }
    const [owed] = await tx.execute<{ owed: string }[]>(`SELECT COALESCE(sum(amount), 0)::text AS owed FROM claim_recoveries WHERE claim_id = ? AND kind = 'THIRD_PARTY'`, [claim.id]);
    const paid = claim.advancePaid.plus(claim.paidTotal);
    const room = paid.minus(new Decimal(owed!.owed));
    if (input.amount.lte(0) || input.amount.gt(room)) {
      const reason = `claim ${claim.number} paid ${formatMoney(paid)}, of which ${formatMoney(new Decimal(owed!.owed))} is already owed by third parties: at most ${formatMoney(Decimal.max(0, room))} more, and more than 0.00`;
      throw new ValidationError(`amount: ${reason}`, [{ field: 'amount', value: formatMoney(input.amount), reason }], 'RECOVERY_OVER_PAID');
    }
    const [row] = await tx.execute<{ id: string }[]>(
      `INSERT INTO claim_recoveries (claim_id, kind, debtor, reason, amount, created_by) VALUES (?, 'THIRD_PARTY', ?, ?, ?, ?) RETURNING id`,
      [claim.id, input.debtor, input.reason, formatMoney(input.amount), actor.id],
    );
    return String(row!.id);
  });
  return recoveryById(forkOf(ctx.em), id);
}

/**
 * POST /recoveries/:id/collect: money received against a recovery; never more than is outstanding (the
 * database refuses it too). The last collection of a PAID claim's last open recovery closes the claim.
 */
export async function collectRecovery(ctx: PayoutsContext, actor: Actor, key: string, input: CollectInput) {
  const today = ctx.today();
  if (input.collectedOn > today) {
    throw new ValidationError(`collectedOn: must not be after today (${today})`, [{ field: 'collectedOn', value: input.collectedOn, reason: `must not be after today (${today})` }]);
  }
  const id = await inTransaction(ctx.em, async (tx) => {
    const where = recoveryKey(key);
    const [found] = await tx.execute<{ id: string; claim_id: string }[]>(`SELECT id, claim_id FROM claim_recoveries WHERE ${where.sql}`, [where.value]);
    if (!found) throw new NotFoundError('recovery', key);
    // Claim first, then the recovery: the order every writer of a claim keeps.
    const claim = await lockClaim(tx, String(found.claim_id));
    const [recovery] = await tx.execute<{ number: string; amount: string; collected: string }[]>('SELECT number, amount, collected FROM claim_recoveries WHERE id = ? FOR UPDATE', [found.id]);
    const outstanding = new Decimal(recovery!.amount).minus(recovery!.collected);
    if (input.amount.lte(0) || input.amount.gt(outstanding)) {
      throw new ConflictError('OVER_COLLECTION', `recovery ${recovery!.number} of claim ${claim.number}: ${formatMoney(outstanding)} is outstanding, so ${formatMoney(input.amount)} cannot be collected`, [{ claim: claim.number, recovery: recovery!.number, outstanding: formatMoney(outstanding) }]);
    }
    await tx.execute('INSERT INTO recovery_collections (recovery_id, amount, collected_on, reference, recorded_by) VALUES (?, ?, ?, ?, ?)', [found.id, formatMoney(input.amount), input.collectedOn, input.reference, actor.id]);
    await tx.execute('UPDATE claim_recoveries SET collected = collected + ?, updated_at = now() WHERE id = ?', [formatMoney(input.amount), found.id]);
    if (input.amount.eq(outstanding)) await closeIfSettled(tx, actor, claim.id, `recovery ${recovery!.number} collected in full`);
    return String(found.id);
  });
  const view = await recoveryById(forkOf(ctx.em), id);
  const claim = await findClaim(forkOf(ctx.em), view.claimId);
  return { ...view, claimStatus: claim.status };
}
