/**
 * Ledger digests anchored outside the database. Sealing gives every movement not yet in the Merkle log
 * the next position (ledger_log, append-only), then signs the tree head of the log with a key the
 * database does not hold; the signed digest is returned (GET /ledger/digest) and, at every month-end
 * close and at least daily, appended to a log file outside the database. Verifying an earlier digest
 * recomputes each logged movement's leaf from the movement as it is now: the current ledger extends the
 * digest exactly when the first `size` leaves still hash to its root, and then an RFC 6962 consistency
 * proof from the digest to today's tree is returned. Otherwise the first movement that differs is named.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterRequestCommit, forkOf } from '../db/request-transaction.js';
import { inTransaction } from '../db/transaction.js';
import { type Actor, requireRole } from '../shared/actor.js';
import { ValidationError } from '../shared/errors.js';
import { type Hash, type TreeMemo, consistencyProof, treeHash, verifyConsistency } from './core/merkle.js';
import { type ChainHead, DIGEST_VERSION, type DigestStatement, type SignedDigest, headsSha256, signedBytes } from './core/statement.js';
import { type SigningKey, loadSigningKey } from './signing.js';

export const DIGEST_ROLES = ['admin', 'finance'] as const;

/** Serialises sealing: positions are handed out by one sealer at a time. */
const SEAL_LOCK_ID = 7262014;
const BATCH = 20_000;

/** A movement's leaf: SHA-256 of 0x00 || "<movement id>:<movement hash>" (RFC 6962 leaf), in SQL so log and recompute agree. */
const LEAF_SQL = (m: string) => `encode(sha256('\\x00'::bytea || convert_to(${m}.id::text || ':' || ${m}.hash, 'UTF8')), 'hex')`;

export interface DigestSettings {
  signingKey?: string;
  keyFile: string;
  logFile: string;
  everyMs: number;
}

export interface DigestProblem {
  kind: 'BAD_SIGNATURE' | 'OTHER_KEY' | 'HEADS_ALTERED' | 'LOG_SHORTER' | 'MOVEMENT_CHANGED' | 'MOVEMENT_MISSING' | 'LOG_ALTERED' | 'HEAD_CHANGED';
  message: string;
  position?: number;
  movement?: { id: string | null; category: string | null; sequence: string | null; document: string | null };
}

export interface DigestVerification {
  ok: boolean;
  digest: { size: number; root: string; issuedAt: string; keyId: string };
  current: { size: number; root: string };
  /** RFC 6962 consistency proof from the digest's tree to the current one (when it extends it). */
  proof: { from: number; to: number; hashes: string[]; verified: boolean } | null;
  firstDifference: DigestProblem | null;
  problems: DigestProblem[];
}

/** A position of the Merkle log; the movement's details (movement_id on) only when its leaf changed or it is gone. */
interface LogRow {
  position: string;
  movement_id: string | null;
  leaf: string;
  current: string | null;
  category: string | null;
  sequence: string | null;
  document: string | null;
}

