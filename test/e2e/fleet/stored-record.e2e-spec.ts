import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Datastore } from '@google-cloud/datastore';
import { createClient } from '@keyv/redis';
import { randomBytes } from 'node:crypto';
import { describeWithServer } from '../../support/describe-with-server.js';
import {
  closeDatastoreClient,
  datastoreClientOptions,
  startDatastoreEmulator,
  startRedis,
  type ManagedDatastore,
  type ManagedServer,
} from '../../support/servers.js';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { bootApp } from './app.js';
import { makeStore, type StoreSpec } from './store-spec.js';

const DIRECTORY = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const USER = 'ann.example@example.com';

/**
 * What a shared store holds after the module minted through it: the token, never the private key
 * or anything else of the key file; keys that name neither the service account nor the user.
 */
describe('what the module writes into a shared store', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'records@demo.iam.gserviceaccount.com' });
    emulator.addUser({ email: USER });
    emulator.grantDomainWideDelegation(key.client_id, [DIRECTORY]);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(() => emulator.stop());

  /** Mints as the service account and as the user through `spec`; answers the two tokens. */
  async function mintThrough(spec: StoreSpec): Promise<string[]> {
    const managed = makeStore(spec);
    closers.push(() => managed.close());
    const { app, factory } = await bootApp({
      serviceAccount: key,
      google: emulator.urls,
      tokenStore: managed.store,
    });
    closers.push(() => app.close());
    const own = await factory.getAccessToken(DIRECTORY);
    const asUser = await factory.getAccessToken(DIRECTORY, USER);
    return [own.token, asUser.token];
  }

  /** Fails if `text` holds any part of the key file that must stay out of a cache. */
  function expectNoKeyMaterial(text: string) {
    const body = key.private_key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect(text).not.toContain('PRIVATE KEY');
    for (let i = 0; i + 32 <= body.length; i += 32)
      expect(text).not.toContain(body.slice(i, i + 32));
    expect(text).not.toContain(key.private_key_id);
  }

  function expectOpaqueKey(name: string, tokens: string[]) {
    expect(name).toMatch(/sa-token:v1:[A-Za-z0-9_-]{43}$/);
    for (const secret of [key.client_email, USER, 'records', 'ann.example', ...tokens]) {
      expect(name).not.toContain(secret);
    }
  }

  describeWithServer('redis', 'Redis', () => {
    let server: ManagedServer;
    let raw: ReturnType<typeof createClient>;
    beforeAll(async () => {
      server = await startRedis();
      raw = createClient({ url: server.url });
      await raw.connect();
    });
    afterAll(async () => {
      await raw?.close();
      await server?.stop();
    });
    afterEach(() => raw.flushAll());

    it('holds the tokens, no key material, under keys without the emails', async () => {
      const tokens = await mintThrough({ kind: 'redis', url: server.url });
      const names = (await raw.keys('*')).filter((name) => !name.includes(':lock:'));
      expect(names).toHaveLength(2);
      const values: string[] = [];
      for (const name of names) {
        expectOpaqueKey(name, tokens);
        values.push((await raw.get(name))!);
      }
      const text = values.join('\n');
      expectNoKeyMaterial(text);
      expect(text).not.toContain(key.client_email);
      for (const token of tokens) expect(text).toContain(token);
      expect((await raw.keys('*')).filter((name) => name.includes(':lock:'))).toEqual([]);
    });

    it('encrypted: not even the tokens or the user are in clear', async () => {
      const tokens = await mintThrough({
        kind: 'redis',
        url: server.url,
        encryptionKey: randomBytes(32).toString('base64'),
      });
      const names = await raw.keys('*');
      expect(names).toHaveLength(2);
      const text = (await Promise.all(names.map((name) => raw.get(name)))).join('\n');
      expectNoKeyMaterial(text);
      for (const secret of [...tokens, USER, DIRECTORY]) expect(text).not.toContain(secret);
    });
  });

  describeWithServer('datastore', 'Datastore', () => {
    let server: ManagedDatastore;
    let datastore: Datastore;
    beforeAll(async () => {
      server = await startDatastoreEmulator();
      datastore = new Datastore(datastoreClientOptions(server));
    }, 90_000);
    afterAll(async () => {
      if (datastore) await closeDatastoreClient(datastore);
      await server?.stop();
    });

    it('holds the tokens, no key material, under key names without the emails', async () => {
      const tokens = await mintThrough({ kind: 'datastore', ...datastoreClientOptions(server) });
      const [entities] = await datastore.createQuery('OAuth2Token').run();
      expect(entities).toHaveLength(2);
      for (const entity of entities) {
        expectOpaqueKey(String(entity[datastore.KEY].name), tokens);
      }
      const text = JSON.stringify(entities);
      expectNoKeyMaterial(text);
      expect(text).not.toContain(key.client_email);
      const [locks] = await datastore.createQuery('OAuth2TokenLock').run();
      expect(locks).toEqual([]);
    });
  });
});
