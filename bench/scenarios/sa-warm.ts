/**
 * 1. Service-account token, warm: a token already held by this process.
 * Candidate: `ServiceAccountCredentialsFactory.getAccessToken(scopes)` on the default settings,
 * as the service account and as a Workspace user (domain-wide delegation), and the `AuthClient`
 * from `factory.build(scopes)`. Baseline: google-auth-library's `JWT` client (with `subject`
 * for the user), whose `getAccessToken()` keeps its token in the client: what an app without
 * this library uses. Sequential calls; ops/s. Goal: at least half the baseline's rate (the
 * issue asks ≥ 0.5×, aiming for 1.0×).
 * ID token, warm: `getIdToken(audience)` and `buildIdTokenClient(audience).getRequestHeaders()`
 * against google-auth-library's `IdTokenClient` on a `JWT` (what its `getIdTokenClient(audience)`
 * gives for a key), `getRequestHeaders()`. Goal: at least as fast (1.0×).
 */
import { IdTokenClient } from 'google-auth-library';
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import {
  bootContext,
  CLOUD_PLATFORM,
  jwtClient,
  jwtTransporter,
  startEmulator,
} from '../fixtures.js';
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
const USER = 'ann@example.com';
const GOAL = 0.5;
const ID_TOKEN_GOAL = 1.0;
const AUDIENCE = 'https://receiver-abc123-uc.a.run.app';

export const saWarm: Scenario = {
  name: 'sa-warm',
  title: '1. Service-account token, warm (cache hit)',
  async run(settings) {
    const emulator = await startEmulator();
    const key = emulator.createServiceAccount();
    emulator.addUser({ email: USER });
    emulator.grantDomainWideDelegation(key.client_id, SCOPES);
    const context = await bootContext({ serviceAccount: key, google: emulator.urls });
    try {
      const factory = context.get(ServiceAccountCredentialsFactory);
      const authClient = factory.build(SCOPES);
      const transporter = jwtTransporter(emulator);
      const jwt = jwtClient(emulator, key, SCOPES, transporter);
      const jwtAsUser = jwtClient(emulator, key, SCOPES, transporter, USER);
      const idTokenClient = factory.buildIdTokenClient(AUDIENCE);
      const baselineIdTokenClient = new IdTokenClient({
        targetAudience: AUDIENCE,
        idTokenProvider: jwtClient(emulator, key, SCOPES, transporter),
      });

      // One mint each, then nothing but cache hits.
      const first = await factory.getAccessToken(SCOPES);
      check((await authClient.getAccessToken()).token === first.token, 'build() shares the token');
      await factory.getAccessToken(SCOPES, USER);
      await jwt.getAccessToken();
      await jwtAsUser.getAccessToken();
      const idToken = await factory.getIdToken(AUDIENCE);
      check(
        (await idTokenClient.getRequestHeaders()).get('authorization') ===
          `Bearer ${idToken.token}`,
        'buildIdTokenClient() shares the ID token',
      );
      await baselineIdTokenClient.getRequestHeaders();
      check(emulator.requestCount('token') === 6, 'one mint per side, user and audience first');

      const rows: Comparison[] = [];
      const compare = async (
        measure: string,
        candidate: () => Promise<unknown>,
        baseline: () => Promise<unknown>,
        goal = GOAL,
      ) => {
        progress(`sa-warm: ${measure}`);
        rows.push({
          measure,
          unit: 'ops/s',
          better: 'higher',
          goal,
          pairs: await interleave(
            settings,
            () => opsPerSecond(candidate, ROUND_MS),
            () => opsPerSecond(baseline, ROUND_MS),
          ),
        });
      };
      await compare(
        'factory.getAccessToken(scopes) vs JWT.getAccessToken()',
        () => factory.getAccessToken(SCOPES),
        () => jwt.getAccessToken(),
      );
      await compare(
        'factory.getAccessToken(scopes, user) vs JWT({ subject }).getAccessToken()',
        () => factory.getAccessToken(SCOPES, USER),
        () => jwtAsUser.getAccessToken(),
      );
      await compare(
        'build(scopes) client .getAccessToken() vs JWT.getAccessToken()',
        () => authClient.getAccessToken(),
        () => jwt.getAccessToken(),
      );
      await compare(
        'ID token, warm: factory.getIdToken(audience) vs IdTokenClient.getRequestHeaders()',
        () => factory.getIdToken(AUDIENCE),
        () => baselineIdTokenClient.getRequestHeaders(),
        ID_TOKEN_GOAL,
      );
      await compare(
        'ID token, warm: buildIdTokenClient(audience).getRequestHeaders() vs IdTokenClient.getRequestHeaders()',
        () => idTokenClient.getRequestHeaders(),
        () => baselineIdTokenClient.getRequestHeaders(),
        ID_TOKEN_GOAL,
      );
      const mints = emulator.requestCount('token');
      check(mints === 6, `no mint during the rounds (token endpoint calls: ${mints})`);

      return [
        comparisonTable(rows),
        '',
        `Each round calls one side sequentially for ${ROUND_MS} ms. Token endpoint calls for the ` +
          `whole scenario: ${mints} (one per side, user and audience, before the rounds): every timed call ` +
          'was a cache hit on both sides. The library looks the (scopes, user) up as spelled, ' +
          'then its token in the process-local cache: no hash, store call or timer on a hit. ' +
          `Goal: ≥ ${GOAL}× the baseline (aim 1.0×) for access tokens; ≥ ${ID_TOKEN_GOAL}× for ID tokens.`,
      ].join('\n');
    } finally {
      await context.close();
      await emulator.stop();
    }
  },
};
