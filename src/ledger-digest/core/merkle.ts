/**
 * A Merkle log over the ledger's movements, as Certificate Transparency keeps its log (RFC 6962 §2.1,
 * the algorithms restated in RFC 9162 §2.1): leaves are hashed with a 0x00 prefix, inner nodes with
 * 0x01, the tree of n leaves splits at the largest power of two below n. A consistency proof shows in
 * O(log n) hashes that the tree of n leaves begins with the tree of m leaves: the ledger of today
 * extends the one an earlier signed digest named, nothing before it changed, removed or reordered.
 * Pure: no I/O.
 */
import { createHash } from 'node:crypto';

export type Hash = Buffer;

const sha256 = (...parts: Buffer[]): Hash => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** The leaf hash of one entry's data. */
export const leafHash = (data: Buffer | string): Hash => sha256(LEAF, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

export const nodeHash = (left: Hash, right: Hash): Hash => sha256(NODE, left, right);

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Subtree hashes already computed for one list of leaves, keyed by range: a root, an older root and a proof share most nodes. */
export type TreeMemo = Map<number, Hash>;

/** MTH of leaves[from, to) given their leaf hashes; the empty tree is SHA-256 of nothing. */
export function treeHash(leaves: readonly Hash[], from = 0, to = leaves.length, memo?: TreeMemo): Hash {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return leaves[from]!;
  const key = from * 2 ** 26 + n; // exact while from and n stay below 2^26 (67 million leaves)
  const known = memo?.get(key);
  if (known) return known;
  const k = split(n);
  const hash = nodeHash(treeHash(leaves, from, from + k, memo), treeHash(leaves, from + k, to, memo));
  memo?.set(key, hash);
  return hash;
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2: the hashes that prove the first m leaves are a prefix of all n. */
export function consistencyProof(leaves: readonly Hash[], m: number, memo?: TreeMemo): Hash[] {
  const n = leaves.length;
  if (!Number.isInteger(m) || m < 0 || m > n) throw new RangeError(`a proof from size ${m} needs 0 ≤ m ≤ ${n}`);
  if (m === 0 || m === n) return [];
  return subproof(leaves, m, 0, n, true, memo);
}

function subproof(leaves: readonly Hash[], m: number, from: number, to: number, complete: boolean, memo?: TreeMemo): Hash[] {
  const n = to - from;
  if (m === n) return complete ? [] : [treeHash(leaves, from, to, memo)];
  const k = split(n);
  if (m <= k) return [...subproof(leaves, m, from, from + k, complete, memo), treeHash(leaves, from + k, to, memo)];
  return [...subproof(leaves, m - k, from + k, to, false, memo), treeHash(leaves, from, from + k, memo)];
}

/** Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree (m, firstRoot) is a prefix of (n, secondRoot). */
export function verifyConsistency(m: number, n: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || m > n) return false;
  if (m === n) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [firstRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** The first leaf in which two leaf lists differ within the first m (m when they agree there). */
export function firstDifference(expected: readonly Hash[], actual: readonly Hash[], m: number): number {
  const limit = Math.min(m, expected.length, actual.length);
  for (let i = 0; i < limit; i++) if (!expected[i]!.equals(actual[i]!)) return i;
  return limit;
}