export class LedgerDigestService {
  private key: Promise<SigningKey> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly em: EntityManager, private readonly settings: DigestSettings) {}

  private signingKey(): Promise<SigningKey> {
    this.key ??= loadSigningKey(this.settings).catch((error) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  /** Logs every movement not yet logged and signs the log's current tree head with the chain heads. */
  async current(actor: Actor | null): Promise<SignedDigest & { publicKey: string }> {
    if (actor) requireRole(actor, ...DIGEST_ROLES);
    const key = await this.signingKey();
    const { leaves, heads } = await inTransaction(this.em, async (tx) => {
      await tx.execute('SELECT pg_advisory_xact_lock(?::bigint)', [SEAL_LOCK_ID]);
      await tx.execute(`
        INSERT INTO ledger_log (position, movement_id, leaf)
        SELECT (SELECT coalesce(max(position), 0) FROM ledger_log) + row_number() OVER (ORDER BY m.recorded_at, m.category, m.sequence), m.id, ${LEAF_SQL('m')}
        FROM stock_movements m WHERE NOT EXISTS (SELECT 1 FROM ledger_log l WHERE l.movement_id = m.id)
        ORDER BY m.recorded_at, m.category, m.sequence`);
      const leaves: Hash[] = [];
      for (let after = 0; ; ) {
        const rows = await tx.execute<{ position: string; leaf: string }[]>('SELECT l.position::text, l.leaf FROM ledger_log l WHERE l.position > ? ORDER BY l.position LIMIT ?', [after, BATCH]);
        for (const row of rows) leaves.push(Buffer.from(row.leaf, 'hex'));
        if (rows.length < BATCH) break;
        after = Number(rows[rows.length - 1]!.position);
      }
      const heads = await tx.execute<ChainHead[]>(`SELECT category, last_sequence::text AS sequence, last_hash AS hash FROM stock_chains WHERE last_sequence > 0 ORDER BY category`);
      return { leaves, heads };
    });
    const statement: DigestStatement = {
      version: DIGEST_VERSION, size: leaves.length, root: treeHash(leaves).toString('hex'), headsSha256: headsSha256(heads), issuedAt: new Date().toISOString(),
    };
    return { ...statement, heads, keyId: key.keyId, signature: key.sign(signedBytes(statement)), publicKey: key.publicKeyPem };
  }

  /** Does the current ledger extend `digest`? Names the first movement that differs when it does not. */
  async verify(actor: Actor | null, digest: SignedDigest): Promise<DigestVerification> {
    if (actor) requireRole(actor, ...DIGEST_ROLES);
    const key = await this.signingKey();
    const problems: DigestProblem[] = [];
    const shape = { size: digest.size, root: digest.root, issuedAt: digest.issuedAt, keyId: digest.keyId };
    if (digest.keyId !== key.keyId) {
      problems.push({ kind: 'OTHER_KEY', message: `the digest was signed by key ${digest.keyId}, not by this service's key ${key.keyId}` });
    } else if (!key.verify(signedBytes(digest), digest.signature)) {
      problems.push({ kind: 'BAD_SIGNATURE', message: 'the digest\'s signature does not match its contents: the digest itself was altered' });
    }
    if (headsSha256(digest.heads) !== digest.headsSha256) {
      problems.push({ kind: 'HEADS_ALTERED', message: 'the chain heads listed with the digest are not the ones it signed' });
    }
    if (problems.length) return { ok: false, digest: shape, current: { size: 0, root: '' }, proof: null, firstDifference: problems[0]!, problems };

    const log = await this.scanLog();
    const { current } = log;
    const memo: TreeMemo = new Map();
    const currentRoot = treeHash(current, 0, current.length, memo);
    const result: DigestVerification = { ok: false, digest: shape, current: { size: current.length, root: currentRoot.toString('hex') }, proof: null, firstDifference: null, problems };

    if (log.gap && log.gap.index < digest.size) {
      problems.push({ kind: 'LOG_ALTERED', position: log.gap.index + 1, message: `position ${log.gap.index + 1} of the Merkle log was removed from the database (the log jumps to ${log.gap.position})` });
    }
    if (current.length < digest.size) {
      problems.push({ kind: 'LOG_SHORTER', position: current.length + 1, message: `the digest covers ${digest.size} movements but the log in the database holds only ${current.length}: movements from position ${current.length + 1} on were removed` });
    }
    const extendsDigest = current.length >= digest.size && treeHash(current, 0, digest.size, memo).toString('hex') === digest.root;
    if (extendsDigest) {
      const hashes = consistencyProof(current, digest.size, memo);
      result.proof = {
        from: digest.size, to: current.length, hashes: hashes.map((h) => h.toString('hex')),
        verified: verifyConsistency(digest.size, current.length, Buffer.from(digest.root, 'hex'), currentRoot, hashes),
      };
    } else {
      problems.push(...localise(log, digest));
    }
    problems.push(...(await this.headChanges(digest.heads)));
    result.ok = problems.length === 0 && result.proof?.verified === true;
    result.firstDifference = problems.find((p) => p.movement) ?? problems[0] ?? null;
    return result;
  }

  /** Each chain head the digest lists must still be that category's movement at that sequence. */
  private async headChanges(heads: ChainHead[]): Promise<DigestProblem[]> {
    if (heads.length === 0) return [];
    const rows = await forkOf(this.em).execute<{ category: string; sequence: string; hash: string | null; id: string | null; document: string | null }[]>(
      `SELECT h.category, h.sequence, m.hash, m.id::text, m.document_id::text AS document
       FROM jsonb_to_recordset(?::jsonb) AS h(category text, sequence text, hash text)
       LEFT JOIN stock_movements m ON m.category = h.category AND m.sequence = h.sequence::bigint
       WHERE m.hash IS DISTINCT FROM h.hash ORDER BY h.category`,
      [JSON.stringify(heads)],
    );
    return rows.map((r) => ({
      kind: 'HEAD_CHANGED' as const,
      movement: { id: r.id, category: r.category, sequence: r.sequence, document: r.document },
      message: r.hash === null
        ? `movement ${r.sequence} of ${r.category}, the head of its chain in the digest, is gone`
        : `movement ${r.sequence} of ${r.category}, the head of its chain in the digest, now has another hash`,
    }));
  }

  /** The Merkle log as sealed (stored leaves) and as the movements are now (current leaves), with its first gap and first mismatch. */
  private async scanLog(): Promise<LogScan> {
    const em = forkOf(this.em);
    const scan: LogScan = { stored: [], current: [], gap: null, mismatch: null };
    const [{ top }] = await em.execute<{ top: string }[]>('SELECT coalesce(max(position), 0)::text AS top FROM ledger_log');
    // Ranges of positions rather than OFFSET/LIMIT pages: each batch joins and hashes only its own rows.
    // The leaf is compared in SQL: a movement as it was sealed sends its stored leaf alone, and only one
    // that changed or is gone sends what names it.
    for (let after = 0; after < Number(top); after += BATCH) {
      // `d` holds the details of a changed or missing movement and is empty (all nulls) for an unchanged
      // one; movement_id is never null in the log, so a null there means unchanged.
      const batch = await em.execute<LogRow[]>(
        `SELECT l.position::text, l.leaf, d.movement_id, d.current, d.category, d.sequence, d.document
         FROM ledger_log l LEFT JOIN stock_movements m ON m.id = l.movement_id
              CROSS JOIN LATERAL (SELECT CASE WHEN m.id IS NULL THEN NULL ELSE ${LEAF_SQL('m')} END AS leaf) c
              LEFT JOIN LATERAL (SELECT l.movement_id::text AS movement_id, c.leaf AS current, m.category, m.sequence::text AS sequence, m.document_id::text AS document
                                 WHERE c.leaf IS DISTINCT FROM l.leaf) d ON true
         WHERE l.position > ? AND l.position <= ? ORDER BY l.position`,
        [after, after + BATCH],
      );
      for (const row of batch) {
        const index = scan.stored.length;
        if (!scan.gap && Number(row.position) !== index + 1) scan.gap = { index, position: row.position };
        const stored = Buffer.from(row.leaf, 'hex');
        scan.stored.push(stored);
        if (row.movement_id === null) {
          scan.current.push(stored);
          continue;
        }
        if (!scan.mismatch) scan.mismatch = { index, row };
        scan.current.push(row.current === null ? MISSING : Buffer.from(row.current, 'hex'));
      }
    }
    return scan;
  }

  /**
   * Seals a digest and appends it to the log file outside the database, with whether it extends the
   * previous entry (a `false` there is the alarm: the ledger was rewritten since).
   */
  async append(reason: string): Promise<{ file: string; digest: SignedDigest; extendsPrevious: boolean | null }> {
    const digest = await this.current(null);
    const previous = await this.lastLogged();
    let extendsPrevious: boolean | null = null;
    let problems: DigestProblem[] = [];
    if (previous) {
      const check = await this.verify(null, previous);
      extendsPrevious = check.ok;
      problems = check.problems;
    }
    const { publicKey: _omit, ...entry } = digest as SignedDigest & { publicKey?: string };
    await mkdir(dirname(this.settings.logFile), { recursive: true });
    await appendFile(this.settings.logFile, `${JSON.stringify({ reason, extendsPrevious, ...(problems.length ? { problems } : {}), ...entry })}\n`, { mode: 0o600 });
    return { file: this.settings.logFile, digest: entry, extendsPrevious };
  }

  /**
   * Appends a digest once the request's transaction has committed (a month-end close): inside a keyed
   * request after its commit, otherwise now. A failure is reported, never undoes what was done.
   */
  async appendAfterCommit(reason: string, onError: (error: unknown) => void): Promise<void> {
    const seal = () => this.append(reason).then((appended) => alarm(appended, onError), onError);
    if (!afterRequestCommit(() => void seal())) await seal();
  }

  /** The newest digest in the log file, if any. */
  async lastLogged(): Promise<(SignedDigest & { reason?: string }) | null> {
    const text = await readFile(this.settings.logFile, 'utf8').catch(() => '');
    const lines = text.split('\n').filter((line) => line.trim());
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        return parseDigest(JSON.parse(lines[i]!));
      } catch {
        // a torn last line (crash while appending): the one before it counts
      }
    }
    return null;
  }

  /** Appends a digest when the newest one in the log is older than the interval; checked hourly and at start. */
  startSchedule(onError: (error: unknown) => void): void {
    const due = async () => {
      const last = await this.lastLogged();
      if (!last || Date.now() - Date.parse(last.issuedAt) >= this.settings.everyMs) alarm(await this.append('scheduled'), onError);
    };
    const run = () => void due().catch(onError);
    run();
    this.timer = setInterval(run, Math.min(this.settings.everyMs, 3_600_000));
    this.timer.unref();
  }

  stopSchedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

