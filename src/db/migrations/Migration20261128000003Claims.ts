import { Migration } from '@mikro-orm/migrations';

const PRODUCTS = `'PUBLIC_LIABILITY', 'EMERGENCY_RESPONSE', 'BRAVE_DEED', 'VOLUNTEER', 'CRIMINAL_INJURY', 'STAMPEDE'`;
const STATUSES = `'REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'HELD', 'APPROVED', 'PAID', 'CLOSED', 'RETURNED', 'REJECTED', 'WITHDRAWN'`;
const BENEFITS = `'DEATH', 'DISABILITY', 'MEDICAL', 'FUNERAL', 'RESETTLEMENT', 'LIVING_AID'`;

/**
 * Insurance events and claims. The rules the service checks are repeated here as constraints wherever a
 * row can say them, so a bug or a hand-edited row cannot pay twice: one live claim per person, event and
 * product; one reimbursement per invoice number across all claims and products; never more paid than
 * approved; never more approved on an event or a policy year than its limit; never the assessor approving.
 */
export class Migration20261128000003Claims extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE claim_events (
        id bigserial PRIMARY KEY,
        type text NOT NULL CHECK (type ~ '^[A-Z][A-Z0-9_]*$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        occurred_on date NOT NULL,
        district text NOT NULL CHECK (length(district) BETWEEN 1 AND 100),
        created_by bigint NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (type, occurred_on, district, name)
      );

      CREATE TABLE claims (
        id bigserial PRIMARY KEY,
        number text GENERATED ALWAYS AS ('LP' || lpad(id::text, 8, '0')) STORED UNIQUE,
        product text NOT NULL CHECK (product IN (${PRODUCTS})),
        product_version integer NOT NULL CHECK (product_version >= 1),
        policy_year integer NOT NULL CHECK (policy_year BETWEEN 2000 AND 2999),
        event_id bigint NOT NULL REFERENCES claim_events (id),
        status text NOT NULL CHECK (status IN (${STATUSES})),
        claimant_name text NOT NULL CHECK (length(claimant_name) BETWEEN 1 AND 100),
        id_number text NOT NULL CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
        phone text NOT NULL CHECK (phone ~ '^[0-9+][0-9-]{4,19}$'),
        has_medical_insurance boolean NOT NULL,
        bank_account_name text NOT NULL CHECK (length(bank_account_name) BETWEEN 1 AND 100),
        bank_account_number text NOT NULL CHECK (bank_account_number ~ '^[0-9]{8,32}$'),
        bank_name text NOT NULL CHECK (length(bank_name) BETWEEN 1 AND 100),
        incident_on date NOT NULL,
        reported_on date NOT NULL CHECK (reported_on >= incident_on),
        description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
        benefits text[] NOT NULL CHECK (cardinality(benefits) >= 1 AND benefits <@ ARRAY[${BENEFITS}]),
        documents_complete_on date,
        decision_due_on date,
        approved_on date,
        payment_due_on date,
        pending_assessment_id bigint,
        pending_total numeric(14, 2) CHECK (pending_total >= 0),
        approved_total numeric(14, 2) NOT NULL DEFAULT 0 CHECK (approved_total >= 0),
        advance_max numeric(14, 2) NOT NULL DEFAULT 0 CHECK (advance_max >= 0),
        advance_paid numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT claims_advance_within_max CHECK (advance_paid >= 0 AND advance_paid <= advance_max),
        paid_total numeric(14, 2) NOT NULL DEFAULT 0 CHECK (paid_total >= 0),
        recovery_owed numeric(14, 2) NOT NULL DEFAULT 0 CHECK (recovery_owed >= 0),
        first_approved_by bigint REFERENCES users (id),
        hold_reasons text[] NOT NULL DEFAULT '{}' CHECK (hold_reasons <@ ARRAY['PER_EVENT', 'ANNUAL_AGGREGATE']),
        created_by bigint NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Never pay out more than was approved: payments beyond the advance come only from what is left.
        CONSTRAINT claims_never_overpaid CHECK (paid_total <= GREATEST(approved_total - advance_paid, 0)),
        CHECK ((status = 'HELD') = (cardinality(hold_reasons) > 0)),
        CHECK (status NOT IN ('ASSESSED', 'PENDING_SECOND_APPROVAL', 'HELD') OR pending_assessment_id IS NOT NULL),
        CHECK ((pending_assessment_id IS NULL) = (pending_total IS NULL)),
        CHECK (status <> 'PENDING_SECOND_APPROVAL' OR first_approved_by IS NOT NULL)
      );
      -- One live claim per person, event and product; a rejected or withdrawn one does not block a new one.
      CREATE UNIQUE INDEX claims_one_live_per_person ON claims (id_number, event_id, product)
        WHERE status NOT IN ('REJECTED', 'WITHDRAWN');
      -- Prior payments are looked up per person, event and product whatever the status (a rejected reopening keeps what was paid).
      CREATE INDEX claims_person ON claims (id_number, event_id, product);
      CREATE INDEX claims_event_queue ON claims (event_id, product, status);
      CREATE INDEX claims_status ON claims (status, reported_on);
      CREATE INDEX claims_reported_on ON claims (reported_on, id);

      CREATE TABLE claim_documents (
        claim_id bigint NOT NULL REFERENCES claims (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        received_on date NOT NULL,
        recorded_by bigint NOT NULL REFERENCES users (id),
        PRIMARY KEY (claim_id, name)
      );

      CREATE TABLE claim_surveys (
        id bigserial PRIMARY KEY,
        claim_id bigint NOT NULL REFERENCES claims (id),
        surveyor text NOT NULL CHECK (length(surveyor) BETWEEN 1 AND 100),
        surveyed_on date NOT NULL,
        findings text NOT NULL CHECK (length(findings) BETWEEN 1 AND 4000),
        recorded_by bigint NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX claim_surveys_claim ON claim_surveys (claim_id);

      CREATE TABLE claim_assessments (
        id bigserial PRIMARY KEY,
        claim_id bigint NOT NULL REFERENCES claims (id),
        product_version integer NOT NULL CHECK (product_version >= 1),
        state text NOT NULL CHECK (state IN ('PENDING', 'APPROVED', 'DISCARDED')),
        claimed jsonb NOT NULL,
        total numeric(14, 2) NOT NULL CHECK (total >= 0),
        approved_total numeric(14, 2) CHECK (approved_total >= 0 AND approved_total <= total),
        assessed_by bigint NOT NULL REFERENCES users (id),
        assessed_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'APPROVED') = (approved_total IS NOT NULL))
      );
      CREATE UNIQUE INDEX claim_assessments_one_pending ON claim_assessments (claim_id) WHERE state = 'PENDING';
      CREATE INDEX claim_assessments_claim ON claim_assessments (claim_id, id);
      ALTER TABLE claims ADD FOREIGN KEY (pending_assessment_id) REFERENCES claim_assessments (id);

      CREATE TABLE claim_assessment_items (
        assessment_id bigint NOT NULL REFERENCES claim_assessments (id),
        position smallint NOT NULL CHECK (position >= 0),
        type text NOT NULL CHECK (type IN (${BENEFITS})),
        grade smallint CHECK (grade BETWEEN 1 AND 10),
        payable numeric(14, 2) NOT NULL CHECK (payable >= 0),
        -- What the approval granted: the payable, or less when an event limit was shared pro rata.
        approved numeric(14, 2) CHECK (approved >= 0 AND approved <= payable),
        deductible_applied numeric(14, 2) NOT NULL DEFAULT 0 CHECK (deductible_applied >= 0),
        explanation text NOT NULL,
        PRIMARY KEY (assessment_id, position),
        CHECK ((type = 'DISABILITY') = (grade IS NOT NULL))
      );

      -- Indemnity principle: an invoice number is reimbursed at most once across every claim and product.
      CREATE TABLE reimbursed_invoices (
        invoice_number text PRIMARY KEY CONSTRAINT reimbursed_invoices_normalized CHECK (invoice_number <> '' AND invoice_number = upper(btrim(invoice_number))),
        claim_id bigint NOT NULL REFERENCES claims (id),
        assessment_id bigint NOT NULL REFERENCES claim_assessments (id),
        amount numeric(14, 2) NOT NULL CHECK (amount >= 0),
        excluded numeric(14, 2) NOT NULL CHECK (excluded >= 0 AND excluded <= amount),
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX reimbursed_invoices_assessment ON reimbursed_invoices (assessment_id);

      CREATE TABLE claim_approvals (
        assessment_id bigint NOT NULL REFERENCES claim_assessments (id),
        claim_id bigint NOT NULL REFERENCES claims (id),
        step text NOT NULL CHECK (step IN ('ONLY', 'FIRST', 'SECOND')),
        approver_id bigint NOT NULL REFERENCES users (id),
        assessed_by bigint NOT NULL REFERENCES users (id),
        approved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (assessment_id, step),
        -- Four eyes, even if the service had a bug: never the assessor, never the same approver twice.
        UNIQUE (assessment_id, approver_id),
        CONSTRAINT claim_approvals_not_by_assessor CHECK (approver_id <> assessed_by)
      );

      CREATE TABLE claim_payments (
        id bigserial PRIMARY KEY,
        claim_id bigint NOT NULL REFERENCES claims (id),
        kind text NOT NULL CHECK (kind IN ('ADVANCE', 'PAYMENT')),
        amount numeric(14, 2) NOT NULL CHECK (amount >= 0 AND (kind = 'PAYMENT' OR amount > 0)),
        paid_on date NOT NULL,
        reference text CHECK (length(reference) <= 100),
        recorded_by bigint NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX claim_payments_claim ON claim_payments (claim_id);

      CREATE TABLE claim_history (
        id bigserial PRIMARY KEY,
        claim_id bigint NOT NULL REFERENCES claims (id),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id bigint NOT NULL REFERENCES users (id),
        actor_name text NOT NULL,
        action text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        before jsonb,
        after jsonb NOT NULL
      );
      CREATE INDEX claim_history_claim ON claim_history (claim_id, id);

      -- Counters locked FOR UPDATE by every approval, so concurrent approvals cannot both fit under a limit.
      CREATE TABLE claim_event_totals (
        event_id bigint NOT NULL REFERENCES claim_events (id),
        product text NOT NULL CHECK (product IN (${PRODUCTS})),
        approved numeric(38, 2) NOT NULL DEFAULT 0 CHECK (approved >= 0),
        limit_amount numeric(38, 2),
        PRIMARY KEY (event_id, product),
        CONSTRAINT claim_event_totals_within_limit CHECK (limit_amount IS NULL OR approved <= limit_amount)
      );
      CREATE TABLE claim_year_totals (
        product text NOT NULL CHECK (product IN (${PRODUCTS})),
        policy_year integer NOT NULL,
        approved numeric(38, 2) NOT NULL DEFAULT 0 CHECK (approved >= 0),
        aggregate numeric(38, 2),
        PRIMARY KEY (product, policy_year),
        CONSTRAINT claim_year_totals_within_aggregate CHECK (aggregate IS NULL OR approved <= aggregate)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP TABLE claim_year_totals, claim_event_totals, claim_history, claim_payments, claim_approvals,
        reimbursed_invoices, claim_assessment_items;
      ALTER TABLE claims DROP COLUMN pending_assessment_id;
      DROP TABLE claim_assessments, claim_surveys, claim_documents, claims, claim_events;
    `);
  }
}
