/**
 * The key that signs ledger digests: Ed25519, kept where the database cannot reach it — a key file in
 * DATA_DIR beside (not inside) the PostgreSQL cluster, created on the first use, or LEDGER_SIGNING_KEY
 * (a PKCS#8 PEM, or the path of one).
 */
import { type KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SigningKey {
  keyId: string;
  publicKeyPem: string;
  sign(bytes: Buffer): string;
  verify(bytes: Buffer, signature: string): boolean;
}

export async function loadSigningKey(options: { signingKey?: string; keyFile: string }): Promise<SigningKey> {
  let pem: string;
  if (options.signingKey) {
    pem = options.signingKey.includes('BEGIN') ? options.signingKey : await readFile(options.signingKey, 'utf8').catch(() => {
      throw new Error(`LEDGER_SIGNING_KEY is neither a PEM key nor a readable file: ${options.signingKey}`);
    });
  } else if (existsSync(options.keyFile)) {
    pem = await readFile(options.keyFile, 'utf8');
  } else {
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await mkdir(dirname(options.keyFile), { recursive: true });
    await writeFile(options.keyFile, pem, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      pem = await readFile(options.keyFile, 'utf8'); // another process created it first
    });
  }
  return fromPem(pem);
}

function fromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the ledger signing key must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  const publicKey: KeyObject = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    keyId: createHash('sha256').update(der).digest('hex').slice(0, 16),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (bytes) => sign(null, bytes, privateKey).toString('base64'),
    verify: (bytes, signature) => {
      try {
        return verify(null, bytes, publicKey, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}
