import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys now commit in the same transaction as their request's effect, with the reply.
 * Rows without a reply could only be left by the earlier protocol (a crash between reserving the key
 * and storing the reply); they are removed so a retry can do the work. From now on the database
 * itself refuses to commit a key without its reply.
 */
export class Migration20261201000005IdempotencyWithEffect extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      DELETE FROM idempotency_keys WHERE status_code IS NULL;
      CREATE FUNCTION idempotency_key_has_reply() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = NEW.user_id AND key = NEW.key AND status_code IS NULL) THEN
          RAISE EXCEPTION 'idempotency key % committed without its reply', NEW.key
            USING ERRCODE = 'check_violation', CONSTRAINT = 'idempotency_key_has_reply';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER idempotency_key_has_reply AFTER INSERT ON idempotency_keys
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION idempotency_key_has_reply();
    `);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TRIGGER idempotency_key_has_reply ON idempotency_keys; DROP FUNCTION idempotency_key_has_reply();');
  }
}
