import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Actor, ConflictError, NotFoundError, UnauthenticatedError, ValidationError, requireRole } from '../shared/index.js';
import { inTransaction } from '../db/transaction.js';
import { TokenCache, hashToken, newToken } from './tokens.js';
import { ApiToken, ROLES, User } from './user.entity.js';
import { afterRequestCommit, forkOf } from '../db/request-transaction.js';

export const newUserSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    warehouses: z.array(z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/)).max(200).optional(),
    tokenExpiresInDays: z.int().min(1).max(3650).optional(),
  })
  .strict();
export type NewUser = z.infer<typeof newUserSchema>;

export interface UserView {
  id: string;
  name: string;
  role: User['role'];
  warehouses: string[];
  active: boolean;
  createdAt: string;
}

export function toUserView(user: User): UserView {
  return { id: user.id, name: user.name, role: user.role, warehouses: [...user.warehouses], active: user.active, createdAt: user.createdAt.toISOString() };
}

const DAY_MS = 86_400_000;
const expiryOf = (days: number | undefined): Date | null => (days === undefined ? null : new Date(Date.now() + days * DAY_MS));

function userExists(name: string): ConflictError {
  return new ConflictError('USER_EXISTS', `a user named ${name} already exists`, [{ field: 'name', value: name, reason: 'already taken' }]);
}

export class UsersService {
  /** Token → actor lookups reused briefly; cleared by every change made here. */
  readonly tokens = new TokenCache<Actor>();

  constructor(private readonly em: EntityManager) {}

  /**
   * The actor behind a bearer token, or null when the token is unknown, revoked or its user inactive.
   * Every request passes here, so it is one indexed join rather than an ORM load with populate
   * (measured 0.3 ms against 2.3 ms of CPU per call).
   */
  async authenticate(token: string): Promise<Actor | null> {
    const tokenHash = hashToken(token);
    const cached = this.tokens.get(tokenHash);
    if (cached) return cached;
    const version = this.tokens.version();
    const [row] = await this.em.getConnection().execute<{ id: string; name: string; role: Actor['role']; warehouses: string[]; expired_at: string | null; expires_ms: string | null }[]>(
      `SELECT u.id::text AS id, u.name, u.role, u.warehouses,
              CASE WHEN t.expires_at <= now() THEN to_char(t.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS expired_at,
              (extract(epoch FROM t.expires_at) * 1000)::bigint::text AS expires_ms
         FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active`,
      [tokenHash],
    );
    if (row?.expired_at) throw new UnauthenticatedError(`the API token expired at ${row.expired_at}; ask an administrator for a new one`, 'TOKEN_EXPIRED');
    if (!row) return null;
    const actor: Actor = { id: row.id, name: row.name, role: row.role, warehouses: row.warehouses };
    this.tokens.set(tokenHash, actor, version, row.expires_ms === null ? null : Number(row.expires_ms));
    return actor;
  }

  /** After any change of users or tokens: at once, and again once the request transaction it ran in commits. */
  private forgetTokens(): void {
    this.tokens.clear();
    afterRequestCommit(() => this.tokens.clear());
  }

  /** Creates a user and returns its token; the token is never shown again. */
  async create(actor: Actor | null, input: NewUser): Promise<{ user: UserView; token: string }> {
    if (actor) requireRole(actor, 'admin');
    const warehouses = input.warehouses ?? [];
    if (input.role === 'keeper' && warehouses.length === 0) {
      throw new ValidationError('a keeper needs at least one warehouse', [{ field: 'warehouses', reason: 'required for role keeper' }]);
    }
    if (input.role !== 'keeper' && warehouses.length > 0) {
      throw new ValidationError('only keepers are scoped to warehouses', [{ field: 'warehouses', reason: `not allowed for role ${input.role}` }]);
    }
    try {
      return await this.insert(input, warehouses);
    } catch (error) {
      // Two creations of one name racing past the check below: the unique index decides, the loser hears why.
      const pg = error as { code?: string; constraint?: string };
      if (pg.code === '23505' && pg.constraint === 'users_name_key') throw userExists(input.name);
      throw error;
    }
  }

  private insert(input: NewUser, warehouses: string[]): Promise<{ user: UserView; token: string }> {
    return inTransaction(this.em, async (tx) => {
      if (warehouses.length > 0) {
        const rows = await tx.execute<{ code: string }[]>('SELECT code FROM warehouses WHERE code = ANY(string_to_array(?, \',\'))', [warehouses.join(',')]);
        const known = new Set(rows.map((row) => row.code));
        const unknown = warehouses.filter((code) => !known.has(code));
        if (unknown.length) throw new ValidationError('unknown warehouses', unknown.map((code) => ({ field: 'warehouses', value: code, reason: 'no such warehouse' })));
      }
      if (await tx.count(User, { name: input.name })) throw userExists(input.name);
      const user = tx.create(User, { name: input.name, role: input.role, warehouses, active: true, createdAt: new Date() });
      const token = newToken();
      tx.create(ApiToken, { tokenHash: hashToken(token), user, createdAt: new Date(), expiresAt: expiryOf(input.tokenExpiresInDays) });
      await tx.flush();
      return { user: toUserView(user), token };
    });
  }

  /** Makes sure an admin holding exactly `token` exists (ADMIN_TOKEN at start-up). */
  async ensureAdminToken(token: string): Promise<void> {
    await inTransaction(this.em, async (tx) => {
      if (await tx.findOne(ApiToken, { tokenHash: hashToken(token) })) return;
      const admin = (await tx.findOne(User, { name: 'admin' })) ?? tx.create(User, { name: 'admin', role: 'admin', warehouses: [], active: true, createdAt: new Date() });
      tx.create(ApiToken, { tokenHash: hashToken(token), user: admin, createdAt: new Date() });
    });
  }

  /** On the very first start, creates an admin and returns its token (to print once). */
  async bootstrapAdmin(): Promise<string | null> {
    const em = forkOf(this.em);
    if ((await em.count(User, { role: 'admin' })) > 0) return null;
    const { token } = await this.create(null, { name: 'admin', role: 'admin' });
    return token;
  }

  async list(actor: Actor, page: { limit: number; offset: number }): Promise<{ items: UserView[]; total: number }> {
    requireRole(actor, 'admin');
    const [users, total] = await forkOf(this.em).findAndCount(User, {}, { orderBy: { id: 'asc' }, limit: page.limit, offset: page.offset });
    return { items: users.map(toUserView), total };
  }

  /** A new token for a user; the old ones stay valid unless `revokeOthers`. */
  async issueToken(actor: Actor | null, name: string, revokeOthers: boolean, expiresInDays?: number): Promise<string> {
    if (actor) requireRole(actor, 'admin');
    return inTransaction(this.em, async (tx) => {
      const user = await tx.findOne(User, { name });
      if (!user) throw new NotFoundError('user', name);
      if (revokeOthers) await tx.nativeUpdate(ApiToken, { user, revokedAt: null }, { revokedAt: new Date() });
      const token = newToken();
      tx.create(ApiToken, { tokenHash: hashToken(token), user, createdAt: new Date(), expiresAt: expiryOf(expiresInDays) });
      return token;
    }).finally(() => this.forgetTokens());
  }

  async setActive(actor: Actor | null, name: string, active: boolean): Promise<UserView> {
    if (actor) requireRole(actor, 'admin');
    return inTransaction(this.em, async (tx) => {
      const user = await tx.findOne(User, { name });
      if (!user) throw new NotFoundError('user', name);
      user.active = active;
      return toUserView(user);
    }).finally(() => this.forgetTokens());
  }
}
