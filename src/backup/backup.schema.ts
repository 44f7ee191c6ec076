/**
 * What a backup reads from the catalog: the tables and their columns, the sequences and the applied
 * migrations. Works inside the backup's snapshot transaction, on any pg client. Table order does not
 * matter to the restore: it loads with the foreign keys set aside and re-adds them afterwards (the
 * claims and their assessments reference each other, so no order would satisfy them row by row).
 */
import type pg from 'pg';

/** MikroORM's own bookkeeping: restored by running the migrations, never copied. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export interface TablePlan {
  name: string;
  columns: string[];
  estimatedRows: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const quoteIdent = quote;

export async function tablePlans(client: pg.ClientBase): Promise<TablePlan[]> {
  const tables = (await client.query<{ name: string; estimate: string }>(
    `SELECT c.relname AS name, greatest(c.reltuples, 0)::bigint::text AS estimate FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1 ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  )).rows;
  const columns = (await client.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY c.relname, a.attnum`,
  )).rows;
  return tables.map((t) => ({ name: t.name, columns: columns.filter((c) => c.table === t.name).map((c) => c.column), estimatedRows: Number(t.estimate) }));
}

export async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const exists = (await client.query(`SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1`, [MIGRATIONS_TABLE])).rowCount;
  if (!exists) return [];
  return (await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows.map((r) => r.name);
}

export async function sequenceValues(client: pg.ClientBase): Promise<{ name: string; lastValue: string; isCalled: boolean }[]> {
  const names = (await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY 1`,
  )).rows;
  const values = [];
  for (const { name } of names) {
    const [row] = (await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quote(name)}`)).rows;
    values.push({ name, lastValue: row!.last_value, isCalled: row!.is_called });
  }
  return values;
}
