import { z } from 'zod';
import { DIGEST_ROLES, parseDigest } from '../../ledger-digest/index.js';
import type { Services } from '../../services.js';
import { ok, route } from '../route.js';
import { LedgerDigest, LedgerVerifyWithDigest } from '../replies/stock.replies.js';

/** The ledger's signed digests and the verification against an earlier one. */
export function digestRoutes({ stock, ledgerDigest }: Services) {
  return [
    route({
      method: 'get', path: '/ledger/digest', tag: 'ledger', roles: DIGEST_ROLES,
      summary: 'The current chain heads and the Merkle log\'s tree head, signed with a key the database does not hold; keep it to prove later that nothing before it changed',
      reply: LedgerDigest, responses: { 200: '{version, size, root, headsSha256, issuedAt, heads: [{category, sequence, hash}], keyId, signature, publicKey}' },
      handle: async ({ actor }) => ok(await ledgerDigest.current(actor)),
    }),
    route({
      method: 'post', path: '/ledger/verify', tag: 'ledger', roles: DIGEST_ROLES,
      summary: 'Recompute every hash chain; with {digest} (an earlier GET /ledger/digest) also prove the current ledger extends it, or name the first movement that differs',
      body: z.object({ digest: z.unknown().optional() }).strict(),
      reply: LedgerVerifyWithDigest, responses: { 200: '{ok, chains, movements, problems, digest?: {ok, digest, current, proof, firstDifference, problems}}', 422: 'a digest of the wrong shape' },
      handle: async ({ actor, body }) => {
        const chains = await stock.verify(actor);
        if (body.digest === undefined) return ok(chains);
        const digest = await ledgerDigest.verify(actor, parseDigest(body.digest));
        return ok({ ...chains, ok: chains.ok && digest.ok, digest });
      },
    }),
  ];
}
