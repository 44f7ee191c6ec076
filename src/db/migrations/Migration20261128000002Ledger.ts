import { Migration } from '@mikro-orm/migrations';

/**
 * The supply ledger: documents and their movements (append-only, hash-chained per category), the
 * projections kept in the same transaction (balances per lot, positions per category and warehouse,
 * chain heads per category), lots, transfers, stocktakes and reserve quotas.
 */
export class Migration20261128000002Ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- One head per category: locking it (in category order) serialises the postings of one
      -- category only, and it anchors the chain so deleting the newest rows is noticed.
      CREATE TABLE stock_chains (
        category text PRIMARY KEY REFERENCES categories (code),
        last_sequence bigint NOT NULL DEFAULT 0 CHECK (last_sequence >= 0),
        last_hash text NOT NULL DEFAULT repeat('0', 64) CHECK (last_hash ~ '^[0-9a-f]{64}$'),
        on_hand numeric(20, 3) NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
        positions bigint NOT NULL DEFAULT 0 CHECK (positions >= 0),
        last_occurred_on date
      );

      CREATE TABLE stock_documents (
        id bigserial PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('RECEIPT', 'TRANSFER_SHIP', 'TRANSFER_RECEIVE', 'TRANSFER_CANCEL', 'WRITE_OFF', 'STOCKTAKE', 'OPENING', 'ALLOCATION', 'REVERSAL')),
        warehouse text REFERENCES warehouses (code),
        counterpart_warehouse text REFERENCES warehouses (code),
        source_kind text CHECK (source_kind IN ('PROCUREMENT', 'DONATION')),
        source_name text,
        reference text CHECK (length(reference) <= 100),
        reason text CHECK (length(reason) <= 500),
        transfer_id bigint,
        stocktake_id bigint,
        -- UNIQUE: a document is reversed at most once, even by two reversals racing.
        reverses_document_id bigint UNIQUE REFERENCES stock_documents (id),
        occurred_at date NOT NULL,
        created_at timestamptz NOT NULL,
        user_id bigint REFERENCES users (id),
        CHECK ((type = 'REVERSAL') = (reverses_document_id IS NOT NULL)),
        CHECK (type <> 'RECEIPT' OR (source_kind IS NOT NULL AND source_name IS NOT NULL))
      );

      CREATE TABLE stock_movements (
        id uuid PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES stock_documents (id),
        line integer NOT NULL CHECK (line >= 1),
        category text NOT NULL REFERENCES categories (code),
        sequence bigint NOT NULL CHECK (sequence >= 1),
        lot text CHECK (length(lot) BETWEEN 1 AND 64),
        expires_on date,
        quantity numeric(18, 3) NOT NULL CHECK (quantity > 0),
        from_node text NOT NULL,
        to_node text NOT NULL,
        -- The warehouse side of the movement (never both sides: stock between warehouses passes TRANSIT).
        warehouse text REFERENCES warehouses (code),
        unit_cost numeric(14, 2) CHECK (unit_cost >= 0),
        occurred_at date NOT NULL,
        recorded_at timestamptz NOT NULL,
        user_id bigint REFERENCES users (id),
        reason text,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        -- Running figures written at insert time, so a page deep in the ledger costs no more than the first.
        warehouse_balance numeric(20, 3),
        warehouse_position bigint,
        category_balance numeric(20, 3),
        category_position bigint,
        CHECK (from_node <> to_node),
        CHECK (lot IS NOT NULL OR expires_on IS NULL),
        CHECK (warehouse IS NULL OR from_node = 'WH:' || warehouse OR to_node = 'WH:' || warehouse),
        CHECK ((warehouse IS NULL) = (warehouse_position IS NULL) AND (warehouse IS NULL) = (category_position IS NULL)),
        UNIQUE (category, sequence),
        UNIQUE (document_id, line)
      );
      CREATE UNIQUE INDEX stock_movements_warehouse_page ON stock_movements (category, warehouse, warehouse_position) WHERE warehouse IS NOT NULL;
      CREATE UNIQUE INDEX stock_movements_category_page ON stock_movements (category, category_position) WHERE warehouse IS NOT NULL;
      CREATE INDEX stock_movements_warehouse_dates ON stock_movements (category, warehouse, occurred_at, warehouse_position) WHERE warehouse IS NOT NULL;
      CREATE INDEX stock_movements_category_dates ON stock_movements (category, occurred_at, category_position) WHERE warehouse IS NOT NULL;
      CREATE INDEX stock_movements_document ON stock_movements (document_id);

      -- The ledger only grows: corrections are reversing documents. Enforced here, not just in the service.
      CREATE FUNCTION stock_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% of % refused: the ledger is append-only; post a reversing document instead', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_refuse_change();
      CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements FOR EACH STATEMENT EXECUTE FUNCTION stock_refuse_change();
      CREATE TRIGGER stock_documents_append_only BEFORE UPDATE OR DELETE ON stock_documents FOR EACH ROW EXECUTE FUNCTION stock_refuse_change();
      CREATE TRIGGER stock_documents_no_truncate BEFORE TRUNCATE ON stock_documents FOR EACH STATEMENT EXECUTE FUNCTION stock_refuse_change();

      -- Projection per (warehouse, category, lot); lot '' when the category is not kept in lots,
      -- so the key is plain equality and every lookup uses the primary key.
      CREATE TABLE stock_balances (
        category text NOT NULL REFERENCES categories (code),
        warehouse text NOT NULL REFERENCES warehouses (code),
        lot text NOT NULL DEFAULT '',
        on_hand numeric(18, 3) NOT NULL DEFAULT 0,
        reserved numeric(18, 3) NOT NULL DEFAULT 0,
        PRIMARY KEY (category, warehouse, lot),
        CONSTRAINT stock_balances_on_hand_not_negative CHECK (on_hand >= 0),
        CONSTRAINT stock_balances_reserved_not_negative CHECK (reserved >= 0),
        CONSTRAINT stock_balances_reserved_within_on_hand CHECK (reserved <= on_hand)
      );
      CREATE INDEX stock_balances_warehouse ON stock_balances (warehouse, category);

      -- Projection per (category, warehouse) over all lots: the running balance and row count of its ledger.
      CREATE TABLE stock_positions (
        category text NOT NULL REFERENCES categories (code),
        warehouse text NOT NULL REFERENCES warehouses (code),
        on_hand numeric(20, 3) NOT NULL CHECK (on_hand >= 0),
        movements bigint NOT NULL CHECK (movements >= 0),
        PRIMARY KEY (category, warehouse)
      );

      CREATE TABLE stock_lots (
        category text NOT NULL REFERENCES categories (code),
        lot text NOT NULL CHECK (length(lot) BETWEEN 1 AND 64),
        expires_on date NOT NULL,
        status text NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'QUARANTINED', 'EXPIRED')),
        status_reason text CHECK (length(status_reason) <= 500),
        status_changed_at timestamptz,
        status_user_id bigint REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (category, lot)
      );
      CREATE INDEX stock_lots_expiry ON stock_lots (expires_on);

      -- A transfer is identified by its shipping document; its goods sit on TRANSIT:<id> meanwhile.
      CREATE TABLE stock_transfers (
        id bigint PRIMARY KEY REFERENCES stock_documents (id),
        from_warehouse text NOT NULL REFERENCES warehouses (code),
        to_warehouse text NOT NULL REFERENCES warehouses (code),
        status text NOT NULL CHECK (status IN ('IN_TRANSIT', 'RECEIVED', 'CANCELLED')),
        settled_document_id bigint REFERENCES stock_documents (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (from_warehouse <> to_warehouse),
        CHECK ((status = 'IN_TRANSIT') = (settled_document_id IS NULL))
      );
      CREATE INDEX stock_transfers_to ON stock_transfers (to_warehouse, status);
      CREATE INDEX stock_transfers_from ON stock_transfers (from_warehouse, status);

      -- Stocktake ids come from the document sequence, so no id means two different things.
      CREATE TABLE stocktakes (
        id bigint PRIMARY KEY DEFAULT nextval('stock_documents_id_seq'),
        warehouse text NOT NULL REFERENCES warehouses (code),
        status text NOT NULL CHECK (status IN ('COUNTING', 'POSTED')),
        document_id bigint REFERENCES stock_documents (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        user_id bigint REFERENCES users (id),
        CHECK ((status = 'POSTED') = (document_id IS NOT NULL))
      );
      CREATE TABLE stocktake_lines (
        stocktake_id bigint NOT NULL REFERENCES stocktakes (id),
        category text NOT NULL REFERENCES categories (code),
        lot text NOT NULL DEFAULT '',
        book numeric(18, 3) NOT NULL,
        counted numeric(18, 3) CHECK (counted >= 0),
        counted_at timestamptz,
        counted_by bigint REFERENCES users (id),
        PRIMARY KEY (stocktake_id, category, lot)
      );

      CREATE TABLE stock_quotas (
        warehouse text NOT NULL REFERENCES warehouses (code),
        category text NOT NULL REFERENCES categories (code),
        quantity numeric(18, 3) NOT NULL CHECK (quantity >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        user_id bigint REFERENCES users (id),
        PRIMARY KEY (warehouse, category)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP TABLE stock_quotas, stocktake_lines, stocktakes, stock_transfers, stock_lots, stock_positions, stock_balances, stock_movements, stock_documents, stock_chains;
      DROP FUNCTION stock_refuse_change();
    `);
  }
}
