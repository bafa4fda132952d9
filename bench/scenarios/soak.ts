/**
 * 9. Soak: 60 s at 200 connections from wrk in its own process, on the route a controller
 * reaches the caller through (`@Scopes` + `@InjectCredentials()`, and the request-scoped
 * `EndpointsCredentials`), Express and Fastify. Every request must succeed (no error, no
 * timeout), and the server's memory must settle: its RSS after the run within 10 % of its RSS
 * after a warm-up of the same load (both read after full GCs in the server's process).
 */
import { markdownTable, num, progress, ratio, type Scenario } from '../runner.js';
import type { Route } from '../http/app.js';
import { PLATFORMS, startServer } from '../http/load.js';
import { errorCount, wrk, type WrkResult } from '../http/wrk.js';

const CONNECTIONS = 200;
const WARMUP_SECONDS = 10;
const SOAK_SECONDS = 60;
/** RSS after the run / RSS after warm-up, at most. */
const RSS_GOAL = 1.1;
/** A request slower than this counts as a timeout. */
const TIMEOUT_SECONDS = 2;

/** The routes soaked; the last is the baseline, judged by nothing but shown for comparison. */
const ROUTES: [Route, string][] = [
  ['/inject', '`@Scopes` + `@InjectCredentials()`'],
  ['/scoped/credentials', '`EndpointsCredentials` (request-scoped)'],
  ['/bare', 'no guard (the baseline: what the app and the machine give anyway)'],
];

export const soak: Scenario = {
  name: 'soak',
  title: `9. Soak: ${SOAK_SECONDS} s at ${CONNECTIONS} connections`,
  async run() {
    const rows: string[][] = [];
    for (const platform of PLATFORMS) {
      for (const [route, what] of ROUTES) {
        // A fresh app per route: one route's garbage does not land in the other's RSS.
        const server = await startServer(platform);
        try {
          const token = (await server.ask({ type: 'tokens', count: 1, checked: true })).tokens[0]!;
          const load = (durationSeconds: number) =>
            wrk({
              url: server.url(route),
              connections: CONNECTIONS,
              durationSeconds,
              timeoutSeconds: TIMEOUT_SECONDS,
              headers: { Authorization: `Bearer ${token}` },
            });
          progress(`soak ${platform} ${route}: warm-up ${WARMUP_SECONDS} s`);
          const warmup = await load(WARMUP_SECONDS);
          const rssWarm = (await server.ask({ type: 'memory', gc: true })).rss;
          progress(`soak ${platform} ${route}: ${SOAK_SECONDS} s at ${CONNECTIONS} connections`);
          const run = await load(SOAK_SECONDS);
          const rssAfter = (await server.ask({ type: 'memory', gc: true })).rss;
          const { calls } = await server.ask({ type: 'tokeninfo' });
          rows.push(row(platform, what, warmup, run, rssWarm, rssAfter, calls, route === '/bare'));
        } finally {
          await server.close();
        }
      }
    }
    return [
      markdownTable(
        [
          'platform',
          'route',
          'requests/s',
          'requests',
          'errors',
          'timeouts',
          'p50 (ms)',
          'p99 (ms)',
          'max (ms)',
          'RSS after warm-up (MB)',
          'RSS after (MB)',
          'after / warm-up',
          'tokeninfo calls',
          `0 errors, 0 timeouts, RSS ≤ ${RSS_GOAL}×`,
        ],
        rows,
      ),
      '',
      `wrk (one thread, ${CONNECTIONS} connections, a ${TIMEOUT_SECONDS} s timeout) in its own ` +
        `process loads one route of the app (in another process) for ${SOAK_SECONDS} s, after ` +
        `a warm-up of ${WARMUP_SECONDS} s at the same load; every request carries the same ` +
        'caller’s token, checked once before (tokeninfo calls: 1 for the whole run). Errors are ' +
        'socket errors and answers other than 2xx/3xx; a timeout is a request unanswered ' +
        `within ${TIMEOUT_SECONDS} s. RSS is the app process's, read after three full GCs ` +
        '(`--expose-gc`) after the warm-up and after the run. Latencies are wrk’s, over the ' +
        `${SOAK_SECONDS} s: with ${CONNECTIONS} requests always in flight they are mostly ` +
        'queueing, p50 ≈ connections / throughput. The route with no guard gets the same load: ' +
        'what it shows (a timeout or a slow tail on a busy machine) is not the library’s.',
    ].join('\n');
  },
};

function row(
  platform: string,
  what: string,
  warmup: WrkResult,
  run: WrkResult,
  rssWarm: number,
  rssAfter: number,
  tokeninfoCalls: number,
  baseline: boolean,
): string[] {
  const mb = (bytes: number) => num(bytes / 2 ** 20);
  const growth = rssAfter / rssWarm;
  const errors = errorCount(run) - run.errors.timeout + errorCount(warmup) - warmup.errors.timeout;
  const timeouts = run.errors.timeout + warmup.errors.timeout;
  const meets = errors === 0 && timeouts === 0 && growth <= RSS_GOAL;
  return [
    platform,
    what,
    num(run.requestsPerSecond),
    run.requests.toLocaleString('en-US'),
    String(errors),
    String(timeouts),
    num(run.latencyMs.p50),
    num(run.latencyMs.p99),
    num(run.latencyMs.max),
    mb(rssWarm),
    mb(rssAfter),
    ratio(growth),
    String(tokeninfoCalls),
    baseline ? `(baseline: ${meets ? 'yes' : 'no'})` : meets ? 'yes' : '**no**',
  ];
}
