import { Migration } from '@mikro-orm/migrations';

/**
 * Advances are approved, then paid like every other amount: POST /claims/:id/advance approves an
 * advance (claims.advance_approved, within the product's maximum), and a payout batch (purpose
 * ADVANCE) or the per-claim pay route pays it. The database guarantees an advance is never paid beyond
 * what was approved (claims_advance_never_overpaid), as claims_never_overpaid does for the rest; a
 * batch payment of an advance is an ADVANCE row of claim_payments linked to its batch line.
 * Advances paid before this migration were approved and paid at once: they count as approved.
 *
 * The bank may send an advance back like any payment: its REVERSAL takes it off advance_paid (so the
 * approved advance is payable again), which is what the payments-agree-with-totals check now counts.
 */
// A reversal takes back exactly one earlier payment (or, now, advance) of the same claim, in full.
const REVERSAL_MATCHES = `
  CREATE OR REPLACE FUNCTION claim_payments_reversal_matches() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE original record;
  BEGIN
    SELECT claim_id, kind, amount INTO original FROM claim_payments WHERE id = NEW.reverses_payment_id;
    IF original.claim_id IS DISTINCT FROM NEW.claim_id OR original.kind NOT IN %KINDS% OR original.amount <> -NEW.amount THEN
      RAISE EXCEPTION 'reversal of payment % must take back that payment of claim % in full', NEW.reverses_payment_id, NEW.claim_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_payments_reversal_matches';
    END IF;
    RETURN NEW;
  END $$;`;

// At commit every claim touched has payments that add up to its totals; a reversal counts with what it reverses.
const AGREE_WITH_TOTALS = `
  CREATE OR REPLACE FUNCTION claim_payments_agree_with_totals() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    claim bigint := (to_jsonb(NEW) ->> CASE TG_TABLE_NAME WHEN 'claims' THEN 'id' ELSE 'claim_id' END)::bigint;
    totals record;
    sums record;
  BEGIN
    SELECT paid_total, advance_paid INTO totals FROM claims WHERE id = claim;
    SELECT COALESCE(sum(p.amount) FILTER (WHERE %KIND% <> 'ADVANCE'), 0) AS paid,
           COALESCE(sum(p.amount) FILTER (WHERE %KIND% = 'ADVANCE'), 0) AS advanced
      INTO sums FROM %FROM%;
    IF sums.paid <> totals.paid_total OR sums.advanced <> totals.advance_paid THEN
      RAISE EXCEPTION 'claim %: payments (% paid, % advanced) disagree with its totals (% paid, % advanced)',
        claim, sums.paid, sums.advanced, totals.paid_total, totals.advance_paid
        USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_payments_agree_with_totals';
    END IF;
    RETURN NULL;
  END $$;`;

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
      ${REVERSAL_MATCHES.replace('%KINDS%', `('PAYMENT', 'ADVANCE')`)}
      ${AGREE_WITH_TOTALS.replaceAll('%KIND%', 'coalesce(o.kind, p.kind)').replace('%FROM%', 'claim_payments p LEFT JOIN claim_payments o ON o.id = p.reverses_payment_id WHERE p.claim_id = claim')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      ${REVERSAL_MATCHES.replace('%KINDS%', `('PAYMENT')`)}
      ${AGREE_WITH_TOTALS.replaceAll('%KIND%', 'p.kind').replace('%FROM%', 'claim_payments p WHERE p.claim_id = claim')}
      ALTER TABLE claim_payments DROP CONSTRAINT claim_payments_line_is_payment,
        ADD CONSTRAINT claim_payments_line_is_payment CHECK (payout_line_id IS NULL OR kind = 'PAYMENT');
      ALTER TABLE payout_lines DROP CONSTRAINT payout_lines_purpose_check,
        ADD CONSTRAINT payout_lines_purpose_check CHECK (purpose IN ('FINAL', 'DIFFERENCE', 'REISSUE'));
      ALTER TABLE claims DROP CONSTRAINT claims_advance_never_overpaid, DROP CONSTRAINT claims_advance_approved_within_max,
        DROP COLUMN advance_approved_on, DROP COLUMN advance_approved;
    `);
  }
}