interface LogScan {
  stored: Hash[];
  current: Hash[];
  gap: { index: number; position: string } | null;
  mismatch: { index: number; row: LogRow } | null;
}

/** The first logged movement whose leaf differs from the one the digest's tree was built from. */
function localise(log: LogScan, digest: SignedDigest): DigestProblem[] {
  const trusted = log.stored.length >= digest.size && treeHash(log.stored.slice(0, digest.size)).toString('hex') === digest.root;
  const found = log.mismatch && log.mismatch.index < digest.size ? log.mismatch : null;
  if (!found) {
    return trusted ? [] : [{ kind: 'LOG_ALTERED', message: `the Merkle log in the database no longer hashes to the digest's root: it was rewritten within its first ${digest.size} positions` }];
  }
  const { index, row: r } = found;
  const movement = { id: r.movement_id, category: r.category, sequence: r.sequence, document: r.document };
  const where = r.current === null
    ? `movement ${r.movement_id} (position ${index + 1} of the log) is gone from the ledger`
    : `movement ${r.sequence} of ${r.category} (document ${r.document}, position ${index + 1} of the log) is not what it was when the digest was sealed: its hash was recomputed`;
  return [{ kind: r.current === null ? 'MOVEMENT_MISSING' : 'MOVEMENT_CHANGED', position: index + 1, movement, message: trusted ? where : `${where} (the log in the database was altered as well)` }];
}

