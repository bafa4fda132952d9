/**
 * 3. A caller's token checked on a guarded route, warm: the token's check is cached.
 * One Nest Express app, two routes answering the same body: `GET /guarded` under
 * `@Scopes(email)`, `GET /open` with no guard (the baseline: what the route costs anyway). Every
 * request carries the same valid bearer token; keep-alive connections from a `node:http` client
 * in this process. Requests/s, sequential and with 8 in flight.
 */
import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { OAuth2Module, Scopes } from 'nestjs-google-oauth2';
import type { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { CLIENT_ID, EMAIL_SCOPE, startEmulator } from '../fixtures.js';
import {
  addedMicros,
  check,
  comparisonTable,
  interleave,
  markdownTable,
  num,
  progress,
  type Comparison,
  type Scenario,
} from '../runner.js';

/**
 * Short rounds, three times as many: the guard's cost is a few percent of a request, smaller
 * than the machine's swings over a second; short alternating rounds pair the sides closely.
 */
const ROUND_MS = 150;
const ROUNDS_FACTOR = 3;

/** A guard that lets everything through: what any guard costs in Nest's pipeline. */
@Injectable()
class PassGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller()
class BenchController {
  @Get('guarded')
  @Scopes('email')
  guarded() {
    return { ok: true };
  }

  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('pass')
  @UseGuards(PassGuard)
  pass() {
    return { ok: true };
  }
}

@Module({})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
class BenchAppModule {}

/** The app: `OAuth2Module` on the emulator, accepting tokens of `CLIENT_ID`. */
function benchApp(emulator: GoogleOAuth2Emulator): DynamicModule {
  return {
    module: BenchAppModule,
    imports: [
      OAuth2Module.forRoot({
        serviceAccount: emulator.createServiceAccount(),
        endpoints: { allowedClientIds: [CLIENT_ID] },
        google: emulator.urls,
      }),
    ],
    controllers: [BenchController],
    providers: [PassGuard],
  };
}

/** GETs over keep-alive connections; `concurrency` requests in flight for `durationMs`. */
async function requestsPerSecond(
  agent: Agent,
  port: number,
  path: string,
  token: string,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { agent, host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  let done = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      await get();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

export const guardWarm: Scenario = {
  name: 'guard-warm',
  title: '3. Caller token check on a guarded route, warm',
  async run(settings) {
    const emulator = await startEmulator();
    const app = await NestFactory.create(benchApp(emulator), {
      logger: ['error', 'warn'],
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const rounds = { ...settings, rounds: settings.rounds * ROUNDS_FACTOR };
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const token = emulator.issueAccessToken({
        email: 'caller@example.com',
        clientId: CLIENT_ID,
        scopes: ['openid', EMAIL_SCOPE],
      });
      emulator.resetCounts();

      const rows: Comparison[] = [];
      const added: string[][] = [];
      for (const [baseline, what] of [
        ['/open', 'no guard'],
        ['/pass', 'a guard that returns true'],
      ] as const) {
        for (const concurrency of [1, 8]) {
          progress(`guard-warm: GET /guarded vs GET ${baseline}, ${concurrency} in flight`);
          const pairs = await interleave(
            rounds,
            () => requestsPerSecond(agent, port, '/guarded', token, concurrency, ROUND_MS),
            () => requestsPerSecond(agent, port, baseline, token, concurrency, ROUND_MS),
          );
          rows.push({
            measure: `GET /guarded vs ${baseline} (${what}), ${concurrency} in flight`,
            unit: 'requests/s',
            better: 'higher',
            pairs,
          });
          added.push([baseline, String(concurrency), num(addedMicros(pairs))]);
        }
      }
      const checks = emulator.requestCount('tokeninfo');
      check(checks === 1, `one tokeninfo call for the whole run (saw ${checks})`);

      return [
        comparisonTable(rows),
        '',
        markdownTable(
          ['/guarded compared with', 'in flight', 'added per request (µs, median of rounds)'],
          added,
        ),
        '',
        `Each round sends requests to one route for ${ROUND_MS} ms; every request carries the ` +
          `same bearer token. Tokeninfo calls for the whole scenario: ${checks} (the first ` +
          'request to /guarded): every other check was a cache hit. "Added per request" is ' +
          '1/rate(/guarded) − 1/rate(baseline), per round: what the guard adds to each request ' +
          'on a cache hit (with 1 in flight, to its latency; with 8, to the event loop’s time ' +
          'per request). Against /pass it leaves out what Nest spends on any guard. The HTTP ' +
          'client runs in this process too and its work is in both sides, so the ratios ' +
          'understate the server-side difference; the µs figures do not.',
      ].join('\n');
    } finally {
      agent.destroy();
      await app.close();
      await emulator.stop();
    }
  },
};
