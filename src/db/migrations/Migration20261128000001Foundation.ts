import { Migration } from '@mikro-orm/migrations';

/** Users and tokens, the supply catalog, warehouses, idempotency keys, import audit. */
export class Migration20261128000001Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
        role text NOT NULL CHECK (role IN ('admin', 'keeper', 'assessor', 'approver', 'finance')),
        warehouses text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (role <> 'keeper' OR cardinality(warehouses) > 0)
      );
      CREATE TABLE api_tokens (
        token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        user_id bigint NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_tokens_user ON api_tokens (user_id);

      CREATE TABLE categories (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        major_class text NOT NULL,
        minor_class text NOT NULL,
        unit text NOT NULL,
        scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 3),
        lot_tracked boolean NOT NULL,
        spec text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE warehouses (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('CITY', 'DISTRICT', 'AGREEMENT')),
        district text NOT NULL,
        address text NOT NULL,
        lat numeric(9, 6) NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon numeric(9, 6) NOT NULL CHECK (lon BETWEEN -180 AND 180),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE idempotency_keys (
        user_id bigint NOT NULL REFERENCES users (id),
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        method text NOT NULL,
        path text NOT NULL,
        request_hash text NOT NULL,
        status_code integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (user_id, key)
      );

      CREATE TABLE import_runs (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        user_id bigint REFERENCES users (id),
        source text,
        rows integer NOT NULL,
        inserted integer NOT NULL,
        updated integer NOT NULL,
        unchanged integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE import_runs, idempotency_keys, warehouses, categories, api_tokens, users;');
  }
}
