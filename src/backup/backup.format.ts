/**
 * The backup file, a container simple enough to read with a hex editor:
 *
 *   "RELIEF-BACKUP/1\n"                      16 bytes, so a stray file is recognised at once
 *   gzip stream of frames                    per table: T {name, columns} · D <COPY text bytes>… · E {rows, sha256}
 *   manifest                                 UTF-8 JSON (see BackupManifest), known only at the end
 *   footer                                   "RELIEF-BACKUP/1 manifest-bytes=<12 digits> sha256=<64 hex>\n"
 *
 * The footer's SHA-256 covers every byte before it (magic, body and manifest), so one changed byte
 * anywhere, or a file cut short (no footer), is refused before a restore writes anything. The manifest
 * sits at the end because row counts and checksums are only known once the snapshot has been read; the
 * fixed-size footer lets a reader find it without reading the body.
 * A frame is 1 type byte, a 4-byte big-endian length and the payload.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export const MAGIC = Buffer.from('RELIEF-BACKUP/1\n', 'ascii');
export const FORMAT = 'relief-backup/1';
const FOOTER_PATTERN = /^RELIEF-BACKUP\/1 manifest-bytes=(\d{12}) sha256=([0-9a-f]{64})\n$/;
export const FOOTER_BYTES = 'RELIEF-BACKUP/1 manifest-bytes= sha256=\n'.length + 12 + 64;

export interface TableManifest {
  name: string;
  /** The columns written, in order (generated columns are left out: PostgreSQL recomputes them). */
  columns: string[];
  rows: number;
  /** SHA-256 of the table's COPY text, checked again as it is loaded. */
  sha256: string;
}

export interface ChainHead {
  category: string;
  lastSequence: string;
  lastHash: string;
}

export interface BackupManifest {
  format: typeof FORMAT;
  /** When the snapshot was taken: everything committed before this is in the file, nothing after it. */
  snapshotAt: string;
  finishedAt: string;
  postgresVersion: string;
  /** The schema version: the migrations applied to the database backed up, in order. */
  migrations: string[];
  tables: TableManifest[];
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
  ledger: {
    /** Heads of every chain that has movements; the others are still at the genesis hash. */
    chainHeads: ChainHead[];
    chains: number;
    /** SHA-256 over every row of stock_chains (category, last_sequence, last_hash), genesis heads included. */
    chainHeadsSha256: string;
    /**
     * The latest signed ledger digest. The service does not sign digests yet, so this is always null;
     * once it does, the restore will compare it too.
     */
    signedDigest: null;
  };
  compression: 'gzip';
}

/** A manifest with the checksum of the file it came from (the footer's, which covers the manifest too). */
export type SealedManifest = BackupManifest & { sha256: string; bytes: number };

export function footer(manifestBytes: number, sha256: string): Buffer {
  const text = `RELIEF-BACKUP/1 manifest-bytes=${String(manifestBytes).padStart(12, '0')} sha256=${sha256}\n`;
  if (text.length !== FOOTER_BYTES) throw new Error('assertion failed: footer length');
  return Buffer.from(text, 'ascii');
}

export type FrameType = 'T' | 'D' | 'E';

export function frame(type: FrameType, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export class BackupRefused extends Error {
  constructor(file: string, why: string) {
    super(`${file} is not restorable: ${why}. Nothing was written.`);
    this.name = 'BackupRefused';
  }
}

export interface BackupLayout {
  manifest: BackupManifest;
  size: number;
  /** Byte range of the gzip body. */
  bodyStart: number;
  bodyEnd: number;
  sha256: string;
}

/** Reads the footer and the manifest (cheap: the end of the file only). Does not check the checksum. */
export async function readLayout(file: string): Promise<BackupLayout> {
  const size = (await stat(file)).size;
  if (size < MAGIC.length + FOOTER_BYTES) throw new BackupRefused(file, `it has only ${size} bytes: truncated, or not a backup`);
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(MAGIC.length);
    await handle.read(magic, 0, magic.length, 0);
    if (!magic.equals(MAGIC)) throw new BackupRefused(file, 'it does not start with RELIEF-BACKUP/1: not a backup of this service');
    const tail = Buffer.alloc(FOOTER_BYTES);
    await handle.read(tail, 0, FOOTER_BYTES, size - FOOTER_BYTES);
    const match = FOOTER_PATTERN.exec(tail.toString('latin1'));
    if (!match) throw new BackupRefused(file, 'its closing record is missing or damaged: the file was truncated (an interrupted copy?) or altered');
    const manifestBytes = Number(match[1]);
    const bodyEnd = size - FOOTER_BYTES - manifestBytes;
    if (bodyEnd <= MAGIC.length) throw new BackupRefused(file, 'its closing record names a manifest longer than the file: truncated or altered');
    const raw = Buffer.alloc(manifestBytes);
    await handle.read(raw, 0, manifestBytes, bodyEnd);
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(raw.toString('utf8')) as BackupManifest;
    } catch {
      throw new BackupRefused(file, 'its manifest is not readable JSON: the file was altered');
    }
    return { manifest, size, bodyStart: MAGIC.length, bodyEnd, sha256: match[2]! };
  } finally {
    await handle.close();
  }
}

/**
 * The whole file's checksum against its footer, then the manifest's own sanity. Reads every byte once;
 * a restore calls this before it creates anything.
 */
export async function verifyBackupFile(file: string, onBytes?: (done: number, total: number) => void): Promise<BackupLayout> {
  const layout = await readLayout(file);
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(file, { start: 0, end: layout.size - FOOTER_BYTES - 1, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done, layout.size);
  }
  const actual = hash.digest('hex');
  if (actual !== layout.sha256) {
    throw new BackupRefused(file, `it is damaged: its content has SHA-256 ${actual}, but the backup recorded ${layout.sha256}`);
  }
  const m = layout.manifest;
  if (m.format !== FORMAT) throw new BackupRefused(file, `it is in format ${String(m.format)}; this service reads ${FORMAT}`);
  if (!Array.isArray(m.tables) || !Array.isArray(m.migrations) || !m.ledger) throw new BackupRefused(file, 'its manifest lacks tables, migrations or ledger');
  return layout;
}

export function sealed(layout: BackupLayout): SealedManifest {
  return { ...layout.manifest, sha256: layout.sha256, bytes: layout.size };
}

/**
 * Splits the decompressed body into frames. Yields whole frames; a body that ends inside a frame is an
 * error (cannot happen after the checksum passed, unless the file changed between the two reads).
 */
export async function* readFrames(body: AsyncIterable<Buffer>): AsyncGenerator<{ type: FrameType; payload: Buffer }> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (pending.length - offset >= 5) {
      const length = pending.readUInt32BE(offset + 1);
      if (pending.length - offset < 5 + length) break;
      const type = pending.toString('ascii', offset, offset + 1) as FrameType;
      if (type !== 'T' && type !== 'D' && type !== 'E') throw new Error(`backup body: unknown frame type ${JSON.stringify(type)}`);
      yield { type, payload: pending.subarray(offset + 5, offset + 5 + length) };
      offset += 5 + length;
    }
    pending = pending.subarray(offset);
  }
  if (pending.length) throw new Error('backup body ends inside a frame');
}