/** A new digest that does not extend the previous one in the log is the alarm: the ledger was rewritten in between. */
function alarm(appended: { extendsPrevious: boolean | null; file: string }, report: (error: unknown) => void): void {
  if (appended.extendsPrevious === false) {
    report(new Error(`the ledger no longer extends the previous digest in ${appended.file}: it was changed behind the service; see the entry's problems`));
  }
}

/** A leaf that cannot occur: the movement is gone. */
const MISSING: Hash = Buffer.alloc(32, 0);

/** A digest as sent back to us (body or file): shape-checked, every field named on refusal. */
export function parseDigest(value: unknown): SignedDigest {
  const d = value as Record<string, unknown> | null;
  const problems: { field: string; reason: string }[] = [];
  const need = (field: string, ok: boolean, reason: string) => ok || problems.push({ field: `digest.${field}`, reason });
  if (typeof d !== 'object' || d === null) throw new ValidationError('the digest is not an object', [{ field: 'digest', reason: 'an object as GET /ledger/digest returned it' }]);
  need('version', d.version === DIGEST_VERSION, `must be ${DIGEST_VERSION}`);
  need('size', Number.isSafeInteger(d.size) && (d.size as number) >= 0, 'a whole number ≥ 0');
  need('root', typeof d.root === 'string' && /^[0-9a-f]{64}$/.test(d.root), '64 hex digits');
  need('headsSha256', typeof d.headsSha256 === 'string' && /^[0-9a-f]{64}$/.test(d.headsSha256), '64 hex digits');
  need('issuedAt', typeof d.issuedAt === 'string' && !Number.isNaN(Date.parse(d.issuedAt)), 'an ISO timestamp');
  need('keyId', typeof d.keyId === 'string' && /^[0-9a-f]{16}$/.test(d.keyId), '16 hex digits');
  need('signature', typeof d.signature === 'string' && d.signature.length > 0 && d.signature.length < 200, 'base64');
  const heads = d.heads;
  need('heads', Array.isArray(heads) && heads.every((h) => typeof h?.category === 'string' && typeof h?.sequence === 'string' && /^[0-9]{1,18}$/.test(h.sequence) && typeof h?.hash === 'string'), 'a list of {category, sequence, hash}');
  if (problems.length) throw new ValidationError('the digest is not one this service issued', problems);
  return {
    version: DIGEST_VERSION, size: d.size as number, root: d.root as string, headsSha256: d.headsSha256 as string, issuedAt: d.issuedAt as string,
    keyId: d.keyId as string, signature: d.signature as string,
    heads: (heads as ChainHead[]).map((h) => ({ category: h.category, sequence: h.sequence, hash: h.hash })),
  };
}
