import { Migration } from '@mikro-orm/migrations';

/**
 * Advances are approved, then paid like every other amount: POST /claims/:id/advance approves an
 * advance (claims.advance_approved, within the product's maximum), and a payout batch (purpose
 * ADVANCE) or the per-claim pay route pays it. The database guarantees an advance is never paid beyond
 * what was approved (claims_advance_never_overpaid), as claims_never_overpaid does for the rest; a
 * batch payment of an advance is an ADVANCE row of claim_payments linked to its batch line.
 * Advances paid before this migration were approved and paid at once: they count as approved.
 */
export class Migration20261220000602ApprovedAdvances extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE claims
        ADD COLUMN advance_approved numeric(14, 2) NOT NULL DEFAULT 0,
        ADD COLUMN advance_approved_on date;
      UPDATE claims SET advance_approved = advance_paid, advance_approved_on = reported_on WHERE advance_paid > 0;
      ALTER TABLE claims
        ADD CONSTRAINT claims_advance_approved_within_max CHECK (advance_approved >= 0 AND advance_approved <= advance_max),
        ADD CONSTRAINT claims_advance_never_overpaid CHECK (advance_paid <= advance_approved);

      ALTER TABLE payout_lines DROP CONSTRAINT payout_lines_purpose_check,
        ADD CONSTRAINT payout_lines_purpose_check CHECK (purpose IN ('FINAL', 'DIFFERENCE', 'REISSUE', 'ADVANCE'));
      ALTER TABLE claim_payments DROP CONSTRAINT claim_payments_line_is_payment,
        ADD CONSTRAINT claim_payments_line_is_payment CHECK (payout_line_id IS NULL OR kind IN ('PAYMENT', 'ADVANCE'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      ALTER TABLE claim_payments DROP CONSTRAINT claim_payments_line_is_payment,
        ADD CONSTRAINT claim_payments_line_is_payment CHECK (payout_line_id IS NULL OR kind = 'PAYMENT');
      ALTER TABLE payout_lines DROP CONSTRAINT payout_lines_purpose_check,
        ADD CONSTRAINT payout_lines_purpose_check CHECK (purpose IN ('FINAL', 'DIFFERENCE', 'REISSUE'));
      ALTER TABLE claims DROP CONSTRAINT claims_advance_never_overpaid, DROP CONSTRAINT claims_advance_approved_within_max,
        DROP COLUMN advance_approved_on, DROP COLUMN advance_approved;
    `);
  }
}
