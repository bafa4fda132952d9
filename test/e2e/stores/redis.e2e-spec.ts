import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, createKeyv } from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { MemoryTokenStore, TieredTokenStore } from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';
import { describeWithServer } from '../../support/describe-with-server.js';
import { startRedis, type ManagedServer } from '../../support/servers.js';
import { testEncryptionKey, testKey, testToken } from './support.js';

describeWithServer('redis', 'CacheManagerTokenStore on Redis', () => {
  let server: ManagedServer;
  let cache: Cache;
  let raw: ReturnType<typeof createClient>;
  let plain: CacheManagerTokenStore;
  let encrypted: CacheManagerTokenStore;
  const key = testEncryptionKey();

  beforeAll(async () => {
    server = await startRedis();
    cache = createCache({ stores: [createKeyv(server.url)] });
    raw = createClient({ url: server.url });
    await raw.connect();
    plain = new CacheManagerTokenStore(cache);
    encrypted = new CacheManagerTokenStore(cache, { encryptionKey: key, keyPrefix: 'enc:' });
  });

  afterAll(async () => {
    await cache?.disconnect();
    await raw?.close();
    await server?.stop();
  });

  tokenStoreContract('CacheManagerTokenStore (Redis)', () => plain, { supportsLock: true });
  tokenStoreContract('CacheManagerTokenStore (Redis, encrypted)', () => encrypted, {
    supportsLock: true,
  });
  tokenStoreContract(
    'TieredTokenStore (memory in front of Redis)',
    () => new TieredTokenStore([new MemoryTokenStore(), plain]),
    { supportsLock: true },
  );

  describe('what Redis holds', () => {
    it('keeps the token under the prefixed key with a TTL from its expiry', async () => {
      const k = testKey();
      const token = testToken({ expiresAt: Date.now() + 60_000 });
      await plain.set(k, token);
      const pttl = await raw.pTTL(`oauth2:${k}`);
      expect(pttl).toBeGreaterThan(59_000);
      expect(pttl).toBeLessThanOrEqual(62_000);
      const value = await raw.get(`oauth2:${k}`);
      expect(value).toContain(token.accessToken);
    });

    it('encrypted, holds neither the token nor its scopes in clear', async () => {
      const k = testKey();
      const token = testToken({ subject: 'someone@example.com' });
      await encrypted.set(k, token);
      const value = (await raw.get(`enc:${k}`)) ?? '';
      expect(value).not.toBe('');
      expect(value).not.toContain(token.accessToken);
      expect(value).not.toContain('someone@example.com');
      expect(value).not.toContain('cloud-platform');
      expect(await encrypted.get(k)).toEqual(token);
    });

    it('a value sealed with another key, or tampered with, is a miss', async () => {
      const k = testKey();
      await encrypted.set(k, testToken());
      const other = new CacheManagerTokenStore(cache, {
        encryptionKey: testEncryptionKey(),
        keyPrefix: 'enc:',
      });
      expect(await other.get(k)).toBeUndefined();

      const stored = (await raw.get(`enc:${k}`))!;
      const sealed = /"v1\.([^"]+)"/.exec(stored)![1]!;
      const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
      await raw.set(`enc:${k}`, stored.replace(sealed, flipped));
      expect(await encrypted.get(k)).toBeUndefined();
    });

    it('a sealed value moved under another key does not open there', async () => {
      const [from, to] = [testKey(), testKey()];
      await encrypted.set(from, testToken());
      await raw.set(`enc:${to}`, (await raw.get(`enc:${from}`))!);
      expect(await encrypted.get(to)).toBeUndefined();
    });

    it('the lock is SET NX PX under its own key, holding a random owner', async () => {
      const k = testKey();
      const lock = await plain.lock!(k, 5000);
      expect(lock).not.toBeNull();
      const owner = await raw.get(`oauth2:lock:${k}`);
      expect(owner).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const pttl = await raw.pTTL(`oauth2:lock:${k}`);
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      await lock!.release();
      expect(await raw.exists(`oauth2:lock:${k}`)).toBe(0);
    });

    it('locks with a Redis client given in the options', async () => {
      const memoryOnly = createCache();
      const store = new CacheManagerTokenStore(memoryOnly, { redis: raw, keyPrefix: 'given:' });
      const k = testKey();
      const lock = await store.lock!(k, 5000);
      expect(lock).not.toBeNull();
      expect(await raw.exists(`given:lock:${k}`)).toBe(1);
      expect(await store.lock!(k, 5000)).toBeNull();
      await lock!.release();
      expect(await raw.exists(`given:lock:${k}`)).toBe(0);
    });

    it('has no lock when told so, or when no Redis store is under the cache', () => {
      expect(new CacheManagerTokenStore(cache, { redis: false }).lock).toBeUndefined();
      expect(new CacheManagerTokenStore(createCache()).lock).toBeUndefined();
    });
  });
});
