// Proves the digest signing key: created once as an Ed25519 key file (mode 600) and reused, or taken from LEDGER_SIGNING_KEY as PEM text or a file path; a signature verifies only for the bytes it signed, another key is told apart by its id, and a key of another type is refused.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_VERSION, headsSha256, signedBytes } from '../../../src/ledger-digest/core/statement.js';
import { loadSigningKey } from '../../../src/ledger-digest/signing.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-signing-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const statement = { version: DIGEST_VERSION, size: 3, root: 'a'.repeat(64), headsSha256: headsSha256([]), issuedAt: '2026-12-01T00:00:00.000Z' } as const;

describe('the ledger signing key', () => {
  it('is created on first use as a private key file only the owner reads, and the same key is used after', async () => {
    const keyFile = join(dir, 'first', 'ledger-signing-key.pem');
    const first = await loadSigningKey({ keyFile });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey({ keyFile });
    expect(again.keyId).toBe(first.keyId);
    const signature = first.sign(signedBytes(statement));
    expect(again.verify(signedBytes(statement), signature)).toBe(true);
    expect(again.verify(signedBytes({ ...statement, size: 4 }), signature)).toBe(false);
    expect(again.verify(signedBytes(statement), 'not base64 at all')).toBe(false);
  });

  it('comes from LEDGER_SIGNING_KEY as PEM text or a path; another key has another id; an RSA key is refused', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const fromText = await loadSigningKey({ signingKey: pem, keyFile: join(dir, 'unused.pem') });
    const path = join(dir, 'given.pem');
    await writeFile(path, pem);
    const fromPath = await loadSigningKey({ signingKey: path, keyFile: join(dir, 'unused.pem') });
    expect(fromPath.keyId).toBe(fromText.keyId);
    const other = await loadSigningKey({ keyFile: join(dir, 'other.pem') });
    expect(other.keyId).not.toBe(fromText.keyId);
    expect(other.verify(signedBytes(statement), fromText.sign(signedBytes(statement)))).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadSigningKey({ signingKey: rsa, keyFile: join(dir, 'x.pem') })).rejects.toThrow(/Ed25519/);
    await expect(loadSigningKey({ signingKey: join(dir, 'missing.pem'), keyFile: join(dir, 'x.pem') })).rejects.toThrow(/LEDGER_SIGNING_KEY/);
  });
});
