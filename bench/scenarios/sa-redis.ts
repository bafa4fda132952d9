/**
 * 6. Service-account token through a Redis store (`CacheManagerTokenStore` on `@keyv/redis`).
 * Baseline: a bare `GET` of the token's entry on the very client the store uses: the least a
 * read from Redis costs.
 * - warm: `factory.getAccessToken(scopes)` with the token held by this process. Goal ≥ 10×:
 *   a warm call never touches Redis, so it must be far cheaper than one round trip.
 * - from Redis: a second app whose local cache holds one key, asked for two scope sets in
 *   turn, so that every call misses locally and reads Redis (what a cold process or a key past
 *   the local bound costs). Goal ≥ 0.5×: the library adds at most one more GET's worth.
 * Sequential calls, ops/s, 1 s rounds (a socket per call).
 */
import { createClient, createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { ServiceAccountCredentialsFactory, type OAuth2ModuleOptions } from 'nestjs-google-oauth2';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { startRedis } from '../../test/support/servers.js';
import { bootContext, CLOUD_PLATFORM, EMAIL_SCOPE, startEmulator } from '../fixtures.js';
import {
  check,
  comparisonTable,
  interleave,
  opsPerSecond,
  progress,
  type Scenario,
} from '../runner.js';

const ROUND_MS = 1_000;
const SCOPES = [CLOUD_PLATFORM];
const OTHER_SCOPES = [EMAIL_SCOPE];

export const saRedis: Scenario = {
  name: 'sa-redis',
  title: '6. Service-account token through a Redis store, vs a bare GET on its client',
  async run(settings) {
    const redis = await startRedis();
    const emulator = await startEmulator();
    const client = createClient({ url: redis.url });
    await client.connect();
    const cache = createCache({ stores: [createKeyv(client)] });
    const options = (more: Partial<OAuth2ModuleOptions> = {}): OAuth2ModuleOptions => ({
      serviceAccount: key,
      google: emulator.urls,
      tokenStore: new CacheManagerTokenStore(cache),
      ...more,
    });
    const key = emulator.createServiceAccount();
    const warmApp = await bootContext(options());
    const coldApp = await bootContext(options({ localCacheMaxEntries: 1 }));
    try {
      const warm = warmApp.get(ServiceAccountCredentialsFactory);
      const cold = coldApp.get(ServiceAccountCredentialsFactory);
      const { token } = await warm.getAccessToken(SCOPES);
      await warm.getAccessToken(OTHER_SCOPES);
      check((await cold.getAccessToken(SCOPES)).token === token, 'the second app reads Redis');
      check(emulator.requestCount('token') === 2, 'one mint per scope set before the rounds');
      const [entry] = await client.keys('oauth2:sa-token:*');
      check(entry !== undefined, 'the token is in Redis');
      const bareGet = () => client.get(entry!);

      progress('sa-redis: warm factory.getAccessToken(scopes) vs a bare GET');
      const warmPairs = await interleave(
        settings,
        () => opsPerSecond(() => warm.getAccessToken(SCOPES), ROUND_MS),
        () => opsPerSecond(bareGet, ROUND_MS),
      );
      progress('sa-redis: a local miss read from Redis vs a bare GET');
      let turn = 0;
      const fromRedis = () => cold.getAccessToken(turn++ % 2 === 0 ? SCOPES : OTHER_SCOPES);
      const coldPairs = await interleave(
        settings,
        () => opsPerSecond(fromRedis, ROUND_MS),
        () => opsPerSecond(bareGet, ROUND_MS),
      );
      const mints = emulator.requestCount('token');
      check(mints === 2, `no mint during the rounds (token endpoint calls: ${mints})`);

      return [
        comparisonTable([
          {
            measure: 'warm factory.getAccessToken(scopes) vs a bare Redis GET',
            unit: 'ops/s',
            better: 'higher',
            goal: 10,
            pairs: warmPairs,
          },
          {
            measure: 'local miss, read from Redis vs a bare Redis GET',
            unit: 'ops/s',
            better: 'higher',
            goal: 0.5,
            pairs: coldPairs,
          },
        ]),
        '',
        `Each round calls one side sequentially for ${ROUND_MS} ms. The store is a ` +
          '`CacheManagerTokenStore` on `@keyv/redis`; the baseline `GET`s its token entry on the ' +
          'same node-redis client. Warm: the token is held by this process, so the call makes no ' +
          'Redis request at all. Local miss: an app with `localCacheMaxEntries: 1` asked for two ' +
          'scope sets in turn, so every call reads Redis (a GET through the store timeout, ' +
          'the decode, the margin check). Token endpoint calls for the whole scenario: ' +
          `${mints} (one per scope set, before the rounds).`,
      ].join('\n');
    } finally {
      await coldApp.close();
      await warmApp.close();
      await cache.disconnect();
      await emulator.stop();
      await redis.stop();
    }
  },
};
