// Proves the token cache: a lookup is reused for at most its TTL and never past the token's expiry, a clear drops everything at once, and a lookup that started before a clear is not stored.
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../../src/users/tokens.js';

function cacheAt(start: number) {
  let now = start;
  const cache = new TokenCache<string>(5_000, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('TokenCache', () => {
  it('reuses a lookup until its TTL ends', () => {
    const { cache, advance } = cacheAt(1_000);
    expect(cache.get('h')).toBeUndefined();
    cache.set('h', 'actor', cache.version(), null);
    expect(cache.get('h')).toBe('actor');
    advance(4_999);
    expect(cache.get('h')).toBe('actor');
    advance(1);
    expect(cache.get('h')).toBeUndefined();
  });

  it('never past the token expiry', () => {
    const { cache, advance } = cacheAt(1_000);
    cache.set('h', 'actor', cache.version(), 3_000);
    advance(1_999);
    expect(cache.get('h')).toBe('actor');
    advance(1);
    expect(cache.get('h')).toBeUndefined();
  });

  it('a clear drops every lookup, and one started before the clear is not stored', () => {
    const { cache } = cacheAt(0);
    cache.set('a', 'one', cache.version(), null);
    const started = cache.version();
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 'two', started, null);
    expect(cache.get('b')).toBeUndefined();
    cache.set('b', 'two', cache.version(), null);
    expect(cache.get('b')).toBe('two');
  });
});
