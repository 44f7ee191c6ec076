import { Migration } from '@mikro-orm/migrations';

/**
 * Accounting periods (月结). A closed month is a row in stock_periods; closing freezes the balance
 * of every (category, warehouse, lot) at its end into stock_period_balances, which is the opening of
 * the next month and the starting point of every bounded read (as-of balances, 台帐 pages). Who
 * closed and reopened what, and why, is kept in stock_period_events.
 *
 * Postings and closes meet at one advisory lock: a posting takes it shared and reads the
 * closed-through date inside stock_posting_gate(), a close takes it exclusive and freezes in a later
 * statement. The gate is a plpgsql function because each statement in it gets a fresh snapshot: the
 * date is read after the lock is granted, so a posting that waited for a close sees that close.
 */
export const PERIODS_LOCK_ID = 7262001;

export class Migration20261215000006Periods extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE stock_periods (
        period date PRIMARY KEY CHECK (extract(day FROM period) = 1),
        through date GENERATED ALWAYS AS ((period + interval '1 month' - interval '1 day')::date) STORED,
        closed_at timestamptz NOT NULL,
        closed_by bigint REFERENCES users (id)
      );
      CREATE UNIQUE INDEX stock_periods_through ON stock_periods (through);

      -- Only non-zero balances are kept: an absent row is a zero.
      CREATE TABLE stock_period_balances (
        period date NOT NULL REFERENCES stock_periods (period),
        category text NOT NULL REFERENCES categories (code),
        warehouse text NOT NULL REFERENCES warehouses (code),
        lot text NOT NULL DEFAULT '',
        on_hand numeric(20, 3) NOT NULL,
        PRIMARY KEY (period, category, warehouse, lot)
      );

      CREATE TABLE stock_period_events (
        id bigserial PRIMARY KEY,
        period date NOT NULL,
        action text NOT NULL CHECK (action IN ('CLOSE', 'REOPEN')),
        reason text CHECK (length(reason) <= 500),
        user_id bigint REFERENCES users (id),
        at timestamptz NOT NULL,
        CHECK (action = 'CLOSE' OR reason IS NOT NULL)
      );
      CREATE INDEX stock_period_events_period ON stock_period_events (period, id);

      -- As-of balances over all categories read only the movements after the last frozen month.
      CREATE INDEX stock_movements_occurred_at ON stock_movements (occurred_at);

      CREATE FUNCTION stock_posting_gate() RETURNS date LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${PERIODS_LOCK_ID});
        RETURN (SELECT max(through) FROM stock_periods);
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP FUNCTION stock_posting_gate();
      DROP INDEX stock_movements_occurred_at;
      DROP TABLE stock_period_events, stock_period_balances, stock_periods;
    `);
  }
}
