import { Migration } from '@mikro-orm/migrations';

/**
 * Personal-data access and token expiry. Every reveal of a claimant's full ID or account number is a row
 * in personal_data_access (who, when, why, which claim, which fields); rows are only ever added. API
 * tokens may carry an expiry after which they stop working.
 */
export class Migration20261201000040Trust extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE personal_data_access (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id bigint NOT NULL REFERENCES users (id),
        actor_name text NOT NULL,
        claim_id bigint NOT NULL REFERENCES claims (id),
        fields text[] NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500)
      )`);
    this.addSql('CREATE INDEX personal_data_access_claim ON personal_data_access (claim_id)');
    this.addSql('ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE api_tokens DROP COLUMN expires_at');
    this.addSql('DROP TABLE personal_data_access');
  }
}
