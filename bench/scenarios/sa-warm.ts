/**
 * 1. Service-account token, warm: a token already cached in this process.
 * Candidate: `ServiceAccountCredentialsFactory.getAccessToken(scopes)` on the default memory
 * store, and the `AuthClient` from `factory.build(scopes)`. Baseline: google-auth-library's `JWT`
 * client, whose `getAccessToken()` keeps its token in the client (what an app without this
 * library uses). Sequential calls; ops/s.
 */
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import { bootContext, CLOUD_PLATFORM, jwtClient, startEmulator } from '../fixtures.js';
import {
  check,
  comparisonTable,
  interleave,
  opsPerSecond,
  progress,
  type Comparison,
  type Scenario,
} from '../runner.js';

const ROUND_MS = 300;
const SCOPES = [CLOUD_PLATFORM];

export const saWarm: Scenario = {
  name: 'sa-warm',
  title: '1. Service-account token, warm (cache hit)',
  async run(settings) {
    const emulator = await startEmulator();
    const key = emulator.createServiceAccount();
    const context = await bootContext({ serviceAccount: key, google: emulator.urls });
    try {
      const factory = context.get(ServiceAccountCredentialsFactory);
      const authClient = factory.build(SCOPES);
      const jwt = jwtClient(emulator, key, SCOPES);

      // One mint each, then nothing but cache hits.
      const first = await factory.getAccessToken(SCOPES);
      check((await authClient.getAccessToken()).token === first.token, 'build() shares the token');
      await jwt.getAccessToken();
      check(emulator.requestCount('token') === 2, 'one mint per side before the rounds');

      const rows: Comparison[] = [];
      progress('sa-warm: factory.getAccessToken(scopes) vs JWT.getAccessToken()');
      rows.push({
        measure: 'factory.getAccessToken(scopes) vs JWT.getAccessToken()',
        unit: 'ops/s',
        better: 'higher',
        pairs: await interleave(
          settings,
          () => opsPerSecond(() => factory.getAccessToken(SCOPES), ROUND_MS),
          () => opsPerSecond(() => jwt.getAccessToken(), ROUND_MS),
        ),
      });
      progress('sa-warm: factory.build(scopes).getAccessToken() vs JWT.getAccessToken()');
      rows.push({
        measure: 'build(scopes) client .getAccessToken() vs JWT.getAccessToken()',
        unit: 'ops/s',
        better: 'higher',
        pairs: await interleave(
          settings,
          () => opsPerSecond(() => authClient.getAccessToken(), ROUND_MS),
          () => opsPerSecond(() => jwt.getAccessToken(), ROUND_MS),
        ),
      });
      const mints = emulator.requestCount('token');
      check(mints === 2, `no mint during the rounds (token endpoint calls: ${mints})`);

      return [
        comparisonTable(rows),
        '',
        `Each round calls one side sequentially for ${ROUND_MS} ms. Token endpoint calls for the ` +
          `whole scenario: ${mints} (one per side, before the rounds): every timed call was a ` +
          'cache hit on both sides.',
      ].join('\n');
    } finally {
      await context.close();
      await emulator.stop();
    }
  },
};
