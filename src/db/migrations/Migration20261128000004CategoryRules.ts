import { Migration } from '@mikro-orm/migrations';

/**
 * Once a category's ledger has started, its quantities and lots were booked under its scale and lot
 * rule: a smaller scale would make booked quantities unrepresentable, a changed lot rule would orphan
 * or invent lots. The import reports this per row; this trigger holds for every other path too.
 */
export class Migration20261128000004CategoryRules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION categories_keep_ledger_rules() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.scale < OLD.scale OR NEW.lot_tracked IS DISTINCT FROM OLD.lot_tracked)
           AND EXISTS (SELECT 1 FROM stock_chains WHERE category = OLD.code AND last_sequence > 0) THEN
          RAISE EXCEPTION 'category % has ledger entries: its scale cannot shrink and its lot rule cannot change', OLD.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_keep_ledger_rules';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER categories_keep_ledger_rules BEFORE UPDATE OF scale, lot_tracked ON categories
        FOR EACH ROW EXECUTE FUNCTION categories_keep_ledger_rules();
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TRIGGER categories_keep_ledger_rules ON categories; DROP FUNCTION categories_keep_ledger_rules();');
  }
}
