// Proves the Merkle log gives Certificate Transparency's reference tree heads and consistency proofs (RFC 6962), that every proof between sizes verifies, and that a rewritten leaf, a wrong root or a bent proof does not.
import { describe, expect, it } from 'vitest';
import { consistencyProof, leafHash, nodeHash, treeHash, verifyConsistency } from '../../../src/ledger-digest/core/merkle.js';

const hex = (b: Buffer) => b.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

// Certificate Transparency's reference tree (RFC 6962 test data).
const DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const LEAVES = DATA.map(leafHash);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CONSISTENCY = [
  { m: 1, n: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { m: 6, n: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { m: 2, n: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

describe('Merkle log (RFC 6962)', () => {
  it('gives the reference tree heads for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(treeHash(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('gives the reference consistency proofs, and they verify', () => {
    for (const { m, n, proof } of CONSISTENCY) {
      const made = consistencyProof(LEAVES.slice(0, n), m);
      expect(made.map(hex), `${m} → ${n}`).toEqual(proof);
      expect(verifyConsistency(m, n, unhex(ROOTS[m]!), unhex(ROOTS[n]!), made)).toBe(true);
    }
  });

  const many = Array.from({ length: 40 }, (_, i) => leafHash(`movement ${i}`));

  it('every proof between every pair of sizes up to 40 verifies', () => {
    for (let n = 0; n <= many.length; n++) {
      const tree = many.slice(0, n);
      const root = treeHash(tree);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(tree, m);
        expect(verifyConsistency(m, n, treeHash(tree.slice(0, m)), root, proof), `${m} → ${n}`).toBe(true);
        expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(Math.max(n, 2))));
      }
    }
  });

  it('a changed leaf before the earlier size, a wrong root or a changed proof hash is refused', () => {
    for (let n = 2; n <= 20; n++) {
      const tree = many.slice(0, n);
      for (let m = 1; m < n; m++) {
        const oldRoot = treeHash(tree.slice(0, m));
        for (let i = 0; i < m; i++) {
          // The recompute attack: leaf i rewritten, the new tree and its proof built honestly from it.
          const forged = [...tree];
          forged[i] = leafHash(`forged ${i}`);
          expect(verifyConsistency(m, n, oldRoot, treeHash(forged), consistencyProof(forged, m)), `leaf ${i} of ${m} → ${n}`).toBe(false);
        }
        const proof = consistencyProof(tree, m);
        const root = treeHash(tree);
        expect(verifyConsistency(m, n, oldRoot, leafHash('x'), proof)).toBe(false);
        expect(verifyConsistency(m, n, leafHash('x'), root, proof)).toBe(false);
        for (let j = 0; j < proof.length; j++) {
          const bent = proof.map((h, k) => (k === j ? leafHash('bent') : h));
          expect(verifyConsistency(m, n, oldRoot, root, bent), `proof hash ${j} of ${m} → ${n}`).toBe(false);
        }
        expect(verifyConsistency(m, n, oldRoot, root, proof.slice(0, -1))).toBe(false);
      }
    }
  });

  it('one memo of subtree hashes shared by the current root, an older root and the proof changes none of them', () => {
    // Large enough that subtrees are kept (the memo keeps those of 64 leaves and more).
    const tree = Array.from({ length: 150 }, (_, i) => leafHash(`movement ${i}`));
    const memo = new Map();
    expect(treeHash(tree, 0, 150, memo)).toEqual(treeHash(tree));
    for (let m = 0; m <= 150; m++) {
      expect(treeHash(tree, 0, m, memo), `root ${m}`).toEqual(treeHash(tree.slice(0, m)));
      expect(consistencyProof(tree, m, memo), `proof ${m}`).toEqual(consistencyProof(tree, m));
    }
    expect(memo.size).toBeGreaterThan(0);
  });

  it('joins only two 32-byte hashes, and the buffer it reuses leaks nothing from one node into the next', () => {
    const [a, b, c] = [leafHash('a'), leafHash('b'), leafHash('c')];
    expect(() => nodeHash(a.subarray(0, 31), b)).toThrow(RangeError);
    expect(() => nodeHash(a, Buffer.concat([b, c]))).toThrow(RangeError);
    const ab = nodeHash(a, b);
    nodeHash(c, c);
    expect(nodeHash(a, b)).toEqual(ab);
    expect(ab).not.toBe(nodeHash(a, b));
  });

  it('a tree shorter than the earlier one, or an empty proof between different sizes, proves nothing', () => {
    const tree = many.slice(0, 5);
    expect(verifyConsistency(5, 4, treeHash(tree), treeHash(tree.slice(0, 4)), [])).toBe(false);
    expect(verifyConsistency(3, 5, treeHash(tree.slice(0, 3)), treeHash(tree), [])).toBe(false);
    expect(verifyConsistency(0, 5, treeHash([]), treeHash(tree), [])).toBe(true);
    expect(() => consistencyProof(tree, 6)).toThrow(RangeError);
  });
});
