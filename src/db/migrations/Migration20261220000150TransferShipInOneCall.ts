import { Migration } from '@mikro-orm/migrations';

/**
 * A transfer shipment in one call: `stock_post_transfer_shipment(p jsonb)` takes the payload of
 * stock_post_document for a TRANSFER_SHIP document, gives the document its id (the one the service
 * allocated under the lock, or the next of the sequence when it posts optimistically, without one),
 * names that id as the transfer's and in the TRANSIT node its movements go to (the service sends the
 * placeholder `TRANSIT:0` then; document ids start at 1), posts it with stock_post_document and, once
 * posted, opens the transfer (stock_transfers, IN_TRANSIT) in the same statement. Its reply is
 * stock_post_document's.
 */
export class Migration20261220000150TransferShipInOneCall extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION stock_post_transfer_shipment(p jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        doc_id bigint := coalesce((p->'document'->>'id')::bigint, nextval('stock_documents_id_seq'));
        reply jsonb;
      BEGIN
        p := jsonb_set(jsonb_set(p, '{document,id}', to_jsonb(doc_id::text)), '{document,transfer_id}', to_jsonb(doc_id::text));
        p := jsonb_set(p, '{movements}', (
          SELECT jsonb_agg(CASE WHEN m->>'to_node' = 'TRANSIT:0' THEN jsonb_set(m, '{to_node}', to_jsonb('TRANSIT:' || doc_id)) ELSE m END ORDER BY n)
          FROM jsonb_array_elements(p->'movements') WITH ORDINALITY AS x(m, n)));
        reply := stock_post_document(p);
        IF reply->>'status' = 'ok' THEN
          INSERT INTO stock_transfers (id, from_warehouse, to_warehouse, status)
          VALUES (doc_id, p->'document'->>'warehouse', p->'document'->>'counterpart_warehouse', 'IN_TRANSIT');
        END IF;
        RETURN reply;
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP FUNCTION stock_post_transfer_shipment(jsonb);');
  }
}
