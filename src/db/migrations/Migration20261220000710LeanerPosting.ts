import { Migration } from '@mikro-orm/migrations';

/**
 * A leaner stock_post_document for the common document: one movement in the one category it locks.
 * It takes the same steps in the same order with the same locks (period gate, then the chain head),
 * the same snapshot checks under the lock, and writes the same rows with the same movement/v2 hash
 * and the same reply, but in plain scalar statements: the head is read by the statement that locks
 * it, the movement's position by the one that checks the snapshot (only postings holding the head
 * write positions), each netted row is one INSERT ... VALUES or UPDATE, and the document row comes
 * back from its INSERT. No jsonb_to_recordset, FOR loop over a query, arrays or writable CTEs: about
 * a quarter less PostgreSQL CPU per document (bench/ledger-function.ts).
 *
 * Any other document (several movements or categories, or lists that are not arrays) takes the
 * general path of Migration20261220000100PostInOneCall, unchanged; down() restores that function.
 */
const SIGNATURE = `
      CREATE OR REPLACE FUNCTION stock_post_document(p jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE
        SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
      DECLARE
`;

/** Declarations of the general path (cats aside, which it fills before the gate). */
const DECLARATIONS = `
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
`;

/** Whether what the service validated against changed (rules, warehouses, known lots' expiry). */
const SNAPSHOT_CHANGED = `(SELECT count(*) FROM jsonb_to_recordset(p->'rules') AS r(code text, scale int, lot_tracked boolean)
            JOIN categories c ON c.code = r.code AND c.scale = r.scale AND c.lot_tracked = r.lot_tracked) <> jsonb_array_length(p->'rules')
          OR EXISTS (SELECT 1 FROM jsonb_to_recordset(p->'warehouses') AS w(code text, active boolean) LEFT JOIN warehouses x ON x.code = w.code
                     WHERE x.active IS DISTINCT FROM w.active)
          OR jsonb_array_length(p->'lots') > 0 AND EXISTS (
            SELECT 1 FROM jsonb_to_recordset(p->'lots') AS l(category text, lot text, expires_on date)
            JOIN stock_lots s ON s.category = l.category AND s.lot = l.lot WHERE s.expires_on <> l.expires_on)`;

/** The period gate, first of the locks. */
const GATE = `
        -- The periods lock first (shared), so a posting waiting behind a close holds no head another needs.
        IF stock_posting_gate() IS DISTINCT FROM (p->>'closed_through')::date THEN RETURN '{"status":"stale"}'; END IF;
`;

/** Everything after the gate for documents of several movements or categories, as before. */
const GENERAL_PATH = `
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
        IF ${SNAPSHOT_CHANGED} THEN
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
      END $$;`;

const SINGLE_LINE_DECLARATIONS = `
        -- The one movement of a single-line document, its category's head, its position, and a netted row.
        single jsonb := p->'movements'->0;
        head stock_chains;
        stale boolean;
        pos_on_hand numeric;
        pos_movements bigint;
        change jsonb;
        -- One movement in the one category locked (most documents) takes the same steps in scalar statements.
        single_line boolean := coalesce(CASE WHEN jsonb_typeof(p->'movements') = 'array' AND jsonb_typeof(p->'categories') = 'array' AND jsonb_typeof(p->'take') = 'array'
                                                  AND jsonb_typeof(p->'add') = 'array' AND jsonb_typeof(p->'positions') = 'array' AND jsonb_typeof(p->'heads') = 'array'
                                                  AND jsonb_typeof(p->'rules') = 'array' AND jsonb_typeof(p->'warehouses') = 'array' AND jsonb_typeof(p->'lots') = 'array'
                                             THEN jsonb_array_length(p->'movements') = 1 AND jsonb_array_length(p->'categories') = 1 AND single->>'category' = p->'categories'->>0
                                                  AND jsonb_array_length(p->'take') + jsonb_array_length(p->'add') <= 1 AND jsonb_array_length(p->'positions') <= 1
                                                  AND jsonb_array_length(p->'heads') = 1 END, false);
`;

