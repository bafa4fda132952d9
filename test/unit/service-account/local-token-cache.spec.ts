import { describe, expect, it } from '@jest/globals';
import type { StoredToken } from 'nestjs-google-oauth2';
import { LocalTokenCache } from '../../../lib/service-account/local-token-cache.js';
import { reuseUntil } from '../../../lib/service-account/refresh-margin.js';
import { TokenRequestMemo } from '../../../lib/service-account/token-request-memo.js';
import { tokenRequest } from '../../../lib/service-account/token-source.js';

function hold(cache: LocalTokenCache, key: string, accessToken = `ya29.${key}`): StoredToken {
  const token = { accessToken, expiresAt: Date.now() + 3_600_000, scopes: ['s'] };
  const slot = cache.slot(key);
  slot.token = token;
  slot.reuseUntil = token.expiresAt - 300_000;
  return token;
}

describe('LocalTokenCache', () => {
  it('hands out a held token until its reuse time, synchronously', () => {
    const cache = new LocalTokenCache(10);
    expect(cache.fresh('a')).toBeUndefined();
    const token = hold(cache, 'a');
    expect(cache.fresh('a')).toBe(token);
    expect(cache.fresh('a', token.expiresAt - 300_000)).toBeUndefined();
    expect(cache.fresh('b')).toBeUndefined();
  });

  it('keeps at most maxEntries keys, the least recently used out first', () => {
    const cache = new LocalTokenCache(3);
    for (const key of ['a', 'b', 'c']) hold(cache, key);
    cache.fresh('a'); // a hit makes a the most recently used: b is now the oldest
    hold(cache, 'd');
    expect(cache.size).toBe(3);
    expect(cache.fresh('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((key) => cache.fresh(key)?.accessToken)).toEqual([
      'ya29.a',
      'ya29.c',
      'ya29.d',
    ]);
    cache.slot('c'); // asking for a slot counts as a use too
    hold(cache, 'e');
    hold(cache, 'f');
    expect(cache.fresh('c')?.accessToken).toBe('ya29.c');
    expect(cache.fresh('a')).toBeUndefined();
    expect(cache.fresh('d')).toBeUndefined();
  });

  it('stays at its bound when fed 10 times as many keys', () => {
    const cache = new LocalTokenCache(100);
    for (let i = 0; i < 1000; i++) hold(cache, `k${i}`);
    expect(cache.size).toBe(100);
    for (let i = 900; i < 1000; i++) expect(cache.fresh(`k${i}`)).toBeDefined();
  });

  it('drops a token only if it is the one refused', () => {
    const cache = new LocalTokenCache(10);
    hold(cache, 'a', 'ya29.new');
    cache.drop('a', 'ya29.old');
    expect(cache.fresh('a')?.accessToken).toBe('ya29.new');
    cache.drop('a', 'ya29.new');
    expect(cache.fresh('a')).toBeUndefined();
  });

  it('refuses a bound that is not an integer ≥ 1', () => {
    expect(() => new LocalTokenCache(0)).toThrow(/maxEntries/);
    expect(() => new LocalTokenCache(2.5)).toThrow(/maxEntries/);
  });
});

describe('reuseUntil', () => {
  const now = 1_000_000_000;
  const token = (leftMs: number): StoredToken => ({
    accessToken: 'ya29.x',
    expiresAt: now + leftMs,
    scopes: ['s'],
  });

  it('is the margin before expiry for a token with more than the margin left', () => {
    expect(reuseUntil(token(3_599_000), 300_000, now)).toBe(now + 3_299_000);
    expect(reuseUntil(token(300_001), 300_000, now)).toBe(now + 1);
  });

  it('is half of what is left for a token with less than the margin left', () => {
    expect(reuseUntil(token(280_000), 300_000, now)).toBe(now + 140_000);
    expect(reuseUntil(token(280_000), 225_000, now)).toBe(now + 55_000);
  });
});

describe('TokenRequestMemo', () => {
  const request = tokenRequest('svc@p.iam.gserviceaccount.com', ['a', 'b']);

  it('finds a request by the scopes and user as spelled; a list and its spaced string agree', () => {
    const memo = new TokenRequestMemo(10);
    memo.set(['a', 'b'], undefined, request);
    expect(memo.get('a b', undefined)).toBe(request);
    expect(memo.get(['a', 'b'], undefined)).toBe(request);
    expect(memo.get(['b', 'a'], undefined)).toBeUndefined(); // another spelling: computed once more
    expect(memo.get('a b', 'ann@example.com')).toBeUndefined();
    memo.set('a b', 'ann@example.com', request);
    expect(memo.get(['a b'], 'ann@example.com')).toBe(request);
    expect(memo.get(undefined as never, undefined)).toBeUndefined();
  });

  it('is bounded: two generations of half of maxEntries; a hit in the older moves forward', () => {
    const memo = new TokenRequestMemo(4);
    memo.set('s1', undefined, request);
    memo.set('s2', undefined, request);
    memo.set('s3', undefined, request); // s1, s2 now the previous generation
    expect(memo.get('s1', undefined)).toBe(request); // moved forward: the current is full
    memo.set('s4', undefined, request); // s3, s1 previous; s2 dropped
    expect(memo.get('s2', undefined)).toBeUndefined();
    expect(memo.get('s3', undefined)).toBe(request);
  });
});
