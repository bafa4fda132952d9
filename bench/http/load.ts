/**
 * The parent side of the HTTP scenarios: forks bench/http/server.ts (the app in a process of
 * its own) and loads its routes with wrk (another process again).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Route } from './app.js';
import type { Platform, ServerOrder, ServerReply } from './server.js';
import { interleave, type BenchSettings, type RoundPair } from '../runner.js';
import { errorCount, wrk } from './wrk.js';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../../scripts/swc/register.mjs', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export type { Platform };
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** The app running in its child process. */
export interface BenchServer {
  platform: Platform;
  pid: number;
  url(route: Route): string;
  ask<T extends ServerReply['type']>(
    order: Extract<ServerOrder, { type: T }>,
  ): Promise<Extract<ServerReply, { type: T }>>;
  /**
   * A file of `count` new callers' tokens, one per line, for wrk's round-robin; with `checked`,
   * the app's cache holds them.
   */
  tokensFile(count: number, checked?: boolean): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(
  platform: Platform,
  options: { callerContext?: boolean } = {},
): Promise<BenchServer> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const args = options.callerContext ? [platform, 'caller-context'] : [platform];
  const child: ChildProcess = fork(SERVER, args, {
    execArgv: ['--expose-gc', '--import', REGISTER],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ServerReply['type']>(type: T, timeoutMs: number) =>
    new Promise<Extract<ServerReply, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`bench server: no '${type}'`)), timeoutMs);
      const onMessage = (message: ServerReply) => {
        if (message.type === type) done(undefined, message as Extract<ServerReply, { type: T }>);
        else if (message.type === 'error') done(new Error(`bench server: ${message.message}`));
      };
      const onExit = (code: number | null) => done(new Error(`bench server exited (${code})`));
      const done = (err?: Error, message?: Extract<ServerReply, { type: T }>) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve(message!);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  let ready: Extract<ServerReply, { type: 'ready' }>;
  try {
    ready = await next('ready', READY_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const files: string[] = [];
  const server: BenchServer = {
    platform,
    pid: ready.pid,
    url: (route) => `http://127.0.0.1:${ready.port}${route}`,
    ask: (order) => {
      const answer = next(order.type, 60_000);
      child.send(order);
      return answer as never;
    },
    async tokensFile(count, checked = false) {
      const { tokens } = await server.ask({ type: 'tokens', count, checked });
      const path = join(tmpdir(), `bench-tokens-${process.pid}-${ready.pid}-${files.length}.txt`);
      files.push(path);
      await writeFile(path, `${tokens.join('\n')}\n`, { mode: 0o600 });
      return path;
    },
    async close() {
      await Promise.all(files.map((path) => rm(path, { force: true })));
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await server.ask({ type: 'close' });
      } finally {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  return server;
}

/** What a measurement loads: a route of a server, and the bearer token(s) it is sent. */
export interface Target {
  server: BenchServer;
  route: Route;
  /** One caller's token on every request… */
  token?: string;
  /** …or many callers' tokens, round-robin. */
  tokensFile?: string;
}

/** What one load of a target measured. */
export interface HttpMeasurement {
  requestsPerSecond: number;
  /** The app process's CPU time per request, in µs: what a request costs it, whatever else runs. */
  cpuMicrosPerRequest: number;
}

/**
 * Loads `target` with wrk for `durationSeconds` over `connections` connections. Fails when a
 * request failed: a route that errors measures nothing.
 */
export async function loadTarget(
  target: Target,
  load: { connections: number; durationSeconds: number },
): Promise<HttpMeasurement> {
  const before = await target.server.ask({ type: 'cpu' });
  const result = await wrk({
    url: target.server.url(target.route),
    ...load,
    ...(target.token ? { headers: { Authorization: `Bearer ${target.token}` } } : {}),
    ...(target.tokensFile ? { tokensFile: target.tokensFile } : {}),
  });
  const after = await target.server.ask({ type: 'cpu' });
  if (errorCount(result) > 0) {
    throw new Error(
      `${target.server.platform} ${target.route}: errors ${JSON.stringify(result.errors)} in ` +
        `${result.requests} requests`,
    );
  }
  return {
    requestsPerSecond: result.requestsPerSecond,
    cpuMicrosPerRequest: (after.micros - before.micros) / result.requests,
  };
}

/** Both measures of a candidate and its baseline, round by round. */
export interface HttpPairs {
  requestsPerSecond: RoundPair[];
  cpuMicrosPerRequest: RoundPair[];
}

/**
 * `interleave` for HTTP: each round loads the candidate and the baseline (alternating which
 * goes first) and keeps both measures.
 */
export async function interleaveHttp(
  settings: BenchSettings,
  candidate: Target,
  baseline: Target,
  load: { connections: number; durationSeconds: number },
): Promise<HttpPairs> {
  const cpu = { candidate: [] as number[], baseline: [] as number[] };
  const side = (target: Target, into: number[]) => async () => {
    const measured = await loadTarget(target, load);
    into.push(measured.cpuMicrosPerRequest);
    return measured.requestsPerSecond;
  };
  const requestsPerSecond = await interleave(
    settings,
    side(candidate, cpu.candidate),
    side(baseline, cpu.baseline),
  );
  // interleave() keeps the measured rounds only: drop the warm-up rounds' CPU figures too.
  const measured = (values: number[]) => values.slice(values.length - requestsPerSecond.length);
  const [c, b] = [measured(cpu.candidate), measured(cpu.baseline)];
  return {
    requestsPerSecond,
    cpuMicrosPerRequest: c.map((value, i) => ({ candidate: value, baseline: b[i]! })),
  };
}
