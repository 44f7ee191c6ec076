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
