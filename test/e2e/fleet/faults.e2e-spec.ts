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

  /** Asks for tokens while the store is down: every one must come back. */
  async function requestsDuringOutage(booted: BootedApp, scopeSets: string[][]) {
    const tokens: string[] = [];
    // Several at once and a few one after another, for keys seen before the outage and new ones.
    const together = await Promise.all(
      scopeSets.map((scopes) => booted.factory.getAccessToken(scopes)),
    );
    tokens.push(...together.map((result) => result.token));
    for (const scopes of scopeSets)
      tokens.push((await booted.factory.getAccessToken(scopes)).token);
    for (const token of tokens) expect(token).toMatch(/^ya29\./);
    return tokens;
  }

  /** Requests `scopes` until `stored()` sees the token in the store itself; answers that token. */
  async function untilStoredAgain(
    booted: BootedApp,
    scopes: string[],
    stored: () => Promise<string | undefined>,
  ): Promise<string> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const { token } = await booted.factory.getAccessToken(scopes);
      const inStore = await stored().catch(() => undefined);
      if (inStore === token) return token;
      if (Date.now() > deadline) throw new Error('the store never held the token again');
      await sleep(250);
    }
  }

  /** Further requests for `scopes` get `token` from the store: no new mint. */
  async function expectServedFromStore(booted: BootedApp, scopes: string[], token: string) {
    const mints = emulator.requestCount('token');
    for (let i = 0; i < 5; i++) {
      expect((await booted.factory.getAccessToken(scopes)).token).toBe(token);
    }
    expect(emulator.requestCount('token')).toBe(mints);
  }

  function expectOneWarningWithoutSecrets(booted: BootedApp, tokens: string[]) {
    const warnings = booted.logger.store('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/token store \w+ failed .*minting directly until it answers again/);
    const everything = booted.logger.lines.map((line) => line.message).join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
    expect(everything).not.toContain('PRIVATE KEY');
  }

  describeWithServer('redis', 'Redis stopped in the middle of a run, then started again', () => {
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

    it('every request succeeds; one warning; then tokens go through Redis again', async () => {
      const managed: ManagedStore = makeStore({ kind: 'redis', url: server.url });
      cleanups.push(() => managed.close());
      const booted = await boot(managed.store);
      const before = [scope('drive')];
      const first = await booted.factory.getAccessToken(before);
      expect(await raw.exists(`oauth2:${storeKey(before)}`)).toBe(1);
      expect(emulator.requestCount('token')).toBe(1);

      await server.stop();
      const tokens = await requestsDuringOutage(booted, [before, [scope('gmail.readonly')]]);
      tokens.push(first.token);
      expectOneWarningWithoutSecrets(booted, tokens);
      await server.start();

      const after = [scope('calendar')];
      const token = await untilStoredAgain(booted, after, async () => {
        const value = await raw.get(`oauth2:${storeKey(after)}`);
        return value ? (JSON.parse(value) as { value: StoredToken }).value.accessToken : undefined;
      });
      await expectServedFromStore(booted, after, token);
      expect(booted.logger.store('log')).toContain(
        'token store is answering again; tokens are shared through it again',
      );
      expectOneWarningWithoutSecrets(booted, [...tokens, token]);
    }, 90_000);
  });

  describeWithServer('datastore', 'the Datastore emulator stopped and started again', () => {
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

    it('every request succeeds; one warning; then tokens go through Datastore again', async () => {
      const managed = makeStore({ kind: 'datastore', ...datastoreClientOptions(server) });
      cleanups.push(() => managed.close());
      const booted = await boot(managed.store);
      const before = [scope('drive')];
      const first = await booted.factory.getAccessToken(before);
      const [entity] = await datastore.get(datastore.key(['OAuth2Token', storeKey(before)]));
      expect(entity?.accessToken).toBe(first.token);

      await server.stop();
      const tokens = await requestsDuringOutage(booted, [before, [scope('gmail.readonly')]]);
      tokens.push(first.token);
      expectOneWarningWithoutSecrets(booted, tokens);
      await server.start();

      const after = [scope('calendar')];
      const token = await untilStoredAgain(booted, after, async () => {
        const [stored] = await datastore.get(datastore.key(['OAuth2Token', storeKey(after)]));
        return (stored as { accessToken?: string } | undefined)?.accessToken;
      });
      await expectServedFromStore(booted, after, token);
      expectOneWarningWithoutSecrets(booted, [...tokens, token]);
    }, 120_000);
  });

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

    it('is timed out and skipped: requests succeed in about the timeout, one warning', async () => {
      const booted = await boot(new SlowStore(new MemoryTokenStore(), 3000), STORE_TIMEOUT_MS);
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        tokens.push((await booted.factory.getAccessToken([scope('drive')])).token);
        expect(performance.now() - started).toBeLessThan(2 * STORE_TIMEOUT_MS + 1000);
      }
      expect(emulator.requestCount('token')).toBe(3); // the store never answered in time
      expectOneWarningWithoutSecrets(booted, tokens);
      expect(booted.logger.store('warn')[0]).toMatch(/no answer within 300 ms/);
    }, 30_000);
  });
});
