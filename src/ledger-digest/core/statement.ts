/**
 * What a ledger digest says, and the exact bytes that are signed. Pure: no I/O.
 */
import { createHash } from 'node:crypto';

export const DIGEST_VERSION = 'relief-ledger-digest/v1';

/** One chain head: the category's newest movement when the digest was sealed. */
export interface ChainHead {
  category: string;
  sequence: string;
  hash: string;
}

export interface DigestStatement {
  version: typeof DIGEST_VERSION;
  /** Leaves in the Merkle log (movements, in log order). */
  size: number;
  /** RFC 6962 tree head of those leaves, hex. */
  root: string;
  /** SHA-256 over the chain heads listed with the digest. */
  headsSha256: string;
  issuedAt: string;
}

export interface SignedDigest extends DigestStatement {
  heads: ChainHead[];
  /** First 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  keyId: string;
  /** Ed25519 signature over signedBytes(statement), base64. */
  signature: string;
}

export function headsSha256(heads: readonly ChainHead[]): string {
  const text = [...heads]
    .sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
    .map((h) => `${h.category}\t${h.sequence}\t${h.hash}\n`)
    .join('');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The signed bytes: one line per field, in a fixed order, so no JSON formatting question arises. */
export function signedBytes(s: DigestStatement): Buffer {
  return Buffer.from(`${s.version}\nsize=${s.size}\nroot=${s.root}\nheads=${s.headsSha256}\nissuedAt=${s.issuedAt}\n`, 'utf8');
}
