/**
 * 3. A caller's token on a guarded route, warm (the token's check is cached): what the guard,
 * `@InjectCredentials()`, `EndpointsCredentials` and `CallerCredentials` cost a request, on
 * Express and on Fastify. The app (bench/http/app.ts) runs in a process of its own; wrk loads
 * it from another, 16 connections, every request with the same caller's token. Each row is a
 * route and its baseline, interleaved in rounds of 1 s per side.
 */
import { check, comparisonTable, progress, type Comparison, type Scenario } from '../runner.js';
import type { Route } from '../http/app.js';
import {
  interleaveHttp,
  PLATFORMS,
  startServer,
  type BenchServer,
  type Target,
} from '../http/load.js';

const LOAD = { connections: 16, durationSeconds: 1 };

/** A row: a route against its baseline, on the same app or another. */
interface Row {
  measure: string;
  candidate: [app: 'plain' | 'context', route: Route];
  baseline: [app: 'plain' | 'context', route: Route];
  goal?: number;
}

const ROWS: Row[] = [
  {
    measure: '@Scopes(email) vs no guard',
    candidate: ['plain', '/guarded'],
    baseline: ['plain', '/bare'],
    goal: 0.95,
  },
  {
    measure: '@Scopes + @InjectCredentials() vs no guard',
    candidate: ['plain', '/inject'],
    baseline: ['plain', '/bare'],
    goal: 0.93,
  },
  {
    measure:
      'controller injecting EndpointsCredentials vs request-scoped controller injecting only REQUEST',
    candidate: ['plain', '/scoped/credentials'],
    baseline: ['plain', '/scoped/request'],
    goal: 0.95,
  },
  {
    measure: 'singleton service reading CallerCredentials vs no guard (callerContext on)',
    candidate: ['context', '/singleton'],
    baseline: ['context', '/bare'],
    goal: 0.9,
  },
  {
    measure: 'a guard that returns true vs no guard: what Nest spends on any guard',
    candidate: ['plain', '/pass'],
    baseline: ['plain', '/bare'],
  },
  {
    measure:
      'controller injecting EndpointsCredentials vs controller injecting a request-scoped provider that injects only REQUEST: ours against the least such a provider costs',
    candidate: ['plain', '/scoped/credentials'],
    baseline: ['plain', '/scoped/provider'],
  },
  {
    measure: 'request-scoped controller injecting only REQUEST vs no guard: Nest’s request scope',
    candidate: ['plain', '/scoped/request'],
    baseline: ['plain', '/bare'],
  },
  {
    measure:
      'no guard, callerContext on vs off: AsyncLocalStorage on every request (two processes)',
    candidate: ['context', '/bare'],
    baseline: ['plain', '/bare'],
  },
];

export const guardWarm: Scenario = {
  name: 'guard-warm',
  title: '3. A caller’s token on a guarded route, warm: the app under wrk, Express and Fastify',
  async run(settings) {
    const rows: Comparison[] = [];
    const cpuRows: Comparison[] = [];
    for (const platform of PLATFORMS) {
      const apps = {
        plain: await startServer(platform),
        context: await startServer(platform, { callerContext: true }),
      };
      try {
        const tokens = new Map<BenchServer, string>();
        for (const server of Object.values(apps)) {
          tokens.set(
            server,
            (await server.ask({ type: 'tokens', count: 1, checked: true })).tokens[0]!,
          );
        }
        const target = ([app, route]: Row['candidate']): Target => ({
          server: apps[app],
          route,
          token: tokens.get(apps[app])!,
        });
        for (const row of ROWS) {
          progress(`guard-warm ${platform}: ${row.measure}`);
          const pairs = await interleaveHttp(
            settings,
            target(row.candidate),
            target(row.baseline),
            LOAD,
          );
          rows.push({
            measure: `${platform}: ${row.measure}`,
            unit: 'requests/s',
            better: 'higher',
            pairs: pairs.requestsPerSecond,
            ...(row.goal !== undefined ? { goal: row.goal } : {}),
          });
          cpuRows.push({
            measure: `${platform}: ${row.measure}`,
            unit: 'app CPU µs/request',
            better: 'lower',
            pairs: pairs.cpuMicrosPerRequest,
            ...(row.goal !== undefined ? { goal: 1 / row.goal } : {}),
          });
        }
        for (const server of Object.values(apps)) {
          const { calls } = await server.ask({ type: 'tokeninfo' });
          check(calls === 1, `${platform}: one tokeninfo call per app (saw ${calls})`);
        }
      } finally {
        await apps.plain.close();
        await apps.context.close();
      }
    }
    return [
      comparisonTable(rows),
      '',
      'The same rounds, measured as the app process’s CPU time per request (`process.cpuUsage()` ' +
        'in the app, before and after each load, over the requests wrk counted). The app is ' +
        'saturated (its one thread is the bottleneck), so a route’s requests/s is about the ' +
        'inverse of its CPU per request, and a goal of r on requests/s is 1/r here; CPU time ' +
        'is far less sensitive to what else runs on the machine than requests/s.',
      '',
      comparisonTable(cpuRows),
      '',
      `wrk (${LOAD.connections} connections, one thread) in its own process loads the app, ` +
        'which runs in another (bench/http/server.ts); every request carries the same ' +
        'caller’s token, checked once before the rounds (tokeninfo calls per app for the ' +
        `whole scenario: 1, checked). Each round loads each side for ${LOAD.durationSeconds} s, ` +
        'alternating which goes first. The routes answer the same body; the two sides of a row ' +
        'differ only in how the caller is found. Rows without a goal are context: they ' +
        'show what Nest itself charges (any guard; request scope), and what ' +
        '`endpoints.callerContext` costs every route of an app (two processes compared, so ' +
        'noisier). The machine is shared: a ratio within its IQR of 1 is a difference the run ' +
        'cannot tell from noise.',
    ].join('\n');
  },
};
