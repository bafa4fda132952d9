/**
 * 7. Service-account tokens for 10,000 Workspace users (domain-wide delegation), two passes,
 * default settings (the default memory store and the default local cache). Each user's token is
 * asked for once per pass, in the same order. The first pass mints 10,000 times; the second
 * must mint 0 times (goal), where 0.1 minted 10,000 times again (its 1,000-entry store pushed
 * each user out before the next pass). RSS and heap growth are reported per pass.
 */
import { performance } from 'node:perf_hooks';
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import { bootContext, CLOUD_PLATFORM, startEmulator } from '../fixtures.js';
import { check, markdownTable, median, num, progress, type Scenario } from '../runner.js';

const USERS = 10_000;
const SCOPES = [CLOUD_PLATFORM];
/** Callers in flight at once, as a busy app would have. */
const CONCURRENCY = 8;

function fullGc(): void {
  if (typeof gc !== 'function')
    throw new Error('the sa-many-users scenario needs node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
}

function memory(): { rss: number; heap: number } {
  fullGc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

const mib = (bytes: number) => num(bytes / 2 ** 20);

export const saManyUsers: Scenario = {
  name: 'sa-many-users',
  title: '7. Service-account tokens for 10,000 delegated users, two passes',
  async run() {
    const emulator = await startEmulator();
    const key = emulator.createServiceAccount();
    emulator.grantDomainWideDelegation(key.client_id, SCOPES);
    const users = Array.from({ length: USERS }, (_, i) => `user-${i}@example.com`);
    for (const email of users) emulator.addUser({ email });
    const context = await bootContext({ serviceAccount: key, google: emulator.urls });
    try {
      const factory = context.get(ServiceAccountCredentialsFactory);

      /** One pass over every user: token requests made, and µs per call (median of chunks). */
      const pass = async (name: string) => {
        progress(`sa-many-users: ${name}`);
        const before = emulator.requestCount('token');
        const perCall: number[] = [];
        for (let i = 0; i < USERS; i += CONCURRENCY * 25) {
          const chunk = users.slice(i, i + CONCURRENCY * 25);
          const started = performance.now();
          let next = 0;
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (next < chunk.length) {
                const { token } = await factory.getAccessToken(SCOPES, chunk[next++]);
                check(token.startsWith('ya29.'), 'a token for the user');
              }
            }),
          );
          perCall.push(((performance.now() - started) * 1000) / chunk.length);
        }
        return { requests: emulator.requestCount('token') - before, micros: median(perCall) };
      };

      const start = memory();
      const first = await pass('first pass (every user minted)');
      const afterFirst = memory();
      const second = await pass('second pass');
      const afterSecond = memory();
      check(first.requests === USERS, `first pass: ${first.requests} token requests`);

      const rows = [
        [
          'first pass',
          USERS.toLocaleString('en-US'),
          first.requests.toLocaleString('en-US'),
          `= ${USERS.toLocaleString('en-US')}`,
          first.requests === USERS ? 'yes' : '**no**',
          num(first.micros),
          mib(afterFirst.rss - start.rss),
          mib(afterFirst.heap - start.heap),
        ],
        [
          'second pass',
          USERS.toLocaleString('en-US'),
          second.requests.toLocaleString('en-US'),
          '0 (0.1: 10,000)',
          second.requests === 0 ? 'yes' : '**no**',
          num(second.micros),
          mib(afterSecond.rss - afterFirst.rss),
          mib(afterSecond.heap - afterFirst.heap),
        ],
      ];
      return [
        markdownTable(
          [
            'pass',
            'calls',
            'token requests',
            'goal',
            'met',
            'µs per call (median of chunks)',
            'RSS growth (MiB)',
            'heap growth (MiB)',
          ],
          rows,
        ),
        '',
        `${USERS.toLocaleString('en-US')} users, ${CONCURRENCY} calls in flight, default ` +
          'settings (`MemoryTokenStore` of 1,000 entries, local cache of 20,000). Growth is ' +
          'measured after full GCs, from before the first pass to after it, then to after the ' +
          'second. The first pass’s growth includes the emulator’s own record of the 10,000 ' +
          'tokens it issued (it runs in this process); the second pass must add nothing. ' +
          'The baseline for the second pass is 0.1’s behaviour: its default store kept 1,000 ' +
          'tokens, so each user had been pushed out before the next pass asked for it.',
      ].join('\n');
    } finally {
      await context.close();
      await emulator.stop();
    }
  },
};
