import { Migration } from '@mikro-orm/migrations';

/**
 * The final approval of a claim as one function call: it locks the claim (only if no one changed it
 * since the caller read it, by its row version xmin), then the event's and the policy year's counters
 * (in that order, as every approval and settlement does), checks both limits with the claims still
 * waiting on the event, and grants the approval — or, over a limit, writes nothing and returns the
 * counters so the caller holds the claim. The counters are locked for this one statement and its commit.
 * Each statement inside takes a fresh snapshot (READ COMMITTED, volatile function), so the claims still
 * waiting on the event are counted as they are once the counters are locked.
 */
export class Migration20261220000300ClaimsApproval extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION claims_approve_within_limits(
        p_claim bigint, p_version xid, p_step text, p_approver bigint, p_actor_name text, p_action text,
        p_total numeric, p_amount numeric, p_event_limit numeric, p_aggregate numeric,
        p_status text, p_approved_on date, p_payment_due_on date, p_recovery_owed numeric,
        p_details jsonb, p_before jsonb, p_after jsonb)
      RETURNS TABLE (o_outcome text, o_event_approved numeric, o_year_approved numeric, o_queued numeric, o_approved_at text, o_updated_at text)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_claim claims%ROWTYPE;
        v_event numeric;
        v_year numeric;
        v_queued numeric := 0;
        v_now text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
      BEGIN
        SELECT * INTO v_claim FROM claims WHERE id = p_claim AND xmin = p_version FOR UPDATE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'STALE'::text, NULL::numeric, NULL::numeric, NULL::numeric, NULL::text, NULL::text;
          RETURN;
        END IF;

        SELECT approved INTO v_event FROM claim_event_totals WHERE event_id = v_claim.event_id AND product = v_claim.product FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO claim_event_totals (event_id, product) VALUES (v_claim.event_id, v_claim.product) ON CONFLICT DO NOTHING;
          SELECT approved INTO v_event FROM claim_event_totals WHERE event_id = v_claim.event_id AND product = v_claim.product FOR UPDATE;
        END IF;
        SELECT approved INTO v_year FROM claim_year_totals WHERE policy_year = v_claim.policy_year AND product = v_claim.product FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO claim_year_totals (policy_year, product) VALUES (v_claim.policy_year, v_claim.product) ON CONFLICT DO NOTHING;
          SELECT approved INTO v_year FROM claim_year_totals WHERE policy_year = v_claim.policy_year AND product = v_claim.product FOR UPDATE;
        END IF;
        IF p_event_limit IS NOT NULL THEN
          SELECT COALESCE(sum(pending_total), 0)::numeric(38, 2) INTO v_queued FROM claims
           WHERE event_id = v_claim.event_id AND product = v_claim.product AND id <> v_claim.id
             AND status IN ('ASSESSED', 'PENDING_SECOND_APPROVAL', 'HELD');
        END IF;

        IF (p_event_limit IS NOT NULL AND p_total > greatest(0, p_event_limit - (v_event + v_queued)))
           OR p_total > greatest(0, p_aggregate - v_year) THEN
          RETURN QUERY SELECT 'OVER'::text, v_event, v_year, v_queued, NULL::text, NULL::text;
          RETURN;
        END IF;

        -- assessed_by is copied so the table itself refuses an assessor approving.
        INSERT INTO claim_approvals (assessment_id, claim_id, step, approver_id, assessed_by)
          SELECT id, claim_id, p_step, p_approver, assessed_by FROM claim_assessments WHERE id = v_claim.pending_assessment_id;
        UPDATE claim_assessment_items SET approved = payable WHERE assessment_id = v_claim.pending_assessment_id;
        UPDATE claim_assessments SET state = 'APPROVED', approved_total = p_amount WHERE id = v_claim.pending_assessment_id AND state = 'PENDING';
        UPDATE claim_event_totals SET approved = approved + p_amount, limit_amount = p_event_limit WHERE event_id = v_claim.event_id AND product = v_claim.product;
        UPDATE claim_year_totals SET approved = approved + p_amount, aggregate = p_aggregate WHERE product = v_claim.product AND policy_year = v_claim.policy_year;
        UPDATE claims SET status = p_status, approved_total = approved_total + p_amount, pending_assessment_id = NULL, pending_total = NULL,
               first_approved_by = NULL, hold_reasons = '{}', approved_on = p_approved_on, payment_due_on = p_payment_due_on,
               recovery_owed = p_recovery_owed, updated_at = now()
         WHERE id = v_claim.id;
        INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
          VALUES (v_claim.id, p_approver, p_actor_name, p_action, p_details, p_before, p_after);
        IF p_recovery_owed <> v_claim.recovery_owed THEN
          INSERT INTO claim_recoveries (claim_id, kind, debtor, reason, amount, created_by)
          VALUES (v_claim.id, 'ADVANCE_EXCESS', v_claim.claimant_name, 'advance paid above the final payable', p_recovery_owed, p_approver)
          ON CONFLICT (claim_id) WHERE kind = 'ADVANCE_EXCESS' DO UPDATE SET amount = EXCLUDED.amount, updated_at = now();
        END IF;
        RETURN QUERY SELECT 'GRANTED'::text, v_event, v_year, v_queued, v_now, v_now;
      END
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP FUNCTION claims_approve_within_limits');
  }
}
