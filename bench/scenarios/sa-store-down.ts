/**
 * 8. The shared store down: token requests per 1,000 calls. An app on a Redis store
 * (`CacheManagerTokenStore`, `disableOfflineQueue` as docs/token-stores.md advises) holds 10
 * keys; Redis is stopped; then 1,000 calls, 20 at a time: 500 on the 10 keys held, 500 on 10
 * new keys, interleaved. Goal: 0 requests for the keys held and 1 per new key (10 in all).
 * Baseline, measured alike: the same app with `localCacheMaxEntries: 1`, which leaves it only
 * the store, as 0.1 was (every call on a down store minted).
 */
import { createClient, createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { performance } from 'node:perf_hooks';
import { ServiceAccountCredentialsFactory, type OAuth2ModuleOptions } from 'nestjs-google-oauth2';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { startRedis, type ManagedServer } from '../../test/support/servers.js';
import { bootContext } from '../fixtures.js';
import { check, markdownTable, median, num, progress, type Scenario } from '../runner.js';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

const KEYS = 10;
const CALLS = 1_000;
const IN_FLIGHT = 20;
const scopes = (set: string, i: number) => [`https://www.googleapis.com/auth/bench.${set}.${i}`];

export const saStoreDown: Scenario = {
  name: 'sa-store-down',
  title: '8. The token store down: token requests per 1,000 calls',
  async run() {
    // Room to record every token request of both runs: they are told apart by their scopes.
    const emulator = await new GoogleOAuth2Emulator({ maxRecordedRequests: 4 * CALLS }).start();
    const key = emulator.createServiceAccount();
    const run = async (label: string, more: Partial<OAuth2ModuleOptions>) => {
      progress(`sa-store-down: ${label}`);
      const redis = await startRedis();
      const client = createClient({ url: redis.url, disableOfflineQueue: true });
      client.on('error', () => undefined); // the outage is the point
      await client.connect();
      const cache = createCache({ stores: [createKeyv(client)] });
      const context = await bootContext({
        serviceAccount: key,
        google: emulator.urls,
        tokenStore: new CacheManagerTokenStore(cache),
        ...more,
      });
      try {
        return await outage(emulator, context.get(ServiceAccountCredentialsFactory), redis);
      } finally {
        await context.close();
        client.destroy(); // it would try to reconnect to the stopped Redis forever
        await redis.stop();
      }
    };
    let library: Awaited<ReturnType<typeof outage>>;
    let storeOnly: typeof library;
    try {
      library = await run('default settings', {});
      storeOnly = await run('localCacheMaxEntries: 1 (the store only)', {
        localCacheMaxEntries: 1,
      });
    } finally {
      await emulator.stop();
    }

    const row = (
      name: string,
      result: Awaited<ReturnType<typeof outage>>,
      goal: [string, boolean] | [string],
    ) => [
      name,
      String(result.held),
      String(result.fresh),
      String(result.held + result.fresh),
      goal[0],
      goal.length === 2 ? (goal[1] ? 'yes' : '**no**') : '—',
      num(result.medianMs),
    ];
    return [
      markdownTable(
        [
          'app',
          'requests: 500 calls on 10 keys held',
          'requests: 500 calls on 10 new keys',
          'per 1,000 calls',
          'goal',
          'met',
          'median ms per call',
        ],
        [
          row('default settings', library, [
            '0 + 10',
            library.held === 0 && library.fresh === KEYS,
          ]),
          row('baseline: localCacheMaxEntries 1', storeOnly, ['(0.1: 1,000)']),
        ],
      ),
      '',
      `Redis is stopped after the app minted its ${KEYS} keys; the ${CALLS.toLocaleString('en-US')} ` +
        `calls run ${IN_FLIGHT} at a time, keys interleaved. With \`disableOfflineQueue\` a ` +
        'call to the stopped Redis fails at once (without it, node-redis queues it and the ' +
        'store timeout, 1 s, bounds it). The baseline app has room for one key in its local ' +
        'cache, so each call finds another key there and falls through to the store, as every ' +
        'call did in 0.1.',
    ].join('\n');
  },
};

/** Holds `KEYS` keys, stops Redis, makes the calls; token requests for held and new keys. */
async function outage(
  emulator: GoogleOAuth2Emulator,
  factory: ServiceAccountCredentialsFactory,
  redis: ManagedServer,
): Promise<{ held: number; fresh: number; medianMs: number }> {
  for (let i = 0; i < KEYS; i++) await factory.getAccessToken(scopes('held', i));
  await redis.stop();
  const calls = Array.from({ length: CALLS }, (_, i) => ({
    held: i % 2 === 0,
    scopes: scopes(i % 2 === 0 ? 'held' : 'new', Math.floor(i / 2) % KEYS),
  }));
  const requested = (set: string) =>
    emulator.requests('token').filter((r) => assertionScope(r.body).includes(`bench.${set}.`))
      .length;
  const heldBefore = requested('held');
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        const started = performance.now();
        const { token } = await factory.getAccessToken(call.scopes);
        times.push(performance.now() - started);
        check(token.startsWith('ya29.'), 'every call gets a token');
      }
    }),
  );
  return {
    held: requested('held') - heldBefore,
    fresh: requested('new'),
    medianMs: median(times),
  };
}

/** The `scope` claim of the assertion in a token request's body. */
function assertionScope(body: string): string {
  const assertion = new URLSearchParams(body).get('assertion') ?? '';
  const claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString());
  return String(claims.scope ?? '');
}
