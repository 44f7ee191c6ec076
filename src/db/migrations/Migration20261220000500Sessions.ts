import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in for the console: a user may have a password (argon2id hash; API tokens stay for scripts), and a
 * browser session is a row here. Only the SHA-256 of the session cookie is stored; the CSRF token is
 * compared against the header the console sends on every state-changing request. A session ends on
 * sign-out or after an idle time (last_seen_at), checked on every request.
 */
export class Migration20261220000500Sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE users ADD COLUMN password_hash text');
    this.addSql(`
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users (id),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    this.addSql('CREATE INDEX sessions_user ON sessions (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE sessions');
    this.addSql('ALTER TABLE users DROP COLUMN password_hash');
  }
}
