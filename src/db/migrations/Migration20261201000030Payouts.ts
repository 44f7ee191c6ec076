import { Migration } from '@mikro-orm/migrations';

/**
 * Payouts: numbered batches of approved, unpaid amounts, one line per claim; the bank's outcome per
 * line; reversals of payments the bank returned; recoveries owed back and their collections.
 *
 * What the database itself guarantees, whatever the service does:
 * - an amount sits in at most one open batch (one PENDING line per claim, a unique partial index);
 * - a batch line is paid at most once (claim_payments.payout_line_id is UNIQUE), a payment is reversed at
 *   most once (reverses_payment_id is UNIQUE), and payments are never edited or deleted (trigger);
 * - a claim's payments add up to its totals (a deferred constraint trigger, checked at commit), and the
 *   totals never pay more than was approved (claims_never_overpaid, from the claims migration) — so the
 *   sum of a claim's payments never exceeds its approved total, also under concurrent writers;
 * - a recovery is never collected beyond what is owed.
 */
export class Migration20261201000030Payouts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE payout_batches (
        id bigserial PRIMARY KEY,
        number text GENERATED ALWAYS AS ('PB' || lpad(id::text, 8, '0')) STORED UNIQUE,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'SENT', 'CONFIRMED', 'CANCELLED')),
        criteria jsonb NOT NULL DEFAULT '{}',
        line_count integer NOT NULL CHECK (line_count >= 1),
        total numeric(38, 2) NOT NULL CHECK (total > 0),
        created_by bigint NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_by bigint REFERENCES users (id),
        sent_at timestamptz,
        sent_on date,
        cancelled_by bigint REFERENCES users (id),
        cancelled_at timestamptz,
        cancel_reason text CHECK (length(cancel_reason) <= 2000),
        confirmed_at timestamptz,
        CHECK ((status IN ('SENT', 'CONFIRMED')) = (sent_at IS NOT NULL AND sent_on IS NOT NULL)),
        CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
        CHECK ((status = 'CONFIRMED') = (confirmed_at IS NOT NULL))
      );
      CREATE INDEX payout_batches_status ON payout_batches (status, id);

      CREATE TABLE payout_lines (
        id bigserial PRIMARY KEY,
        batch_id bigint NOT NULL REFERENCES payout_batches (id),
        position integer NOT NULL CHECK (position >= 1),
        claim_id bigint NOT NULL REFERENCES claims (id),
        amount numeric(14, 2) NOT NULL CHECK (amount > 0),
        purpose text NOT NULL CHECK (purpose IN ('FINAL', 'DIFFERENCE', 'REISSUE')),
        -- The bank details as written into the bank file: a later correction of the claim does not rewrite them.
        account_name text NOT NULL CHECK (length(account_name) BETWEEN 1 AND 100),
        account_number text NOT NULL CHECK (account_number ~ '^[0-9]{8,32}$'),
        bank_name text NOT NULL CHECK (length(bank_name) BETWEEN 1 AND 100),
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'PAID', 'FAILED', 'RETURNED', 'CANCELLED')),
        failure_reason text CHECK (length(failure_reason) BETWEEN 1 AND 500),
        decided_by bigint REFERENCES users (id),
        decided_at timestamptz,
        UNIQUE (batch_id, position),
        UNIQUE (batch_id, claim_id),
        CHECK ((state = 'FAILED') = (failure_reason IS NOT NULL)),
        CHECK ((state = 'PENDING') = (decided_at IS NULL))
      );
      -- An amount sits in at most one open batch: a claim has at most one line the bank has not answered.
      CREATE UNIQUE INDEX payout_lines_one_open_per_claim ON payout_lines (claim_id) WHERE state = 'PENDING';
      CREATE INDEX payout_lines_claim ON payout_lines (claim_id, id);

      -- The payments ledger now records batch payments and reversals; its old checks are replaced by named ones.
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = 'claim_payments'::regclass AND contype = 'c' LOOP
          EXECUTE format('ALTER TABLE claim_payments DROP CONSTRAINT %I', r.conname);
        END LOOP;
      END $$;
      ALTER TABLE claim_payments
        ADD COLUMN payout_line_id bigint UNIQUE REFERENCES payout_lines (id),
        ADD COLUMN reverses_payment_id bigint UNIQUE REFERENCES claim_payments (id),
        ADD COLUMN reason text CONSTRAINT claim_payments_reason_length CHECK (length(reason) BETWEEN 1 AND 2000),
        ADD CONSTRAINT claim_payments_kind CHECK (kind IN ('ADVANCE', 'PAYMENT', 'REVERSAL')),
        ADD CONSTRAINT claim_payments_amount_sign CHECK (CASE kind WHEN 'REVERSAL' THEN amount < 0 WHEN 'ADVANCE' THEN amount > 0 ELSE amount >= 0 END),
        ADD CONSTRAINT claim_payments_reversal_link CHECK ((kind = 'REVERSAL') = (reverses_payment_id IS NOT NULL)),
        ADD CONSTRAINT claim_payments_reversal_reason CHECK (kind <> 'REVERSAL' OR reason IS NOT NULL),
        ADD CONSTRAINT claim_payments_line_is_payment CHECK (payout_line_id IS NULL OR kind = 'PAYMENT'),
        ADD CONSTRAINT claim_payments_reference_length CHECK (length(reference) <= 100);
      CREATE INDEX claim_payments_paid_on ON claim_payments (paid_on);

      -- Payments are a ledger: a wrong or returned payment is corrected by a reversal, never edited away.
      CREATE FUNCTION claim_payments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'claim_payments is append-only (% refused); record a reversal instead', TG_OP
          USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_payments_append_only';
      END $$;
      CREATE TRIGGER claim_payments_append_only BEFORE UPDATE OR DELETE ON claim_payments
        FOR EACH ROW EXECUTE FUNCTION claim_payments_append_only();
      CREATE TRIGGER claim_payments_no_truncate BEFORE TRUNCATE ON claim_payments
        FOR EACH STATEMENT EXECUTE FUNCTION claim_payments_append_only();

      -- A reversal takes back exactly one earlier payment of the same claim, in full.
      CREATE FUNCTION claim_payments_reversal_matches() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE original record;
      BEGIN
        SELECT claim_id, kind, amount INTO original FROM claim_payments WHERE id = NEW.reverses_payment_id;
        IF original.claim_id IS DISTINCT FROM NEW.claim_id OR original.kind <> 'PAYMENT' OR original.amount <> -NEW.amount THEN
          RAISE EXCEPTION 'reversal of payment % must take back that payment of claim % in full', NEW.reverses_payment_id, NEW.claim_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_payments_reversal_matches';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER claim_payments_reversal_matches BEFORE INSERT ON claim_payments
        FOR EACH ROW WHEN (NEW.kind = 'REVERSAL') EXECUTE FUNCTION claim_payments_reversal_matches();

      -- At commit, every claim touched has payments that add up to its totals. With claims_never_overpaid
      -- (paid_total <= approved_total - advance_paid) this bounds the payments themselves by the approval.
      CREATE FUNCTION claim_payments_agree_with_totals() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        -- One function for both tables; PL/pgSQL would refuse NEW.claim_id on a claims row, so read it as JSON.
        claim bigint := (to_jsonb(NEW) ->> CASE TG_TABLE_NAME WHEN 'claims' THEN 'id' ELSE 'claim_id' END)::bigint;
        totals record;
        sums record;
      BEGIN
        SELECT paid_total, advance_paid INTO totals FROM claims WHERE id = claim;
        SELECT COALESCE(sum(amount) FILTER (WHERE kind <> 'ADVANCE'), 0) AS paid,
               COALESCE(sum(amount) FILTER (WHERE kind = 'ADVANCE'), 0) AS advanced
          INTO sums FROM claim_payments WHERE claim_id = claim;
        IF sums.paid <> totals.paid_total OR sums.advanced <> totals.advance_paid THEN
          RAISE EXCEPTION 'claim %: payments (% paid, % advanced) disagree with its totals (% paid, % advanced)',
            claim, sums.paid, sums.advanced, totals.paid_total, totals.advance_paid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_payments_agree_with_totals';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER claim_payments_agree_with_totals AFTER INSERT ON claim_payments
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claim_payments_agree_with_totals();
      CREATE CONSTRAINT TRIGGER claims_totals_agree_with_payments AFTER UPDATE OF paid_total, advance_paid ON claims
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (OLD.paid_total IS DISTINCT FROM NEW.paid_total OR OLD.advance_paid IS DISTINCT FROM NEW.advance_paid)
        EXECUTE FUNCTION claim_payments_agree_with_totals();

      -- Recoveries (追偿): what is owed back, by the claimant (an advance above the final payable) or a liable third party.
      CREATE TABLE claim_recoveries (
        id bigserial PRIMARY KEY,
        number text GENERATED ALWAYS AS ('ZC' || lpad(id::text, 8, '0')) STORED UNIQUE,
        claim_id bigint NOT NULL REFERENCES claims (id),
        kind text NOT NULL CHECK (kind IN ('ADVANCE_EXCESS', 'THIRD_PARTY')),
        debtor text NOT NULL CHECK (length(debtor) BETWEEN 1 AND 200),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        amount numeric(14, 2) NOT NULL CHECK (amount >= 0),
        collected numeric(14, 2) NOT NULL DEFAULT 0 CHECK (collected >= 0),
        created_by bigint NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT claim_recoveries_never_overcollected CHECK (collected <= amount)
      );
      -- The advance excess follows claims.recovery_owed: one row per claim, its amount kept equal to it.
      CREATE UNIQUE INDEX claim_recoveries_one_advance_excess ON claim_recoveries (claim_id) WHERE kind = 'ADVANCE_EXCESS';
      CREATE INDEX claim_recoveries_claim ON claim_recoveries (claim_id);

      CREATE TABLE recovery_collections (
        id bigserial PRIMARY KEY,
        recovery_id bigint NOT NULL REFERENCES claim_recoveries (id),
        amount numeric(14, 2) NOT NULL CHECK (amount > 0),
        collected_on date NOT NULL,
        reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
        recorded_by bigint NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX recovery_collections_recovery ON recovery_collections (recovery_id);

      -- Claims that already owe an advance back get their recovery row.
      INSERT INTO claim_recoveries (claim_id, kind, debtor, reason, amount, created_by)
        SELECT id, 'ADVANCE_EXCESS', claimant_name, 'advance paid above the final payable', recovery_owed, created_by
          FROM claims WHERE recovery_owed > 0;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP TABLE recovery_collections, claim_recoveries;
      DROP TRIGGER claims_totals_agree_with_payments ON claims;
      DROP TRIGGER claim_payments_agree_with_totals ON claim_payments;
      DROP TRIGGER claim_payments_reversal_matches ON claim_payments;
      DROP TRIGGER claim_payments_append_only ON claim_payments;
      DROP TRIGGER claim_payments_no_truncate ON claim_payments;
      DROP FUNCTION claim_payments_agree_with_totals(), claim_payments_reversal_matches(), claim_payments_append_only();
      ALTER TABLE claim_payments DROP COLUMN payout_line_id, DROP COLUMN reverses_payment_id, DROP COLUMN reason,
        DROP CONSTRAINT claim_payments_kind, DROP CONSTRAINT claim_payments_amount_sign, DROP CONSTRAINT claim_payments_reference_length;
      DROP INDEX claim_payments_paid_on;
      DROP TABLE payout_lines, payout_batches;
    `);
  }
}
