import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Actor, NotFoundError, UnauthenticatedError, requireRole } from '../shared/index.js';
import { forkOf } from '../db/request-transaction.js';
import { hashToken } from './tokens.js';

export const passwordSchema = z.string().min(8, 'at least 8 characters').max(200);
export const signInSchema = z.object({ name: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) }).strict();

/** argon2id with the library's defaults (19 MiB, 2 passes): about 30 ms here, enough to make guessing slow. */
export const hashPassword = (password: string): Promise<string> => hash(password);

/** Compared when the name is unknown, so a wrong name takes as long as a wrong password. */
let dummyHash: Promise<string> | null = null;

export interface SessionGrant {
  /** The cookie value; only its hash is stored. */
  session: string;
  csrfToken: string;
  actor: Actor;
}

export interface SessionActor {
  actor: Actor;
  csrfToken: string;
}

const SESSION_PREFIX = 'rs_';

/** True when both strings are equal, in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Browser sessions for the console. A session gives exactly the actor a token of the same user gives
 * (role, warehouses), so every rule in the services applies unchanged; it ends on sign-out, when its user
 * is deactivated, or after `idleMs` without a request.
 */
export class SessionsService {
  constructor(private readonly em: EntityManager, private readonly idleMs: number) {}

  async signIn(name: string, password: string): Promise<SessionGrant> {
    const conn = forkOf(this.em).getConnection();
    const [row] = await conn.execute<{ id: string; name: string; role: Actor['role']; warehouses: string[]; password_hash: string | null }[]>(
      'SELECT id::text AS id, name, role, warehouses, password_hash FROM users WHERE name = ? AND active', [name],
    );
    const stored = row?.password_hash ?? (await (dummyHash ??= hashPassword(randomBytes(16).toString('hex'))));
    const good = await verify(stored, password).catch(() => false);
    if (!row?.password_hash || !good) throw new UnauthenticatedError('the name or password is wrong', 'SIGN_IN_FAILED');
    const session = SESSION_PREFIX + randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await conn.execute('INSERT INTO sessions (id_hash, user_id, csrf_token) VALUES (?, ?, ?)', [hashToken(session), row.id, csrfToken]);
    return { session, csrfToken, actor: { id: row.id, name: row.name, role: row.role, warehouses: row.warehouses } };
  }

  /** The actor of a live session, touching its idle clock; null when unknown, signed out, idle too long or its user inactive. */
  async authenticate(session: string): Promise<SessionActor | null> {
    const [row] = await forkOf(this.em).getConnection().execute<{ id: string; name: string; role: Actor['role']; warehouses: string[]; csrf_token: string }[]>(
      `UPDATE sessions s SET last_seen_at = now()
         FROM users u
        WHERE s.id_hash = ? AND u.id = s.user_id AND u.active AND s.ended_at IS NULL
          AND s.last_seen_at > now() - make_interval(secs => ?)
       RETURNING u.id::text AS id, u.name, u.role, u.warehouses, s.csrf_token`,
      [hashToken(session), this.idleMs / 1000],
    );
    return row ? { actor: { id: row.id, name: row.name, role: row.role, warehouses: row.warehouses }, csrfToken: row.csrf_token } : null;
  }

  async signOut(session: string): Promise<void> {
    await forkOf(this.em).getConnection().execute('UPDATE sessions SET ended_at = now() WHERE id_hash = ? AND ended_at IS NULL', [hashToken(session)]);
  }

  /** Sets or resets a user's password (admins; `null` actor = the CLI); the user's open sessions end. */
  async setPassword(actor: Actor | null, name: string, password: string): Promise<{ name: string; passwordSet: true; sessionsEnded: number }> {
    if (actor) requireRole(actor, 'admin');
    passwordSchema.parse(password);
    const passwordHash = await hashPassword(password);
    const conn = forkOf(this.em).getConnection();
    const [user] = await conn.execute<{ id: string }[]>('UPDATE users SET password_hash = ? WHERE name = ? RETURNING id::text AS id', [passwordHash, name]);
    if (!user) throw new NotFoundError('user', name);
    const ended = await conn.execute<{ id_hash: string }[]>('UPDATE sessions SET ended_at = now() WHERE user_id = ? AND ended_at IS NULL RETURNING id_hash', [user.id]);
    return { name, passwordSet: true, sessionsEnded: ended.length };
  }
}
