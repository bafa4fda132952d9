/**
 * 2. Service-account token, cold: every call mints (signs an assertion, one token endpoint call).
 * Candidate: `factory.getAccessToken(scopes)` with scopes never asked before, so each call misses
 * the store, mints and stores. Baseline: a fresh google-auth-library `JWT` per call (same scopes,
 * one shared transporter, as an app would share it). Latency per call, median of each round.
 */
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
  latencies,
  median,
  progress,
  type Scenario,
} from '../runner.js';
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';

const CALLS_PER_ROUND = 15;

export const saCold: Scenario = {
  name: 'sa-cold',
  title: '2. Service-account token, cold (a mint per call)',
  async run(settings) {
    const emulator = await startEmulator();
    const key = emulator.createServiceAccount();
    const context = await bootContext({ serviceAccount: key, google: emulator.urls });
    try {
      const factory = context.get(ServiceAccountCredentialsFactory);
      const transporter = jwtTransporter(emulator);
      // Scopes never asked for before, so that nothing is cached: one set per call and side.
      let next = 0;
      const freshScopes = () => [CLOUD_PLATFORM, `https://www.googleapis.com/auth/bench.${next++}`];

      /** The median latency of one round of `CALLS_PER_ROUND` mints; checks one mint each. */
      const round = async (mint: (scopes: string[]) => Promise<unknown>) => {
        const before = emulator.requestCount('token');
        const times = await latencies(CALLS_PER_ROUND, () => mint(freshScopes()));
        const mints = emulator.requestCount('token') - before;
        check(mints === CALLS_PER_ROUND, `${CALLS_PER_ROUND} calls made ${mints} token requests`);
        return median(times);
      };

      progress('sa-cold: factory.getAccessToken(new scopes) vs new JWT(...).getAccessToken()');
      const pairs = await interleave(
        settings,
        () => round((scopes) => factory.getAccessToken(scopes)),
        () => round((scopes) => jwtClient(emulator, key, scopes, transporter).getAccessToken()),
      );
      return [
        comparisonTable([
          {
            measure: 'factory.getAccessToken(new scopes) vs new JWT().getAccessToken()',
            unit: 'ms per call',
            better: 'lower',
            pairs,
          },
        ]),
        '',
        `A round is ${CALLS_PER_ROUND} sequential calls per side; its value is their median. ` +
          'Checked in every round: each call on each side made exactly one token endpoint ' +
          'request. Both sides sign an RS256 assertion per call (the library with the key parsed ' +
          'once at boot, google-auth-library from the PEM each time) and wait for the emulator, ' +
          'which verifies it.',
      ].join('\n');
    } finally {
      await context.close();
      await emulator.stop();
    }
  },
};
