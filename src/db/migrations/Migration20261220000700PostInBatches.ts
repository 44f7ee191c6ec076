import { Migration } from '@mikro-orm/migrations';

/**
 * Group commit: `stock_post_batch(batch jsonb)` posts several documents in one statement, so in one
 * transaction with one commit (one WAL flush) instead of one each. `batch` is an array of
 * {"shipment": bool, "p": <payload of stock_post_document>}; the reply is the array of each one's
 * reply, in order.
 *
 * Each document still posts entirely or not at all with its own outcome: it runs in its own
 * subtransaction (a block with an exception handler), so a document refused for want of stock, or
 * failing any other way, leaves no row behind and does not touch the others; its reply is then
 * {"status":"error","sqlstate","message","detail"}. The service keeps batches well under the 64
 * subtransactions a backend tracks without overflowing to pg_subtrans.
 *
 * Locks are taken as stock_post_document takes them, once for the whole batch and before any
 * document: the period gate (shared), then every chain head the batch touches in category order,
 * creating missing heads first. A batch therefore never waits for a head while holding one out of
 * order, and cannot deadlock with another batch or with a single posting.
 */
export class Migration20261220000700PostInBatches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION stock_post_batch(batch jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $$
      DECLARE
        cats text[] := ARRAY(SELECT DISTINCT c FROM jsonb_array_elements(batch) AS d(item), jsonb_array_elements_text(d.item->'p'->'categories') AS c ORDER BY 1);
        heads_locked int;
        item jsonb;
        reply jsonb;
        replies jsonb[] := '{}';
        failed_state text;
        failed_message text;
        failed_detail text;
      BEGIN
        PERFORM stock_posting_gate();
        PERFORM 1 FROM stock_chains WHERE category = ANY (cats) ORDER BY category FOR UPDATE;
        GET DIAGNOSTICS heads_locked = ROW_COUNT;
        IF heads_locked < cardinality(cats) THEN
          INSERT INTO stock_chains (category) SELECT code FROM categories WHERE code = ANY (cats) ORDER BY code ON CONFLICT DO NOTHING;
          PERFORM 1 FROM stock_chains WHERE category = ANY (cats) ORDER BY category FOR UPDATE;
        END IF;
        FOR item IN SELECT d.item FROM jsonb_array_elements(batch) WITH ORDINALITY AS d(item, n) ORDER BY d.n LOOP
          BEGIN
            IF (item->>'shipment')::boolean THEN
              reply := stock_post_transfer_shipment(item->'p');
            ELSE
              reply := stock_post_document(item->'p');
            END IF;
          EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT, failed_detail = PG_EXCEPTION_DETAIL;
            reply := jsonb_build_object('status', 'error', 'sqlstate', failed_state, 'message', failed_message, 'detail', nullif(failed_detail, ''));
          END;
          replies := replies || reply;
        END LOOP;
        RETURN to_jsonb(replies);
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP FUNCTION stock_post_batch(jsonb);');
  }
}
