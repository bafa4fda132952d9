import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Datastore } from '@google-cloud/datastore';
import { describeWithServer } from '../../support/describe-with-server.js';
import {
  datastoreClientOptions,
  closeDatastoreClient,
  startDatastoreEmulator,
  type ManagedDatastore,
} from '../../support/servers.js';
import { DatastoreTokenStore } from 'nestjs-google-oauth2/datastore';
import { MemoryTokenStore, TieredTokenStore } from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';
import { testEncryptionKey, testKey, testToken } from './support.js';

describeWithServer('datastore', 'DatastoreTokenStore on the Datastore emulator', () => {
  let server: ManagedDatastore;
  let datastore: Datastore;
  const key = testEncryptionKey();

  beforeAll(async () => {
    server = await startDatastoreEmulator();
    datastore = new Datastore(datastoreClientOptions(server));
  }, 90_000);

  afterAll(async () => {
    await closeDatastoreClient(datastore);
    await server?.stop();
  });

  tokenStoreContract('DatastoreTokenStore', () => new DatastoreTokenStore(datastore), {
    supportsLock: true,
  });
  tokenStoreContract(
    'DatastoreTokenStore (encrypted, own namespace)',
    () => new DatastoreTokenStore(datastore, { encryptionKey: key, namespace: 'tokens' }),
    { supportsLock: true },
  );
  tokenStoreContract(
    'TieredTokenStore (memory in front of Datastore)',
    () => new TieredTokenStore([new MemoryTokenStore(), new DatastoreTokenStore(datastore)]),
    { supportsLock: true },
  );

  describe('what Datastore holds', () => {
    it('one OAuth2Token entity per key: token, scopes, subject and an expireAt timestamp', async () => {
      const store = new DatastoreTokenStore(datastore);
      const k = testKey();
      const token = testToken({ subject: 'user@example.com' });
      await store.set(k, token);
      const [entity] = await datastore.get(datastore.key(['OAuth2Token', k]));
      expect(entity).toMatchObject({
        accessToken: token.accessToken,
        scopes: token.scopes,
        subject: 'user@example.com',
      });
      expect(entity.expireAt).toBeInstanceOf(Date);
      expect(entity.expireAt.getTime()).toBe(token.expiresAt);
    });

    it('indexes nothing: not even expireAt can be queried', async () => {
      const kind = `Unindexed${Date.now()}`;
      const store = new DatastoreTokenStore(datastore, { kind });
      await store.set(testKey(), testToken({ subject: 'user@example.com' }));
      const [all] = await datastore.createQuery(kind).run();
      expect(all).toHaveLength(1);
      for (const [property, value] of [
        ['expireAt', new Date(0)],
        ['accessToken', ''],
        ['subject', ''],
        ['scopes', ''],
      ] as const) {
        const [found] = await datastore.createQuery(kind).filter(property, '>', value).run();
        expect({ property, found: found.length }).toEqual({ property, found: 0 });
      }
    });

    it('encrypted: expireAt in clear, everything else sealed', async () => {
      const store = new DatastoreTokenStore(datastore, { encryptionKey: key, kind: 'Sealed' });
      const k = testKey();
      const token = testToken({ subject: 'user@example.com' });
      await store.set(k, token);
      const [entity] = await datastore.get(datastore.key(['Sealed', k]));
      expect(Object.keys(entity).sort()).toEqual(['expireAt', 'sealed']);
      expect(entity.expireAt.getTime()).toBe(token.expiresAt);
      expect(entity.sealed).not.toContain(token.accessToken);
      expect(entity.sealed).not.toContain('user@example.com');
      expect(await store.get(k)).toEqual(token);
      const other = new DatastoreTokenStore(datastore, {
        encryptionKey: testEncryptionKey(),
        kind: 'Sealed',
      });
      expect(await other.get(k)).toBeUndefined();
      expect(await new DatastoreTokenStore(datastore, { kind: 'Sealed' }).get(k)).toBeUndefined();
    });

    it('an expired entity still in Datastore (no TTL policy yet) is a miss', async () => {
      const store = new DatastoreTokenStore(datastore);
      const k = testKey();
      await datastore.upsert({
        key: datastore.key(['OAuth2Token', k]),
        data: { accessToken: 'ya29.old', scopes: ['s'], expireAt: new Date(Date.now() - 1000) },
      });
      expect(await store.get(k)).toBeUndefined();
    });

    it('the lock is an OAuth2TokenLock entity with its owner and expiry, gone on release', async () => {
      const store = new DatastoreTokenStore(datastore);
      const k = testKey();
      const lock = await store.lock(k, 5000);
      expect(lock).not.toBeNull();
      const [entity] = await datastore.get(datastore.key(['OAuth2TokenLock', k]));
      expect(entity.owner).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(entity.expireAt.getTime()).toBeGreaterThan(Date.now() + 4000);
      await lock!.release();
      const [after] = await datastore.get(datastore.key(['OAuth2TokenLock', k]));
      expect(after).toBeUndefined();
    });

    it('checks its options', () => {
      expect(() => new DatastoreTokenStore(datastore, { kind: '' })).toThrow(/kind/);
      expect(() => new DatastoreTokenStore(datastore, { kind: 'A', lockKind: 'A' })).toThrow(
        /lockKind/,
      );
      expect(() => new DatastoreTokenStore({} as Datastore)).toThrow(/Datastore client/);
    });
  });
});
