import { describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { CacheManagerTokenStore, CacheStoreError } from 'nestjs-google-oauth2/cache-manager';
import type { StoredToken } from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';

/** A Keyv storage adapter on a Map that can be made to fail as a network store does. */
class FlakyAdapter extends EventEmitter {
  readonly data = new Map<string, unknown>();
  failing = false;
  namespace?: string;
  readonly ttls: number[] = [];
  private check(): void {
    if (this.failing) {
      const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
      });
      this.emit('error', error);
      throw error;
    }
  }
  async get(key: string) {
    this.check();
    return this.data.get(key);
  }
  async set(key: string, value: unknown, ttl?: number) {
    this.check();
    if (ttl !== undefined) this.ttls.push(ttl);
    this.data.set(key, value);
    return true;
  }
  async delete(key: string) {
    this.check();
    return this.data.delete(key);
  }
  async clear() {
    this.data.clear();
  }
}

const token = (overrides: Partial<StoredToken> = {}): StoredToken => ({
  accessToken: 'ya29.unit-token',
  expiresAt: Date.now() + 60_000,
  scopes: ['s'],
  ...overrides,
});

tokenStoreContract(
  'CacheManagerTokenStore (in-memory Keyv)',
  () => new CacheManagerTokenStore(createCache()),
);
tokenStoreContract(
  'CacheManagerTokenStore (in-memory Keyv, encrypted)',
  () => new CacheManagerTokenStore(createCache(), { encryptionKey: randomBytes(32) }),
);
tokenStoreContract(
  'CacheManagerTokenStore (two Keyv tiers)',
  () => new CacheManagerTokenStore(createCache({ stores: [new Keyv(), new Keyv()] })),
);

describe('CacheManagerTokenStore', () => {
  it('sets a TTL in milliseconds from the expiry, rounded up a second plus one', async () => {
    const adapter = new FlakyAdapter();
    const store = new CacheManagerTokenStore(
      createCache({ stores: [new Keyv({ store: adapter })] }),
    );
    await store.set('k', token({ expiresAt: Date.now() + 59_500 }));
    expect(adapter.ttls).toEqual([61_000]);
  });

  it('prefixes its keys', async () => {
    const adapter = new FlakyAdapter();
    const cache = createCache({ stores: [new Keyv({ store: adapter, namespace: '' })] });
    await new CacheManagerTokenStore(cache).set('k', token());
    await new CacheManagerTokenStore(cache, { keyPrefix: 'app1:' }).set('k', token());
    expect([...adapter.data.keys()].sort()).toEqual(['app1:k', 'oauth2:k']);
  });

  it('throws what Keyv only reports as an event, on get, set and delete', async () => {
    const adapter = new FlakyAdapter();
    const keyv = new Keyv({ store: adapter });
    const store = new CacheManagerTokenStore(createCache({ stores: [keyv] }));
    adapter.failing = true;
    const secret = token({ accessToken: 'ya29.must-not-show' });
    await expect(store.get('k')).rejects.toThrow(CacheStoreError);
    const error = await store.set('k', secret).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CacheStoreError);
    expect((error as Error).message).toMatch(
      /set failed: Error ECONNREFUSED: connect ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('ya29');
    await expect(store.delete('k')).rejects.toThrow(CacheStoreError);
    adapter.failing = false;
    await store.set('k', secret);
    expect(await store.get('k')).toEqual(secret);
  });

  it('throws what Keyv throws (throwOnErrors)', async () => {
    const adapter = new FlakyAdapter();
    const store = new CacheManagerTokenStore(
      createCache({ stores: [new Keyv({ store: adapter, throwOnErrors: true })] }),
    );
    adapter.failing = true;
    await expect(store.get('k')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('treats a foreign value under its key as a miss', async () => {
    const cache = createCache();
    const store = new CacheManagerTokenStore(cache);
    for (const value of ['ya29.raw', 42, { accessToken: 'x' }, [1], { ...token(), scopes: 'x' }]) {
      await cache.set('oauth2:k', value);
      expect(await store.get('k')).toBeUndefined();
    }
  });

  it('reads only sealed values when encrypting, only plain ones when not', async () => {
    const cache = createCache();
    const plain = new CacheManagerTokenStore(cache);
    const sealed = new CacheManagerTokenStore(cache, { encryptionKey: randomBytes(32) });
    await plain.set('k', token());
    expect(await sealed.get('k')).toBeUndefined();
    await sealed.set('k', token());
    expect(await plain.get('k')).toBeUndefined();
    expect(typeof (await cache.get('oauth2:k'))).toBe('string');
  });

  it('checks what it is given', () => {
    expect(() => new CacheManagerTokenStore({} as never)).toThrow(/cache-manager 7 Cache/);
    expect(() => new CacheManagerTokenStore(createCache(), { encryptionKey: 'short' })).toThrow(
      /"encryptionKey" is 3 bytes long/,
    );
    expect(() => new CacheManagerTokenStore(createCache(), { redis: {} as never })).toThrow(
      /sendCommand/,
    );
  });
});
