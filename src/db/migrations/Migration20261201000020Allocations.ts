import { Migration } from '@mikro-orm/migrations';

/**
 * Allocations (调拨): the dispatcher role, kits (versioned templates per N people), orders with their
 * lines, the picks that hold reservations, and the dispatch documents. The reservation itself lives in
 * stock_balances.reserved; allocation_picks.open is what each order still holds there, so
 * reserved = sum(open) per balance row is checkable (/ledger/check, kind RESERVED).
 */
export class Migration20261201000020Allocations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'keeper', 'dispatcher', 'assessor', 'approver', 'finance'));

      -- A kit is never edited in place: a change is a new version, so an order keeps the template it used.
      CREATE TABLE allocation_kits (
        code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
        version integer NOT NULL CHECK (version >= 1),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        per integer NOT NULL CHECK (per BETWEEN 1 AND 1000000),
        created_at timestamptz NOT NULL DEFAULT now(),
        user_id bigint REFERENCES users (id),
        PRIMARY KEY (code, version)
      );
      CREATE TABLE allocation_kit_lines (
        code text NOT NULL,
        version integer NOT NULL,
        line integer NOT NULL CHECK (line >= 1),
        category text NOT NULL REFERENCES categories (code),
        quantity numeric(18, 3) NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (code, version, category),
        UNIQUE (code, version, line),
        FOREIGN KEY (code, version) REFERENCES allocation_kits (code, version)
      );

      CREATE TABLE allocations (
        id bigserial PRIMARY KEY,
        number text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED', 'DISPATCHED', 'DELIVERED', 'CANCELLED', 'EXPIRED')),
        destination_name text NOT NULL CHECK (length(destination_name) BETWEEN 1 AND 100),
        destination_district text CHECK (length(destination_district) BETWEEN 1 AND 100),
        destination_lat numeric(9, 6) CHECK (destination_lat BETWEEN -90 AND 90),
        destination_lon numeric(9, 6) CHECK (destination_lon BETWEEN -180 AND 180),
        priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
        all_or_nothing boolean NOT NULL,
        kit_code text,
        kit_version integer,
        people integer CHECK (people >= 1),
        override_reason text CHECK (length(override_reason) BETWEEN 1 AND 500),
        override_approved_by bigint REFERENCES users (id),
        override_approved_at timestamptz,
        note text CHECK (length(note) <= 500),
        created_by bigint REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        closed_by bigint REFERENCES users (id),
        closed_at timestamptz,
        close_reason text CHECK (length(close_reason) <= 500),
        delivered_by bigint REFERENCES users (id),
        delivered_at timestamptz,
        FOREIGN KEY (kit_code, kit_version) REFERENCES allocation_kits (code, version),
        CHECK ((destination_lat IS NULL) = (destination_lon IS NULL)),
        -- Four eyes: the one who asked for the override never approves it.
        CHECK (override_approved_by IS NULL OR (override_reason IS NOT NULL AND override_approved_by <> created_by)),
        CHECK (status <> 'AWAITING_OVERRIDE' OR (override_reason IS NOT NULL AND override_approved_by IS NULL)),
        CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL))
      );
      CREATE INDEX allocations_open ON allocations (expires_at) WHERE status IN ('AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED');
      CREATE INDEX allocations_destination ON allocations (destination_name, created_at);

      CREATE TABLE allocation_lines (
        allocation_id bigint NOT NULL REFERENCES allocations (id),
        line integer NOT NULL CHECK (line >= 1),
        category text NOT NULL REFERENCES categories (code),
        requested numeric(18, 3) NOT NULL CHECK (requested > 0),
        received numeric(18, 3) CHECK (received >= 0),
        difference_reason text CHECK (length(difference_reason) BETWEEN 1 AND 500),
        PRIMARY KEY (allocation_id, line),
        UNIQUE (allocation_id, category)
      );

      -- One row per (order, balance row): quantity ever reserved there, what is still held (open) and what left.
      CREATE TABLE allocation_picks (
        allocation_id bigint NOT NULL REFERENCES allocations (id),
        category text NOT NULL,
        warehouse text NOT NULL REFERENCES warehouses (code),
        lot text NOT NULL DEFAULT '',
        quantity numeric(18, 3) NOT NULL CHECK (quantity > 0),
        open numeric(18, 3) NOT NULL CHECK (open >= 0),
        dispatched numeric(18, 3) NOT NULL DEFAULT 0 CHECK (dispatched >= 0),
        protected numeric(18, 3) NOT NULL DEFAULT 0 CHECK (protected >= 0 AND protected <= quantity),
        PRIMARY KEY (allocation_id, category, warehouse, lot),
        FOREIGN KEY (allocation_id, category) REFERENCES allocation_lines (allocation_id, category),
        CHECK (open + dispatched <= quantity)
      );
      CREATE INDEX allocation_picks_open ON allocation_picks (category, warehouse, lot) WHERE open > 0;

      CREATE TABLE allocation_dispatches (
        document_id bigint PRIMARY KEY REFERENCES stock_documents (id),
        allocation_id bigint NOT NULL REFERENCES allocations (id),
        warehouse text NOT NULL REFERENCES warehouses (code),
        user_id bigint REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX allocation_dispatches_allocation ON allocation_dispatches (allocation_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP TABLE allocation_dispatches, allocation_picks, allocation_lines, allocations, allocation_kit_lines, allocation_kits;
      DELETE FROM users WHERE role = 'dispatcher';
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'keeper', 'assessor', 'approver', 'finance'));
    `);
  }
}
