import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Datastore } from '@google-cloud/datastore';
import { createClient } from '@keyv/redis';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryTokenStore, type StoredToken, type TokenStore } from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { tokenCacheKey } from '../../../lib/service-account/token-cache-key.js';
import { normalizeScopes } from '../../../lib/service-account/token-source.js';
import { describeWithServer } from '../../support/describe-with-server.js';
import {
  closeDatastoreClient,
  datastoreClientOptions,
  startDatastoreEmulator,
  startRedis,
  type ManagedDatastore,
  type ManagedServer,
} from '../../support/servers.js';
import { bootApp, type BootedApp } from './app.js';
import { makeStore, type ManagedStore } from './store-spec.js';

const scope = (name: string) => `https://www.googleapis.com/auth/${name}`;
/** The slow store's timeout; the outages run with the default (1 s), as an app would. */
const STORE_TIMEOUT_MS = 300;
/** How late the slow lock answers: past the store timeout, well within a request timeout. */
const LOCK_DELAY_MS = 1_000;

describe('token store faults', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'faults@demo.iam.gserviceaccount.com' });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    emulator.resetCounts();
  });
  afterAll(() => emulator.stop());

  async function boot(store: TokenStore, storeTimeoutMs?: number): Promise<BootedApp> {
    // A client's first call opens its connection (gRPC: a channel); not part of the test.
    await store.get('warm-up');
    const booted = await bootApp({
      serviceAccount: key,
      google: emulator.urls,
      tokenStore: store,
      ...(storeTimeoutMs ? { storeTimeoutMs } : {}),
    });
    cleanups.push(() => booted.app.close());
    return booted;
  }

  const storeKey = (scopes: string[]) =>
    tokenCacheKey(key.client_email, { scopes: normalizeScopes(scopes) });

  /**
   * The outage scenario, on any store: one token, the store stopped, then 20 calls on that key
   * and 20 on a new one (10 at once, 10 one after another), the store started again.
   * `stored(scopes)` reads the token the store itself holds for `scopes`. Answers the token
   * requests made in each phase; the checks of what was served and stored are made on the way.
   */
  async function stopAndStart(
    store: () => ManagedStore,
    server: { stop(): Promise<void>; start(): Promise<void> },
    stored: (scopes: string[]) => Promise<string | undefined>,
  ) {
    const first = makeManaged(store);
    const booted = await boot(first.store);
    const held = [scope('drive')];
    const fresh = [scope('gmail.readonly')];
    const { token: heldToken } = await booted.factory.getAccessToken(held);
    expect(await stored(held)).toBe(heldToken);
    const requests = () => emulator.requestCount('token');
    let before = requests();

    await server.stop();
    for (let i = 0; i < 20; i++) {
      expect((await booted.factory.getAccessToken(held)).token).toBe(heldToken);
    }
    const onHeldKey = requests() - before;
    before = requests();

    const together = await Promise.all(
      Array.from({ length: 10 }, () => booted.factory.getAccessToken(fresh)),
    );
    const freshToken = together[0]!.token;
    for (let i = 0; i < 10; i++) {
      expect((await booted.factory.getAccessToken(fresh)).token).toBe(freshToken);
    }
    for (const { token } of together) expect(token).toBe(freshToken);
    const onNewKey = requests() - before;
    expectOneWarningWithoutSecrets(booted, [heldToken, freshToken]);

    await server.start(); // empty: the test servers keep nothing across a restart
    // What was minted during the outage is written once the store answers again…
    await until(
      async () =>
        (await stored(fresh).catch(() => undefined)) === freshToken &&
        booted.logger
          .store('log')
          .includes('token store is answering again; tokens are shared through it again'),
    );
    // …and what is minted after it too.
    const after = [scope('calendar')];
    const { token: afterToken } = await booted.factory.getAccessToken(after);
    await until(async () => (await stored(after).catch(() => undefined)) === afterToken);
    expectOneWarningWithoutSecrets(booted, [heldToken, freshToken, afterToken]);

    // Another instance on the same store reads both.
    before = requests();
    const peer = await boot(makeManaged(store).store);
    expect((await peer.factory.getAccessToken(fresh)).token).toBe(freshToken);
    expect((await peer.factory.getAccessToken(after)).token).toBe(afterToken);
    return { onHeldKey, onNewKey, byAnotherInstance: requests() - before };
  }

  function makeManaged(store: () => ManagedStore): ManagedStore {
    const managed = store();
    cleanups.push(() => managed.close());
    return managed;
  }

  /** Polls `condition` every 250 ms for up to 45 s (a restarted client reconnects in its time). */
  async function until(condition: () => Promise<boolean>) {
    const deadline = Date.now() + 45_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('the store never held the token');
      await sleep(250);
    }
  }

  function expectOneWarningWithoutSecrets(booted: BootedApp, tokens: string[]) {
    const warnings = booted.logger.store('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/token store \w+ failed .*minting directly until it answers again/);
    const everything = booted.logger.lines.map((line) => line.message).join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
    expect(everything).not.toContain('PRIVATE KEY');
  }

  describeWithServer('redis', 'Redis stopped after one token, then started again', () => {
    let server: ManagedServer;
    let raw: ReturnType<typeof createClient>;
    beforeAll(async () => {
      server = await startRedis();
      raw = createClient({ url: server.url });
      raw.on('error', () => undefined); // it reconnects by itself after the restart
      await raw.connect();
    });
    afterAll(async () => {
      await raw?.close();
      await server?.stop();
    });

    it('20 calls on the key held make no token request, 20 on a new key one; then Redis has both', async () => {
      const requests = await stopAndStart(
        () => makeStore({ kind: 'redis', url: server.url }),
        server,
        async (scopes) => {
          const value = await raw.get(`oauth2:${storeKey(scopes)}`);
          return value
            ? (JSON.parse(value) as { value: StoredToken }).value.accessToken
            : undefined;
        },
      );
      // 20 calls on the key held: no request; 20 on a new key: one; another instance: none.
      expect(requests).toEqual({ onHeldKey: 0, onNewKey: 1, byAnotherInstance: 0 });
    }, 120_000);

    it('a lock slower than the store timeout still makes one mint for two instances', async () => {
      /** Redis, with every lock call answered only after `LOCK_DELAY_MS`. */
      const slowLock = () => {
        const managed = makeManaged(() => makeStore({ kind: 'redis', url: server.url }));
        const inner = managed.store;
        const store: TokenStore = {
          get: (k) => inner.get(k),
          set: (k, token) => inner.set(k, token),
          delete: (k) => inner.delete(k),
          lock: async (k, ttlMs) => {
            await sleep(LOCK_DELAY_MS);
            return inner.lock!(k, ttlMs);
          },
        };
        return store;
      };
      const a = await boot(slowLock(), STORE_TIMEOUT_MS);
      const b = await boot(slowLock(), STORE_TIMEOUT_MS);
      const scopes = [scope('tasks')];
      const [x, y] = await Promise.all([
        a.factory.getAccessToken(scopes),
        b.factory.getAccessToken(scopes),
      ]);
      expect(y.token).toBe(x.token);
      expect(emulator.requestCount('token')).toBe(1);
      expect([...a.logger.store('warn'), ...b.logger.store('warn')]).toEqual([]);
    }, 60_000);
  });

  describeWithServer(
    'datastore',
    'the Datastore emulator stopped after one token, then started again',
    () => {
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

      it('20 calls on the key held make no token request, 20 on a new key one; then Datastore has both', async () => {
        const requests = await stopAndStart(
          () => makeStore({ kind: 'datastore', ...datastoreClientOptions(server) }),
          server,
          async (scopes) => {
            const [stored] = await datastore.get(datastore.key(['OAuth2Token', storeKey(scopes)]));
            return (stored as { accessToken?: string } | undefined)?.accessToken;
          },
        );
        // 20 calls on the key held: no request; 20 on a new key: one; another instance: none.
        expect(requests).toEqual({ onHeldKey: 0, onNewKey: 1, byAnotherInstance: 0 });
      }, 180_000);
    },
  );

  describe('a slow store', () => {
    /** Answers every call, but only after `delayMs`. */
    class SlowStore implements TokenStore {
      constructor(
        private readonly inner: TokenStore,
        private readonly delayMs: number,
      ) {}
      async get(k: string) {
        await sleep(this.delayMs, undefined, { ref: false });
        return this.inner.get(k);
      }
      async set(k: string, token: StoredToken) {
        await sleep(this.delayMs, undefined, { ref: false });
        return this.inner.set(k, token);
      }
      async delete(k: string) {
        await sleep(this.delayMs, undefined, { ref: false });
        return this.inner.delete(k);
      }
    }

    it('is timed out and skipped: requests succeed in about the timeout, one mint, one warning', async () => {
      const booted = await boot(new SlowStore(new MemoryTokenStore(), 3000), STORE_TIMEOUT_MS);
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        tokens.push((await booted.factory.getAccessToken([scope('drive')])).token);
        expect(performance.now() - started).toBeLessThan(2 * STORE_TIMEOUT_MS + 1000);
      }
      // The store never answered in time; the token minted first is served from this process.
      expect(new Set(tokens).size).toBe(1);
      expect(emulator.requestCount('token')).toBe(1);
      expectOneWarningWithoutSecrets(booted, tokens);
      expect(booted.logger.store('warn')[0]).toMatch(/no answer within 300 ms/);
    }, 30_000);
  });
});
