import { Migration } from '@mikro-orm/migrations';

/**
 * Posting a document in one call: `stock_post_document(p jsonb)` passes the period gate, locks the
 * chain heads of the document's categories (creating missing ones), checks that the category rules,
 * warehouses and closed-through date the service validated against are still current, takes the
 * decrements conditionally (refusing the whole document with SQLSTATE LDG01 and the shortages as
 * JSON in DETAIL), writes the projections, the document and its movements with their running
 * balances, and hash-chains each movement in SQL. Called in autocommit, the heads are locked for this
 * one statement plus the commit.
 *
 * Movements written here are hashed under the canonical form movement/v2 (hash_version 2), which
 * covers every field shown for a movement: its own columns, its running balances and its
 * document's header. Rows written before keep hash_version 1. src/stock/core/chain.ts holds the same
 * canonical form in JS; /ledger/verify recomputes it there.
 *
 * Replies of the function: {"status":"ok", "document_id", "movements":[{"line","sequence","hash"}]},
 * or {"status":"stale"} when what the service validated against changed, or a lot it takes as new is
 * known with another expiry (it then validates again under the lock).
 */
export class Migration20261220000100PostInOneCall extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE stock_movements ADD COLUMN hash_version smallint NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));

      -- STABLE like to_json and to_char inside them, so the planner inlines them (an IMMUTABLE wrapper
      -- around a STABLE body is called as a function each time, some twenty times slower).
      -- A JSON string (or null) exactly as JavaScript's JSON.stringify writes it.
      CREATE FUNCTION stock_json(text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT coalesce(to_json($1)::text, 'null') $$;
      -- A decimal in its shortest exact form (no trailing zeros), as decimal.js toFixed() writes it.
      CREATE FUNCTION stock_json(numeric) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT coalesce(to_json(trim_scale($1)::text)::text, 'null') $$;
      CREATE FUNCTION stock_json_ts(timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
        $$ SELECT coalesce(to_json(to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'null') $$;

      -- The document part of the canonical form of movement/v2.
      CREATE FUNCTION stock_document_canonical(d stock_documents) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT '[' || stock_json(d.id::text) || ',' || stock_json(d.type) || ',' || stock_json(d.warehouse) || ',' || stock_json(d.counterpart_warehouse)
          || ',' || stock_json(d.source_kind) || ',' || stock_json(d.source_name) || ',' || stock_json(d.reference) || ',' || stock_json(d.reason)
          || ',' || stock_json(d.transfer_id::text) || ',' || stock_json(d.stocktake_id::text) || ',' || stock_json(d.reverses_document_id::text)
          || ',' || stock_json(to_char(d.occurred_at, 'YYYY-MM-DD')) || ',' || stock_json_ts(d.created_at) || ',' || stock_json(d.user_id::text) || ']'
      $$;

      -- The canonical form of movement/v2: the movement's columns (hash and prev_hash aside) and its document's.
      CREATE FUNCTION stock_movement_canonical(m stock_movements, document text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT '["movement/v2",' || stock_json(m.id::text) || ',' || stock_json(m.document_id::text) || ',' || stock_json(m.line::text)
          || ',' || stock_json(m.sequence::text) || ',' || stock_json(m.category) || ',' || stock_json(m.lot) || ',' || stock_json(to_char(m.expires_on, 'YYYY-MM-DD'))
          || ',' || stock_json(m.quantity) || ',' || stock_json(m.from_node) || ',' || stock_json(m.to_node) || ',' || stock_json(m.warehouse)
          || ',' || stock_json(m.unit_cost) || ',' || stock_json(to_char(m.occurred_at, 'YYYY-MM-DD')) || ',' || stock_json_ts(m.recorded_at)
          || ',' || stock_json(m.user_id::text) || ',' || stock_json(m.reason) || ',' || stock_json(m.warehouse_balance) || ',' || stock_json(m.warehouse_position::text)
          || ',' || stock_json(m.category_balance) || ',' || stock_json(m.category_position::text) || ',' || document || ']'
      $$;

      -- The lines arrive as jsonb, which the planner guesses at 100 rows: joins with the projections are
      -- held to index probes, and plans are made once per connection. The service nets the document
      -- beforehand: p->'take' and p->'add' per balance row, p->'positions' per (category, warehouse),
      -- p->'heads' per category; each of p->'movements' carries its place in the document's own
      -- running figures (seq_n in its category; wh_cum, wh_n in its (category, warehouse); cat_cum,
      -- cat_n in its category; null without a warehouse side), to add to what the heads and positions hold.
      CREATE FUNCTION stock_post_document(p jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE
        SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
      DECLARE
        cats text[] := ARRAY(SELECT jsonb_array_elements_text(p->'categories'));
        heads_locked int;
        n_taken int;
        shortages jsonb;
        doc stock_documents;
        doc_canonical text;
        m stock_movements;
        mv record;
        prev text;
        previous_category text := NULL;
        lines int[] := '{}';
        sequences bigint[] := '{}';
        hashes text[] := '{}';
      BEGIN
        -- The periods lock first (shared), so a posting waiting behind a close holds no head another needs.
        IF stock_posting_gate() IS DISTINCT FROM (p->>'closed_through')::date THEN RETURN '{"status":"stale"}'; END IF;
        -- Heads in category order (p->'categories' comes sorted), so two postings cannot deadlock.
        PERFORM 1 FROM stock_chains WHERE category = ANY (cats) ORDER BY category FOR UPDATE;
        GET DIAGNOSTICS heads_locked = ROW_COUNT;
        IF heads_locked < cardinality(cats) THEN
          INSERT INTO stock_chains (category) SELECT code FROM categories WHERE code = ANY (cats) ORDER BY code ON CONFLICT DO NOTHING;
          PERFORM 1 FROM stock_chains WHERE category = ANY (cats) ORDER BY category FOR UPDATE;
          GET DIAGNOSTICS heads_locked = ROW_COUNT;
          IF heads_locked < cardinality(cats) THEN RETURN '{"status":"stale"}'; END IF;
        END IF;
        -- What the service validated against, still so under the lock: category rules, warehouses, and
        -- (an optimistic receipt read no lots) that no lot it takes as new is known with another expiry.
        IF (SELECT count(*) FROM jsonb_to_recordset(p->'rules') AS r(code text, scale int, lot_tracked boolean)
            JOIN categories c ON c.code = r.code AND c.scale = r.scale AND c.lot_tracked = r.lot_tracked) <> jsonb_array_length(p->'rules')
          OR EXISTS (SELECT 1 FROM jsonb_to_recordset(p->'warehouses') AS w(code text, active boolean) LEFT JOIN warehouses x ON x.code = w.code
                     WHERE x.active IS DISTINCT FROM w.active)
          OR jsonb_array_length(p->'lots') > 0 AND EXISTS (
            SELECT 1 FROM jsonb_to_recordset(p->'lots') AS l(category text, lot text, expires_on date)
            JOIN stock_lots s ON s.category = l.category AND s.lot = l.lot WHERE s.expires_on <> l.expires_on) THEN
          RETURN '{"status":"stale"}';
        END IF;

        IF jsonb_array_length(p->'take') > 0 THEN
          WITH wanted AS (SELECT * FROM jsonb_to_recordset(p->'take') AS w(category text, warehouse text, lot text, delta numeric, n int)),
          taken AS (
            UPDATE stock_balances b SET on_hand = b.on_hand + w.delta FROM wanted w
            WHERE b.category = w.category AND b.warehouse = w.warehouse AND b.lot = w.lot AND b.on_hand - b.reserved + w.delta >= 0
            RETURNING b.category, b.warehouse, b.lot)
          SELECT (SELECT count(*) FROM taken),
                 (SELECT jsonb_agg(jsonb_build_object('category', w.category, 'warehouse', w.warehouse, 'lot', w.lot, 'requested', (-w.delta)::text,
                                                      'available', coalesce(b.on_hand - b.reserved, 0)::text) ORDER BY w.n)
                  FROM wanted w LEFT JOIN stock_balances b ON b.category = w.category AND b.warehouse = w.warehouse AND b.lot = w.lot
                  WHERE NOT EXISTS (SELECT 1 FROM taken t WHERE t.category = w.category AND t.warehouse = w.warehouse AND t.lot = w.lot))
          INTO n_taken, shortages;
          IF n_taken < jsonb_array_length(p->'take') THEN
            -- Undoes the decrements that went through; the service names every shortage.
            RAISE EXCEPTION 'INSUFFICIENT_STOCK' USING ERRCODE = 'LDG01', DETAIL = shortages::text;
          END IF;
        END IF;
        IF jsonb_array_length(p->'add') > 0 THEN
          INSERT INTO stock_balances AS b (category, warehouse, lot, on_hand)
          SELECT * FROM jsonb_to_recordset(p->'add') AS a(category text, warehouse text, lot text, delta numeric) ORDER BY 1, 2, 3
          ON CONFLICT (category, warehouse, lot) DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand;
        END IF;

        doc := jsonb_populate_record(NULL::stock_documents, p->'document');
        IF doc.id IS NULL THEN doc.id := nextval('stock_documents_id_seq'); END IF;
        INSERT INTO stock_documents (id, type, warehouse, counterpart_warehouse, source_kind, source_name, reference, reason, transfer_id, stocktake_id, reverses_document_id,
                                     occurred_at, created_at, user_id)
        VALUES (doc.id, doc.type, doc.warehouse, doc.counterpart_warehouse, doc.source_kind, doc.source_name, doc.reference, doc.reason, doc.transfer_id, doc.stocktake_id,
                doc.reverses_document_id, doc.occurred_at, doc.created_at, doc.user_id);
        doc_canonical := stock_document_canonical(doc);

        -- Each movement with its sequence and running balances (positions and heads as before this document).
        FOR mv IN
          SELECT x.id, x.line, x.category, h.last_sequence + x.seq_n AS sequence, h.last_hash,
                 x.lot, x.expires_on, x.quantity, x.from_node, x.to_node, x.warehouse, x.unit_cost,
                 coalesce(s.on_hand, 0) + x.wh_cum AS warehouse_balance, coalesce(s.movements, 0) + x.wh_n AS warehouse_position,
                 h.on_hand + x.cat_cum AS category_balance, h.positions + x.cat_n AS category_position
          FROM jsonb_to_recordset(p->'movements') AS x(line int, id uuid, category text, lot text, expires_on date, quantity numeric, from_node text, to_node text, warehouse text,
                                                      unit_cost numeric, seq_n int, wh_cum numeric, wh_n int, cat_cum numeric, cat_n int)
          JOIN stock_chains h ON h.category = x.category
          LEFT JOIN stock_positions s ON s.category = x.category AND s.warehouse = x.warehouse
          ORDER BY x.category, x.line
        LOOP
          -- Field by field, so columns added to stock_movements later keep their place.
          m.id := mv.id; m.document_id := doc.id; m.line := mv.line; m.category := mv.category; m.sequence := mv.sequence; m.lot := mv.lot; m.expires_on := mv.expires_on;
          m.quantity := mv.quantity; m.from_node := mv.from_node; m.to_node := mv.to_node; m.warehouse := mv.warehouse; m.unit_cost := mv.unit_cost;
          m.occurred_at := doc.occurred_at; m.recorded_at := doc.created_at; m.user_id := doc.user_id; m.reason := doc.reason;
          m.warehouse_balance := mv.warehouse_balance; m.warehouse_position := mv.warehouse_position; m.category_balance := mv.category_balance;
          m.category_position := mv.category_position;
          m.hash_version := 2;
          IF m.category IS DISTINCT FROM previous_category THEN
            prev := mv.last_hash;
            previous_category := m.category;
          END IF;
          m.prev_hash := prev;
          m.hash := encode(sha256(convert_to(prev || stock_movement_canonical(m, doc_canonical), 'UTF8')), 'hex');
          INSERT INTO stock_movements (id, document_id, line, category, sequence, lot, expires_on, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at,
                                       user_id, reason, prev_hash, hash, warehouse_balance, warehouse_position, category_balance, category_position, hash_version)
          VALUES (m.id, m.document_id, m.line, m.category, m.sequence, m.lot, m.expires_on, m.quantity, m.from_node, m.to_node, m.warehouse, m.unit_cost, m.occurred_at,
                  m.recorded_at, m.user_id, m.reason, m.prev_hash, m.hash, m.warehouse_balance, m.warehouse_position, m.category_balance, m.category_position, m.hash_version);
          prev := m.hash;
          lines := lines || m.line;
          sequences := sequences || m.sequence;
          hashes := hashes || m.hash;
        END LOOP;

        -- A CHECK constraint judges the candidate row of an INSERT before ON CONFLICT makes it an update,
        -- so a position that goes down is updated, never upserted.
        IF jsonb_array_length(p->'positions') > 0 THEN
          WITH pos AS (SELECT * FROM jsonb_to_recordset(p->'positions') AS x(category text, warehouse text, delta numeric, movements bigint)),
          fell AS (
            UPDATE stock_positions s SET on_hand = s.on_hand + pos.delta, movements = s.movements + pos.movements FROM pos
            WHERE pos.delta < 0 AND s.category = pos.category AND s.warehouse = pos.warehouse)
          INSERT INTO stock_positions AS s (category, warehouse, on_hand, movements) SELECT category, warehouse, delta, movements FROM pos WHERE delta >= 0 ORDER BY 1, 2
          ON CONFLICT (category, warehouse) DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand, movements = s.movements + EXCLUDED.movements;
        END IF;

        -- The last movement of each category (they come in sequence order) is its new head.
        UPDATE stock_chains h SET last_sequence = t.sequence, last_hash = t.hash, on_hand = h.on_hand + t.delta, positions = h.positions + t.positions,
               last_occurred_on = greatest(h.last_occurred_on, doc.occurred_at)
        FROM (SELECT x.category, x.delta, x.positions, s.sequence, s.hash
              FROM jsonb_to_recordset(p->'heads') AS x(category text, delta numeric, positions bigint, line int)
              JOIN unnest(lines, sequences, hashes) AS s(line, sequence, hash) ON s.line = x.line) t
        WHERE h.category = t.category;

        IF jsonb_array_length(p->'lots') > 0 THEN
          INSERT INTO stock_lots (category, lot, expires_on)
          SELECT * FROM jsonb_to_recordset(p->'lots') AS l(category text, lot text, expires_on date) ORDER BY 1, 2
          ON CONFLICT (category, lot) DO NOTHING;
        END IF;

        RETURN jsonb_build_object('status', 'ok', 'document_id', doc.id::text, 'sequences', sequences, 'hashes', hashes, 'lines', lines);
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP FUNCTION stock_post_document(jsonb);
      DROP FUNCTION stock_movement_canonical(stock_movements, text);
      DROP FUNCTION stock_document_canonical(stock_documents);
      DROP FUNCTION stock_json_ts(timestamptz);
      DROP FUNCTION stock_json(numeric);
      DROP FUNCTION stock_json(text);
      ALTER TABLE stock_movements DROP COLUMN hash_version;
    `);
  }
}
