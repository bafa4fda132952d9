import { describe, expect, it } from '@jest/globals';
import { MemoryTokenStore } from 'nestjs-google-oauth2';
import type { StoredToken } from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';

tokenStoreContract('MemoryTokenStore', () => new MemoryTokenStore());

const token = (n: number): StoredToken => ({
  accessToken: `ya29.t${n}`,
  expiresAt: Date.now() + 60_000,
  scopes: ['s'],
});

describe('MemoryTokenStore bound', () => {
  it('keeps at most maxEntries, the least recently used out first', async () => {
    const store = new MemoryTokenStore({ maxEntries: 2 });
    await store.set('a', token(1));
    await store.set('b', token(2));
    await store.get('a'); // a is now the most recently used
    await store.set('c', token(3));
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.accessToken).toBe('ya29.t1');
    expect((await store.get('c'))?.accessToken).toBe('ya29.t3');
  });

  it('refuses a bound that is not an integer ≥ 1', () => {
    expect(() => new MemoryTokenStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new MemoryTokenStore({ maxEntries: 1.5 })).toThrow(/maxEntries/);
  });
});
