// Proves least privilege in the database: the service runs as an ordinary role that can read and add but never UPDATE, DELETE or TRUNCATE ledger and other append-only rows, ALTER a table, DISABLE a TRIGGER or SET session_replication_role, while it still changes projections and working tables; the grants step is idempotent and covers tables added later; a superuser connection is refused at start unless ALLOW_SUPERUSER.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServiceOrm } from '../../src/boot.js';
import { applyGrants, SERVICE_ROLE } from '../../src/db/roles.js';
import { newCategory, receipt, seedWarehouses } from '../http/stock.fixtures.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { asOwner, asService } from '../support/roles.js';

let app: TestApp;
let tent: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  tent = await newCategory(app, 'tent');
  expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }])).status).toBe(201);
  await app.services.ledgerDigest.current(null); // a row in ledger_log
});
afterAll(() => app.close());

/** The message PostgreSQL gives the service role for `statement`, or 'allowed'. */
const asServiceRole = async (statement: string): Promise<string> => {
  try {
    await app.serviceSql(statement);
    return 'allowed';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('the service role', () => {
  it('is the role the service runs as, and no superuser', async () => {
    const [me] = await app.serviceSql(`SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    expect(me).toEqual({ role: SERVICE_ROLE, superuser: false });
  });

  const APPEND_ONLY = ['stock_movements', 'stock_documents', 'ledger_log', 'claim_history', 'claim_payments', 'claim_approvals', 'personal_data_access', 'stock_period_events'];
  it.each(APPEND_ONLY)('may not UPDATE, DELETE or TRUNCATE %s', async (table) => {
    const [{ column }] = await app.sql(`SELECT column_name AS column FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position LIMIT 1`, [table]);
    expect(await asServiceRole(`UPDATE ${table} SET ${column} = ${column}`)).toContain(`permission denied for table ${table}`);
    expect(await asServiceRole(`DELETE FROM ${table}`)).toContain(`permission denied for table ${table}`);
    expect(await asServiceRole(`TRUNCATE ${table} CASCADE`)).toContain('permission denied');
  });

  it('may not alter a table, disable its triggers, add a trigger or change session_replication_role', async () => {
    expect(await asServiceRole('ALTER TABLE stock_movements DISABLE TRIGGER stock_movements_append_only')).toContain('must be owner of table stock_movements');
    expect(await asServiceRole('ALTER TABLE stock_movements DISABLE TRIGGER ALL')).toContain('must be owner');
    expect(await asServiceRole('ALTER TABLE stock_balances ADD COLUMN x int')).toContain('must be owner');
    expect(await asServiceRole('ALTER TABLE stock_documents OWNER TO relief_app')).toContain('must be owner');
    expect(await asServiceRole('DROP TABLE stock_chains')).toContain('must be owner');
    expect(await asServiceRole(`CREATE TRIGGER t BEFORE UPDATE ON stock_balances FOR EACH ROW EXECUTE FUNCTION stock_refuse_change()`)).toContain('permission denied');
    expect(await asServiceRole('SET session_replication_role = replica')).toContain('permission denied to set parameter "session_replication_role"');
    expect(await asServiceRole('CREATE TABLE sneaky (x int)')).toContain('permission denied for schema public');
    expect(await asServiceRole('DELETE FROM mikro_orm_migrations')).toContain('permission denied');
  });

  it('leaves the ledger untouched after every refusal', async () => {
    const [row] = await app.sql(`SELECT count(*)::int AS n, sum(quantity)::text AS q FROM stock_movements WHERE category = ?`, [tent]);
    expect(row).toEqual({ n: 1, q: '10.000' });
  });

  it('still reads and adds everything, and changes projections and working tables', async () => {
    expect(await asServiceRole(`BEGIN; UPDATE stock_balances SET reserved = reserved WHERE category = '${tent}'; DELETE FROM idempotency_keys WHERE false; ROLLBACK`)).toBe('allowed');
    expect(await asServiceRole('SELECT count(*) FROM stock_movements, stock_documents, claim_history LIMIT 1')).toBe('allowed');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }])).status).toBe(201);
  });

  it('gets sensible grants on a table added later, by the one idempotent step: all on a working table, SELECT and INSERT on an append-only one', async () => {
    const owner = asOwner(new URL(app.config.databaseUrl!).toString());
    await app.sql(`SET ROLE relief_owner; CREATE TABLE later_work (x int); CREATE TABLE later_ledger (x int);
      CREATE TRIGGER later_ledger_append_only BEFORE UPDATE OR DELETE ON later_ledger FOR EACH ROW EXECUTE FUNCTION stock_refuse_change(); RESET ROLE`);
    await applyGrants(owner, SERVICE_ROLE);
    await applyGrants(owner, SERVICE_ROLE); // idempotent
    expect(await asServiceRole('INSERT INTO later_work VALUES (1); UPDATE later_work SET x = 2; DELETE FROM later_work')).toBe('allowed');
    expect(await asServiceRole('INSERT INTO later_ledger VALUES (1)')).toBe('allowed');
    expect(await asServiceRole('DELETE FROM later_ledger')).toContain('permission denied for table later_ledger');
  });
});

describe('starting the service', () => {
  it('refuses a superuser connection with a message saying what to do, unless ALLOW_SUPERUSER', async () => {
    const url = await freshDatabase();
    await expect(openServiceOrm({ url, ownerUrl: url, poolMax: 1, allowSuperuser: false })).rejects.toThrow(/a PostgreSQL superuser.*scripts\/grants\.sql.*ALLOW_SUPERUSER=1/s);
    const allowed = await openServiceOrm({ url, ownerUrl: url, poolMax: 1, allowSuperuser: true });
    await allowed.close(true);
  });

  it('runs migrations and grants as the owner and serves as the service role', async () => {
    const url = await freshDatabase();
    const orm = await openServiceOrm({ url: asService(url), ownerUrl: asOwner(url), poolMax: 1, allowSuperuser: false });
    try {
      const [me] = await orm.em.getConnection().execute(`SELECT current_user AS role`);
      expect(me.role).toBe(SERVICE_ROLE);
    } finally {
      await orm.close(true);
    }
  });
});
