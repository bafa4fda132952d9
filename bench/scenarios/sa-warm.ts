/**
 * 1. Service-account token, warm: a token already held by this process.
 * Candidate: `ServiceAccountCredentialsFactory.getAccessToken(scopes)` on the default settings,
 * as the service account and as a Workspace user (domain-wide delegation), and the `AuthClient`
 * from `factory.build(scopes)`. Baseline: google-auth-library's `JWT` client (with `subject`
 * for the user), whose `getAccessToken()` keeps its token in the client: what an app without
 * this library uses. Sequential calls; ops/s. Goal: at least half the baseline's rate (the
 * issue asks ≥ 0.5×, aiming for 1.0×).
 */
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

      // One mint each, then nothing but cache hits.
      const first = await factory.getAccessToken(SCOPES);
      check((await authClient.getAccessToken()).token === first.token, 'build() shares the token');
      await factory.getAccessToken(SCOPES, USER);
      await jwt.getAccessToken();
      await jwtAsUser.getAccessToken();
      check(emulator.requestCount('token') === 4, 'one mint per side and user before the rounds');

      const rows: Comparison[] = [];
      const compare = async (
        measure: string,
        candidate: () => Promise<unknown>,
        baseline: () => Promise<unknown>,
      ) => {
        progress(`sa-warm: ${measure}`);
        rows.push({
          measure,
          unit: 'ops/s',
          better: 'higher',
          goal: GOAL,
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
      const mints = emulator.requestCount('token');
      check(mints === 4, `no mint during the rounds (token endpoint calls: ${mints})`);

      return [
        comparisonTable(rows),
        '',
        `Each round calls one side sequentially for ${ROUND_MS} ms. Token endpoint calls for the ` +
          `whole scenario: ${mints} (one per side and user, before the rounds): every timed call ` +
          'was a cache hit on both sides. The library looks the (scopes, user) up as spelled, ' +
          'then its token in the process-local cache: no hash, store call or timer on a hit. ' +
          `Goal: ≥ ${GOAL}× the baseline (aim 1.0×).`,
      ].join('\n');
    } finally {
      await context.close();
      await emulator.stop();
    }
  },
};
