/**
 * A Merkle log over the ledger's movements, as Certificate Transparency keeps its log (RFC 6962 §2.1,
 * the algorithms restated in RFC 9162 §2.1): leaves are hashed with a 0x00 prefix, inner nodes with
 * 0x01, the tree of n leaves splits at the largest power of two below n. A consistency proof shows in
 * O(log n) hashes that the tree of n leaves begins with the tree of m leaves: the ledger of today
 * extends the one an earlier signed digest named, nothing before it changed, removed or reordered.
 * Pure: no I/O.
 */
import { hash } from 'node:crypto';

export type Hash = Buffer;

const sha256 = (data: Buffer): Hash => hash('sha256', data, 'buffer');

/** The leaf hash of one entry's data. */
export const leafHash = (data: Buffer | string): Hash => sha256(Buffer.concat([Buffer.from([0x00]), typeof data === 'string' ? Buffer.from(data, 'utf8') : data]));

/** 0x01 || left || right, assembled in one reused buffer: a tree of a million leaves hashes a million inner nodes. */
const inner = Buffer.alloc(65, 0x01);
export const nodeHash = (left: Hash, right: Hash): Hash => {
  if (left.length !== 32 || right.length !== 32) throw new RangeError('a node joins two SHA-256 hashes of 32 bytes');
  left.copy(inner, 1);
  right.copy(inner, 33);
  return sha256(inner);
};

/** Subtrees smaller than this are not kept in a memo: recomputing one is cheaper than keeping them all. */
const MEMO_MIN_LEAVES = 64;

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
  if (n === 0) return sha256(Buffer.alloc(0));
  if (n === 1) return leaves[from]!;
  const kept = memo && n >= MEMO_MIN_LEAVES ? memo : undefined;
  const key = from * 2 ** 26 + n; // exact while from and n stay below 2^26 (67 million leaves)
  const known = kept?.get(key);
  if (known) return known;
  const k = split(n);
  const node = nodeHash(treeHash(leaves, from, from + k, memo), treeHash(leaves, from + k, to, memo));
  kept?.set(key, node);
  return node;
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
