import { Decimal } from '../shared/decimal.js';
import { ConflictError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { transactionConnection } from '../db/raw-connection.js';
import { bankFileCsv, bankFileXlsx, type BankFileLine } from './bank-file.js';
import { lockBatch } from './batches.service.js';
import type { PayoutsContext } from './payouts.context.js';

export interface BankFile {
  fileName: string;
  contentType: string;
  body: Buffer;
}

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * GET /payout-batches/:id/bank-file.(xlsx|csv). Exporting marks an OPEN batch SENT (from then on it can no
 * longer be cancelled, and the bank's answers can be recorded); a sent batch can be exported again and
 * gives the same lines. The lines carry the bank details the batch was built with.
 */
export async function exportBankFile(ctx: PayoutsContext, actor: Actor, key: string, format: 'xlsx' | 'csv'): Promise<BankFile> {
  const { number, lines, total } = await inTransaction(ctx.em, async (tx) => {
    const batch = await lockBatch(tx, key);
    if (batch.status === 'CANCELLED') {
      throw new ConflictError('BATCH_CANCELLED', `payout batch ${batch.number} was cancelled: it has no bank file`, [{ batch: batch.number }]);
    }
    if (batch.status === 'OPEN') {
      await tx.execute(`UPDATE payout_batches SET status = 'SENT', sent_at = now(), sent_on = ?, sent_by = ? WHERE id = ?`, [ctx.today(), actor.id, batch.id]);
    }
    const client = await transactionConnection(tx);
    const { rows } = await client.query(
      `SELECT l.position, l.account_name, l.account_number, l.bank_name, l.amount::text AS amount, c.number
         FROM payout_lines l JOIN claims c ON c.id = l.claim_id WHERE l.batch_id = $1 ORDER BY l.position`,
      [batch.id],
    );
    const { rows: [sums] } = await client.query('SELECT total::text AS total FROM payout_batches WHERE id = $1', [batch.id]);
    return {
      number: batch.number,
      total: new Decimal(sums.total),
      lines: rows.map((row): BankFileLine => ({
        position: row.position, accountName: row.account_name, accountNumber: row.account_number, bankName: row.bank_name,
        amount: new Decimal(row.amount), claimNumber: row.number,
      })),
    };
  });
  // Account numbers in full only for finance (the routes' only role), masked for anyone else.
  const unmasked = actor.role === 'finance';
  const body = format === 'xlsx' ? await bankFileXlsx(number, lines, total, unmasked) : bankFileCsv(lines, unmasked);
  return { fileName: `${number}-代发.${format}`, contentType: CONTENT_TYPES[format], body };
}
