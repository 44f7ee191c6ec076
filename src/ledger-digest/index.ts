export { DIGEST_ROLES, type DigestVerification, LedgerDigestService, parseDigest } from './digest.service.js';
export type { SignedDigest } from './core/statement.js';
