import { z } from 'zod';
import { requireRole, type Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { forkOf } from '../db/request-transaction.js';
import { findClaim, iso } from './claims.repository.js';
import type { ClaimsContext } from './claims.context.js';

export const revealSchema = z.strictObject({ reason: z.string().trim().min(1, { error: 'must not be empty' }).max(500) });
export type RevealInput = z.infer<typeof revealSchema>;

/**
 * POST /claims/:id/reveal: the full ID and account number for an assessor who must check them against a
 * document. The reveal and its record commit together: no number leaves without its row in the log.
 */
export async function revealPersonalData(ctx: ClaimsContext, actor: Actor, key: string, input: RevealInput) {
  requireRole(actor, 'assessor');
  return inTransaction(ctx.em, async (tx) => {
    const claim = await findClaim(tx, key);
    const fields = ['idNumber', ...(claim.bankAccountNumber ? ['bankAccount'] : [])];
    await tx.execute('INSERT INTO personal_data_access (actor_id, actor_name, claim_id, fields, reason) VALUES (?, ?, ?, ?::text[], ?)', [
      actor.id, actor.name, claim.id, `{${fields.join(',')}}`, input.reason,
    ]);
    return { idNumber: claim.idNumber, ...(claim.bankAccountNumber ? { bankAccount: claim.bankAccountNumber } : {}) };
  });
}

/** GET /access-log: every reveal, newest first, for administrators. */
export async function personalDataAccessLog(ctx: ClaimsContext, actor: Actor, page: { limit: number; offset: number }) {
  requireRole(actor, 'admin');
  const em = forkOf(ctx.em);
  const [count] = await em.execute<{ total: string }[]>('SELECT count(*) AS total FROM personal_data_access');
  const rows = await em.execute(
    `SELECT a.id, ${iso('a.at')} AS at, a.actor_id, a.actor_name, a.claim_id, c.number, a.fields, a.reason
       FROM personal_data_access a JOIN claims c ON c.id = a.claim_id ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    [page.limit, page.offset],
  );
  return {
    items: rows.map((row: any) => ({
      id: String(row.id), at: row.at, actor: { id: String(row.actor_id), name: row.actor_name },
      claim: { id: String(row.claim_id), number: row.number }, fields: row.fields, reason: row.reason,
    })),
    total: Number(count!.total),
  };
}
