import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KeyvMemcache } from '@keyv/memcache';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CacheManagerTokenStore, CacheStoreError } from 'nestjs-google-oauth2/cache-manager';
import { MemoryTokenStore, TieredTokenStore } from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';
import { describeWithServer } from '../../support/describe-with-server.js';
import { startMemcached, type ManagedServer } from '../../support/servers.js';
import { testEncryptionKey, testKey, testToken } from './support.js';

describeWithServer('memcached', 'CacheManagerTokenStore on memcached', () => {
  let server: ManagedServer;
  let cache: Cache;
  let plain: CacheManagerTokenStore;
  let encrypted: CacheManagerTokenStore;

  beforeAll(async () => {
    server = await startMemcached();
    cache = createCache({
      stores: [
        new Keyv({ store: new KeyvMemcache(server.url, { logger: { log: () => undefined } }) }),
      ],
    });
    plain = new CacheManagerTokenStore(cache);
    encrypted = new CacheManagerTokenStore(cache, { encryptionKey: testEncryptionKey() });
  });

  afterAll(async () => {
    await cache?.disconnect();
    await server?.stop();
  });

  tokenStoreContract('CacheManagerTokenStore (memcached)', () => plain);
  tokenStoreContract('CacheManagerTokenStore (memcached, encrypted)', () => encrypted);
  tokenStoreContract(
    'TieredTokenStore (memory in front of memcached)',
    () => new TieredTokenStore([new MemoryTokenStore(), plain]),
  );

  describe('memcached specifics', () => {
    it('has no lock', () => {
      expect(plain.lock).toBeUndefined();
    });

    it('memcached drops the entry soon after the token expires (whole seconds)', async () => {
      const k = testKey();
      const keyv = cache.stores[0]!;
      await plain.set(k, testToken({ expiresAt: Date.now() + 1200 }));
      expect(await keyv.get(`oauth2:${k}`)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 4200));
      expect(await keyv.get(`oauth2:${k}`)).toBeUndefined();
    });

    it('a stopped memcached is an error, not a miss; it works again once restarted', async () => {
      const k = testKey();
      const token = testToken();
      await server.stop();
      try {
        const error = await plain.get(k).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CacheStoreError);
        const failedSet = await plain.set(k, token).catch((caught: unknown) => caught);
        expect(failedSet).toBeInstanceOf(CacheStoreError);
        expect(String(failedSet)).not.toContain(token.accessToken);
      } finally {
        await server.start();
      }
      let answered = false;
      for (let attempt = 0; attempt < 50 && !answered; attempt++) {
        answered = await plain.set(k, token).then(
          () => true,
          () => new Promise<false>((resolve) => setTimeout(() => resolve(false), 100)),
        );
      }
      expect(answered).toBe(true);
      expect(await plain.get(k)).toEqual(token);
    });
  });
});
