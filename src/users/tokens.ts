import { createHash, randomBytes } from 'node:crypto';

/** Tokens carry a recognisable prefix so a leaked one is easy to spot in logs and code. */
const PREFIX = 'rl_';

export function newToken(): string {
  return PREFIX + randomBytes(24).toString('base64url');
}

/** Only this hash is stored; a token cannot be recovered from the database. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** How long a token → actor lookup is reused: the bound on a change made outside this process (the CLI, another instance). */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_ENTRIES = 10_000;

/**
 * Token → actor lookups, reused briefly so an authenticated request costs no database round trip.
 * Every change of users or tokens made through this process clears it at once (and again when the
 * request transaction that made it commits); a lookup that started before a clear is not stored, so
 * it cannot bring back what the clear removed. Changes made elsewhere are seen within TOKEN_CACHE_MS.
 */
export class TokenCache<A> {
  private readonly entries = new Map<string, { actor: A; until: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs = TOKEN_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(tokenHash: string): A | undefined {
    const entry = this.entries.get(tokenHash);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.actor;
    this.entries.delete(tokenHash);
    return undefined;
  }

  /** Taken before the lookup; pass it to `set`. */
  version(): number {
    return this.generation;
  }

  /** Stores a lookup made since `version`, for at most the TTL and never past the token's own expiry. */
  set(tokenHash: string, actor: A, version: number, expiresAt: number | null): void {
    if (version !== this.generation) return;
    if (this.entries.size >= TOKEN_CACHE_ENTRIES) this.entries.clear();
    const until = Math.min(this.now() + this.ttlMs, expiresAt ?? Number.POSITIVE_INFINITY);
    this.entries.set(tokenHash, { actor, until });
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
