-- Least privilege for the service's database role. Run as the owner of the tables (the role that runs
-- the migrations), after every migration; it is idempotent. The service applies it itself at start when it
-- knows both roles (embedded PostgreSQL, or DATABASE_OWNER_URL next to DATABASE_URL). By hand:
--
--   psql "$DATABASE_OWNER_URL" -c "SET relief.service_role = 'relief_app'" -f scripts/grants.sql
--
-- The service role may read and add everything, change and delete only projections and working tables,
-- and never change or delete ledger rows: an append-only table (the list below, plus every table with a
-- trigger named *_append_only) gets SELECT and INSERT only. It owns nothing, so it cannot ALTER a table
-- or DISABLE TRIGGER; not being a superuser, it cannot SET session_replication_role.
DO $grants$
DECLARE
  service text := current_setting('relief.service_role', true);
  append_only text[] := ARRAY['stock_movements', 'stock_documents', 'stock_period_events', 'ledger_log',
                              'claim_history', 'claim_payments', 'claim_approvals', 'personal_data_access'];
  read_only text[] := ARRAY['mikro_orm_migrations'];
  t record;
BEGIN
  IF service IS NULL OR service = '' THEN
    RAISE EXCEPTION 'set relief.service_role to the service''s role first (SET relief.service_role = ''relief_app'')';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service) THEN
    RAISE EXCEPTION 'role % does not exist: CREATE ROLE % LOGIN PASSWORD ''…'' first', service, service;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'role % is a superuser: the service role must be an ordinary role', service;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', service);
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', service);
  FOR t IN
    SELECT c.relname,
           c.relname = ANY (append_only) OR EXISTS (
             SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgname LIKE '%\_append\_only') AS append_only
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(c.relowner, 'USAGE')
  LOOP
    IF t.relname = ANY (read_only) THEN
      EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', t.relname, service);
      EXECUTE format('GRANT SELECT ON TABLE %I TO %I', t.relname, service);
    ELSIF t.append_only THEN
      EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', t.relname, service);
      EXECUTE format('GRANT SELECT, INSERT ON TABLE %I TO %I', t.relname, service);
    ELSE
      EXECUTE format('REVOKE TRIGGER ON TABLE %I FROM %I', t.relname, service);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON TABLE %I TO %I', t.relname, service);
    END IF;
  END LOOP;
END
$grants$;
