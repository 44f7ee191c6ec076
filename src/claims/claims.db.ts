/**
 * The claim lifecycle's hot path (register, survey, assess, approve) runs on a plain pg connection from
 * the ORM's pool, as the ledger does: every statement is a named prepared statement (parsed and planned
 * once per connection), and each step is a read and one guarded write. The write is a single statement,
 * so it commits on its own (no BEGIN/COMMIT round trips) and holds its locks for that statement only; it
 * applies only if the claim row is still the version read (its xmin), else the step reads again.
 * Inside a request transaction (an Idempotency-Key) the step runs in a savepoint of it instead.
 */
import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { requestTransaction } from '../db/request-transaction.js';
import { retrying } from '../db/transaction.js';
import { CLAIM_COLUMNS, snapshot, toClaimRow, type ClaimChanges, type ClaimRow } from './claims.repository.js';

type Raw = Record<string, any>;

/** SQL with $1, $2 … placeholders; each distinct text is prepared once per connection under a name derived from it. */
export interface ClaimsDb {
  query<T = Raw>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

const names = new Map<string, string>();
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `claims_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

function onClient(client: pg.ClientBase): ClaimsDb {
  return {
    async query<T>(sql: string, params: readonly unknown[]) {
      return (await client.query({ name: statementName(sql), text: sql, values: [...params] })).rows as T[];
    },
  };
}

/**
 * Runs one step on a pooled connection, each statement committing on its own; retried as a whole on a
 * deadlock or serialization failure. Inside a request transaction: in a savepoint of it.
 */
export async function withClaimsDb<T>(em: EntityManager, work: (db: ClaimsDb) => Promise<T>): Promise<T> {
  const trx = requestTransaction();
  if (trx) {
    const client = (await trx.client.acquireConnection()) as pg.ClientBase;
    await client.query('SAVEPOINT claims');
    try {
      const result = await work(onClient(client));
      await client.query('RELEASE SAVEPOINT claims');
      return result;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT claims').catch(() => undefined);
      throw error;
    }
  }
  const knex = em.getConnection().getKnex() as Knex;
  return retrying(async () => {
    const client = (await knex.client.acquireConnection()) as pg.ClientBase;
    try {
      return await work(onClient(client));
    } finally {
      await knex.client.releaseConnection(client);
    }
  });
}

/** Thrown by a step's write when the claim changed after it was read; the step then reads again. */
export class ClaimChangedMeanwhile extends Error {}

const MAX_ATTEMPTS = 50;

/** Runs read-decide-write `attempt`s until one's write finds the claim as it read it. */
export async function optimistically<T>(key: string, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ClaimChangedMeanwhile)) throw error;
      if (n >= MAX_ATTEMPTS) throw new ConflictError('CLAIM_BUSY', `claim ${key} kept changing while this request ran; try again`, { claim: key });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** A claim addressed by id or number, and the version (xmin) its row had when read. */
export interface ReadClaim {
  claim: ClaimRow;
  version: string;
  raw: Raw;
}

/** SELECT of a claim by id or number with `extra` columns (subqueries on `c`); $1 is the key, further params follow. */
export function claimReader(extra: string): { byId: string; byNumber: string } {
  const select = `SELECT ${CLAIM_COLUMNS}, c.xmin::text AS version${extra ? `, ${extra}` : ''} FROM claims c`;
  return { byId: `${select} WHERE c.id = $1::bigint`, byNumber: `${select} WHERE c.number = $1` };
}

export function keyKind(key: string): 'id' | 'number' | null {
  if (/^\d{1,18}$/.test(key)) return 'id';
  if (/^LP\d{8,}$/.test(key)) return 'number';
  return null;
}

export async function readClaim(db: ClaimsDb, reader: { byId: string; byNumber: string }, key: string, params: readonly unknown[] = []): Promise<ReadClaim | null> {
  const kind = keyKind(key);
  if (kind === null) return null;
  const [raw] = await db.query(kind === 'id' ? reader.byId : reader.byNumber, [key, ...params]);
  return raw ? { claim: toClaimRow(raw), version: raw.version, raw } : null;
}

const COLUMNS: Record<string, string> = {
  status: 'status', benefits: 'benefits', documentsCompleteOn: 'documents_complete_on', decisionDueOn: 'decision_due_on',
  approvedOn: 'approved_on', paymentDueOn: 'payment_due_on', pendingAssessmentId: 'pending_assessment_id', pendingTotal: 'pending_total',
  approvedTotal: 'approved_total', advancePaid: 'advance_paid', paidTotal: 'paid_total', recoveryOwed: 'recovery_owed',
  firstApprovedBy: 'first_approved_by', holdReasons: 'hold_reasons',
};

/** Parameters of one statement, numbered as they are added. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface GuardedChange {
  /** Further CTEs over `c`, the changed row, so they happen only with the change. */
  also?: (p: Params) => string[];
  /** Further columns of the final SELECT (over `c`; it sees the database as the statement began). */
  select?: (p: Params) => string;
  /** Values computed in SQL instead of bound (the change still carries the value for the history). */
  sqlValues?: Partial<Record<keyof ClaimChanges, string>>;
}

/**
 * One statement that changes a claim only if its row is still the version read, records the change in
 * its history, and runs `also`. Throws ClaimChangedMeanwhile when the claim changed since it was read.
 */
export async function guardedChange(
  db: ClaimsDb,
  actor: Actor,
  action: string,
  read: ReadClaim,
  changes: ClaimChanges,
  details: Record<string, unknown>,
  options: GuardedChange = {},
): Promise<{ claim: ClaimRow; raw: Raw }> {
  const p = new Params();
  const id = p.add(read.claim.id);
  const version = p.add(read.version);
  const sets = Object.entries(changes).map(([field, value]) => {
    const column = COLUMNS[field];
    if (!column) throw new Error(`claims.${field} is not updatable here`);
    const sql = options.sqlValues?.[field as keyof ClaimChanges];
    if (sql) return `${column} = ${sql}`;
    if (Array.isArray(value)) return `${column} = ${p.add(value)}::text[]`;
    return `${column} = ${p.add(Decimal.isDecimal(value) ? formatMoney(value) : value)}`;
  });
  const after = { ...read.claim, ...changes } as ClaimRow;
  const history = [actor.id, actor.name, action, JSON.stringify(details), JSON.stringify(snapshot(read.claim)), JSON.stringify(snapshot(after))].map((v) => p.add(v));
  const ctes = [
    `c AS (UPDATE claims SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = ${id}::bigint AND xmin = ${version}::xid RETURNING *)`,
    `h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
           SELECT id, ${history[0]}::bigint, ${history[1]}, ${history[2]}, ${history[3]}::jsonb, ${history[4]}::jsonb, ${history[5]}::jsonb FROM c)`,
    ...(options.also?.(p) ?? []),
  ];
  const extra = options.select?.(p);
  const [raw] = await db.query(`WITH ${ctes.join(',\n')}\nSELECT ${CLAIM_COLUMNS}${extra ? `, ${extra}` : ''} FROM c`, p.values);
  if (!raw) throw new ClaimChangedMeanwhile();
  return { claim: toClaimRow(raw), raw };
}
