import { Migration } from '@mikro-orm/migrations';

/**
 * The order of the Merkle log over the movements (src/ledger-digest): each movement gets the next
 * position when a digest is sealed, with the leaf hash it had then. Rows are only ever added (the
 * ledger's own refusal trigger, and the service role may only SELECT and INSERT).
 */
export class Migration20261220000200LedgerLog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE ledger_log (
        position bigint PRIMARY KEY CHECK (position >= 1),
        movement_id uuid NOT NULL UNIQUE,
        leaf text NOT NULL CHECK (leaf ~ '^[0-9a-f]{64}$'),
        logged_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER ledger_log_append_only BEFORE UPDATE OR DELETE ON ledger_log FOR EACH ROW EXECUTE FUNCTION stock_refuse_change();
      CREATE TRIGGER ledger_log_no_truncate BEFORE TRUNCATE ON ledger_log FOR EACH STATEMENT EXECUTE FUNCTION stock_refuse_change();`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE ledger_log');
  }
}
