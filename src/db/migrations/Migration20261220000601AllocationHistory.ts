import { Migration } from '@mikro-orm/migrations';

/**
 * Corrections of an allocation order after the fact, one row each (who, when, what, the status before
 * and after): so far the reversal of a dispatch document (DISPATCH_REVERSED), which puts the goods
 * back onto the order. Rows are only ever added.
 */
export class Migration20261220000601AllocationHistory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE allocation_history (
        id bigserial PRIMARY KEY,
        allocation_id bigint NOT NULL REFERENCES allocations (id),
        action text NOT NULL CHECK (action IN ('DISPATCH_REVERSED')),
        status_before text NOT NULL,
        status_after text NOT NULL,
        user_id bigint REFERENCES users (id),
        at timestamptz NOT NULL DEFAULT now(),
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX allocation_history_allocation ON allocation_history (allocation_id, id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE allocation_history');
  }
}