const SINGLE_LINE_PATH = `

        IF single_line THEN
          SELECT * INTO head FROM stock_chains WHERE category = single->>'category' FOR UPDATE;
          IF NOT FOUND THEN
            INSERT INTO stock_chains (category) SELECT code FROM categories WHERE code = single->>'category' ON CONFLICT DO NOTHING;
            SELECT * INTO head FROM stock_chains WHERE category = single->>'category' FOR UPDATE;
            IF NOT FOUND THEN RETURN '{"status":"stale"}'; END IF;
          END IF;
          -- The snapshot checks under the lock, and the movement's position as before this document (only
          -- postings holding its head write it).
          IF jsonb_array_length(p->'rules') = 1 AND jsonb_array_length(p->'warehouses') <= 2 AND jsonb_array_length(p->'lots') = 0 THEN
            SELECT NOT EXISTS (SELECT 1 FROM categories c WHERE c.code = p->'rules'->0->>'code' AND c.scale = (p->'rules'->0->>'scale')::int
                                                          AND c.lot_tracked = (p->'rules'->0->>'lot_tracked')::boolean)
                   OR (SELECT w.active FROM warehouses w WHERE w.code = p->'warehouses'->0->>'code') IS DISTINCT FROM (p->'warehouses'->0->>'active')::boolean
                   OR (SELECT w.active FROM warehouses w WHERE w.code = p->'warehouses'->1->>'code') IS DISTINCT FROM (p->'warehouses'->1->>'active')::boolean,
                   s.on_hand, s.movements
            INTO stale, pos_on_hand, pos_movements
            FROM (SELECT) AS one LEFT JOIN stock_positions s ON s.category = single->>'category' AND s.warehouse = single->>'warehouse';
          ELSE
            SELECT ${SNAPSHOT_CHANGED},
                   s.on_hand, s.movements
            INTO stale, pos_on_hand, pos_movements
            FROM (SELECT) AS one LEFT JOIN stock_positions s ON s.category = single->>'category' AND s.warehouse = single->>'warehouse';
          END IF;
          IF stale THEN RETURN '{"status":"stale"}'; END IF;

          IF jsonb_array_length(p->'take') = 1 THEN
            change := p->'take'->0;
            UPDATE stock_balances b SET on_hand = b.on_hand + (change->>'delta')::numeric
            WHERE b.category = change->>'category' AND b.warehouse = change->>'warehouse' AND b.lot = change->>'lot'
              AND b.on_hand - b.reserved + (change->>'delta')::numeric >= 0;
            IF NOT FOUND THEN
              SELECT jsonb_agg(jsonb_build_object('category', w.category, 'warehouse', w.warehouse, 'lot', w.lot, 'requested', (-w.delta)::text,
                                                  'available', coalesce(b.on_hand - b.reserved, 0)::text) ORDER BY w.n)
              INTO shortages
              FROM jsonb_to_recordset(p->'take') AS w(category text, warehouse text, lot text, delta numeric, n int)
              LEFT JOIN stock_balances b ON b.category = w.category AND b.warehouse = w.warehouse AND b.lot = w.lot;
              RAISE EXCEPTION 'INSUFFICIENT_STOCK' USING ERRCODE = 'LDG01', DETAIL = shortages::text;
            END IF;
          ELSIF jsonb_array_length(p->'add') = 1 THEN
            change := p->'add'->0;
            INSERT INTO stock_balances AS b (category, warehouse, lot, on_hand)
            VALUES (change->>'category', change->>'warehouse', change->>'lot', (change->>'delta')::numeric)
            ON CONFLICT (category, warehouse, lot) DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand;
          END IF;

          change := p->'document';
          INSERT INTO stock_documents (id, type, warehouse, counterpart_warehouse, source_kind, source_name, reference, reason, transfer_id, stocktake_id, reverses_document_id,
                                       occurred_at, created_at, user_id)
          VALUES (coalesce((change->>'id')::bigint, nextval('stock_documents_id_seq')), change->>'type', change->>'warehouse', change->>'counterpart_warehouse',
                  change->>'source_kind', change->>'source_name', change->>'reference', change->>'reason', (change->>'transfer_id')::bigint,
                  (change->>'stocktake_id')::bigint, (change->>'reverses_document_id')::bigint, (change->>'occurred_at')::date,
                  (change->>'created_at')::timestamptz, (change->>'user_id')::bigint)
          RETURNING * INTO doc;
          doc_canonical := stock_document_canonical(doc);

          -- The movement's own columns (named as in the payload), then the rest field by field.
          m := jsonb_populate_record(NULL::stock_movements, single);
          m.document_id := doc.id; m.sequence := head.last_sequence + (single->>'seq_n')::int;
          m.occurred_at := doc.occurred_at; m.recorded_at := doc.created_at; m.user_id := doc.user_id; m.reason := doc.reason;
          m.warehouse_balance := coalesce(pos_on_hand, 0) + (single->>'wh_cum')::numeric; m.warehouse_position := coalesce(pos_movements, 0) + (single->>'wh_n')::int;
          m.category_balance := head.on_hand + (single->>'cat_cum')::numeric; m.category_position := head.positions + (single->>'cat_n')::int;
          m.hash_version := 2;
          m.prev_hash := head.last_hash;
          m.hash := encode(sha256(convert_to(m.prev_hash || stock_movement_canonical(m, doc_canonical), 'UTF8')), 'hex');
          INSERT INTO stock_movements (id, document_id, line, category, sequence, lot, expires_on, quantity, from_node, to_node, warehouse, unit_cost, occurred_at, recorded_at,
                                       user_id, reason, prev_hash, hash, warehouse_balance, warehouse_position, category_balance, category_position, hash_version)
          VALUES (m.id, m.document_id, m.line, m.category, m.sequence, m.lot, m.expires_on, m.quantity, m.from_node, m.to_node, m.warehouse, m.unit_cost, m.occurred_at,
                  m.recorded_at, m.user_id, m.reason, m.prev_hash, m.hash, m.warehouse_balance, m.warehouse_position, m.category_balance, m.category_position, m.hash_version);

          IF jsonb_array_length(p->'positions') = 1 THEN
            change := p->'positions'->0;
            IF (change->>'delta')::numeric < 0 THEN
              UPDATE stock_positions s SET on_hand = s.on_hand + (change->>'delta')::numeric, movements = s.movements + (change->>'movements')::bigint
              WHERE s.category = change->>'category' AND s.warehouse = change->>'warehouse';
            ELSIF (change->>'delta')::numeric >= 0 THEN
              INSERT INTO stock_positions AS s (category, warehouse, on_hand, movements)
              VALUES (change->>'category', change->>'warehouse', (change->>'delta')::numeric, (change->>'movements')::bigint)
              ON CONFLICT (category, warehouse) DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand, movements = s.movements + EXCLUDED.movements;
            END IF;
          END IF;

          change := p->'heads'->0;
          UPDATE stock_chains h SET last_sequence = m.sequence, last_hash = m.hash, on_hand = h.on_hand + (change->>'delta')::numeric,
                 positions = h.positions + (change->>'positions')::bigint, last_occurred_on = greatest(h.last_occurred_on, doc.occurred_at)
          WHERE h.category = change->>'category' AND (change->>'line')::int = m.line;

          IF jsonb_array_length(p->'lots') > 0 THEN
            INSERT INTO stock_lots (category, lot, expires_on)
            SELECT * FROM jsonb_to_recordset(p->'lots') AS l(category text, lot text, expires_on date) ORDER BY 1, 2
            ON CONFLICT (category, lot) DO NOTHING;
          END IF;

          RETURN jsonb_build_object('status', 'ok', 'document_id', doc.id::text, 'sequences', ARRAY[m.sequence], 'hashes', ARRAY[m.hash], 'lines', ARRAY[m.line]);
        END IF;

`;

export class Migration20261220000710LeanerPosting extends Migration {
  override async up(): Promise<void> {
    this.addSql(`${SIGNATURE}        cats text[];${DECLARATIONS}${SINGLE_LINE_DECLARATIONS}      BEGIN
        -- As before the gate, so a malformed list fails the same way.
        IF NOT single_line THEN cats := ARRAY(SELECT jsonb_array_elements_text(p->'categories')); END IF;
${GATE}${SINGLE_LINE_PATH}${GENERAL_PATH}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`${SIGNATURE}        cats text[] := ARRAY(SELECT jsonb_array_elements_text(p->'categories'));${DECLARATIONS}      BEGIN
${GATE}${GENERAL_PATH}
    `);
  }
}
