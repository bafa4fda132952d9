/**
 * Real servers for tests: redis-server, memcached and the Cloud Datastore emulator, each started
 * as a child process on a free port of 127.0.0.1 and stopped again by the test that started it.
 *
 * Every server runs in a process group of its own under a small bash guard: the guard reads its
 * stdin, a pipe from this process, and kills the whole group when that pipe closes. So a server
 * never outlives the test process, even when the test process is killed with SIGKILL.
 * Only describeWithServer needs Jest; the rest works in any Node script. See docs/development.md.
 */
import type { describe as JestDescribe, it as JestIt } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  mkdtempSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export type ServerKind = 'redis' | 'memcached' | 'datastore';

export interface ManagedServer {
  readonly kind: ServerKind;
  readonly host: string;
  /** Fixed for the server's life, also across stop()/start(). */
  readonly port: number;
  /** redis: `redis://127.0.0.1:PORT`; memcached: `127.0.0.1:PORT`; datastore: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly running: boolean;
  /** (Re)starts on the same port and waits until the server answers. */
  start(): Promise<void>;
  /** Stops the server and waits until its port is closed. Idempotent. */
  stop(): Promise<void>;
}

export interface ManagedDatastore extends ManagedServer {
  readonly projectId: string;
  /** `127.0.0.1:PORT`, the value for DATASTORE_EMULATOR_HOST. */
  readonly emulatorHost: string;
}

const HOST = '127.0.0.1';
/** How often a port is taken between asking the OS for it and the server binding it, at most. */
const PORT_ATTEMPTS = 5;
const OUTPUT_LINES_KEPT = 40;
const OUTPUT_LINES_SHOWN = 20;
const STOP_TIMEOUT_MS = 10_000;

/** What differs between the kinds of server. */
interface ServerSpec {
  readonly kind: ServerKind;
  /** Human name used in messages. */
  readonly name: string;
  readonly readyTimeoutMs: number;
  readonly probeIntervalMs: number;
  /** Sent to the process group by stop(); SIGKILL follows if the server has not exited in 10 s. */
  readonly stopSignal: NodeJS.Signals;
  url(port: number): string;
  /** The command line; `dir` is a fresh temporary directory for this run. */
  command(port: number, dir: string): { file: string; args: string[] };
  /** Resolves true when the server on `port` answers as it should. */
  probe(port: number): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Finding the binaries

function findOnPath(command: string): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const EMULATOR_SUBPATH = join('platform', 'cloud-datastore-emulator', 'cloud_datastore_emulator');
let datastoreEmulatorPath: string | null | undefined;

/**
 * The Cloud SDK's `cloud_datastore_emulator` script (what `gcloud beta emulators datastore start`
 * runs; starting it directly saves gcloud's own ~1.5 s). Looked for under CLOUDSDK_ROOT_DIR, beside
 * the `gcloud` on PATH, and last under `gcloud info`'s SDK root (slow, so the answer is cached).
 */
function findDatastoreEmulator(): string | undefined {
  if (datastoreEmulatorPath !== undefined) return datastoreEmulatorPath ?? undefined;
  const roots: string[] = [];
  if (process.env.CLOUDSDK_ROOT_DIR) roots.push(process.env.CLOUDSDK_ROOT_DIR);
  const gcloud = findOnPath('gcloud');
  if (gcloud) {
    roots.push(dirname(dirname(realpathSync(gcloud))));
  }
  let found = roots.map((root) => join(root, EMULATOR_SUBPATH)).find((file) => existsSync(file));
  if (!found && gcloud) {
    const info = spawnSync(gcloud, ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const root = info.stdout?.trim();
    if (root && existsSync(join(root, EMULATOR_SUBPATH))) found = join(root, EMULATOR_SUBPATH);
  }
  datastoreEmulatorPath = found ?? null;
  return found;
}

/** True when the binary that starts a server of this kind is on this machine. */
export function serverBinaryAvailable(kind: ServerKind): boolean {
  switch (kind) {
    case 'redis':
      return findOnPath('redis-server') !== undefined;
    case 'memcached':
      return findOnPath('memcached') !== undefined;
    case 'datastore':
      return (
        findOnPath(process.env.JAVA ?? 'java') !== undefined &&
        findDatastoreEmulator() !== undefined
      );
  }
}

const MISSING: Record<ServerKind, string> = {
  redis: 'redis-server is not on PATH (Debian package redis-server)',
  memcached: 'memcached is not on PATH (Debian package memcached)',
  datastore:
    'the Cloud Datastore emulator is not available: it needs java on PATH and the Cloud SDK with ' +
    'platform/cloud-datastore-emulator (package google-cloud-cli-datastore-emulator)',
};

// ---------------------------------------------------------------------------------------------
// describeWithServer

export type ServerSuitePlan =
  | { readonly action: 'run' }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'fail'; readonly reason: string };

/** CI is on when the CI variable is set to anything but '', '0' or 'false'. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** What describeWithServer does with a suite: run it, skip it (locally), or fail it (under CI). */
export function planServerSuite(
  kind: ServerKind,
  available: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ServerSuitePlan {
  return planSuite(MISSING[kind], available, env);
}

/** The same for anything a suite needs, `missing` saying what is missing and where to get it. */
export function planSuite(
  missing: string,
  available: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ServerSuitePlan {
  if (available) return { action: 'run' };
  if (isCi(env)) {
    return {
      action: 'fail',
      reason: `${missing}. Under CI=true a suite that needs it fails instead of being skipped; .ci/run installs it.`,
    };
  }
  return { action: 'skip', reason: `${missing}: skipping, as CI is not set.` };
}

// A wrapper around describe(): the jest rules written for test files do not fit it.
/* oxlint-disable jest/valid-title, jest/valid-describe-callback, jest/no-disabled-tests, jest/expect-expect */
/**
 * describe() that runs when the server's binary exists. When it is missing, under CI=true the suite
 * fails with a test that says why (never a silent skip); otherwise it is skipped with a console.warn.
 */
export function describeWithServer(kind: ServerKind, name: string, fn: () => void): void {
  const requirement = {
    name: kind,
    available: serverBinaryAvailable(kind),
    missing: MISSING[kind],
  };
  describeWithRequirement(requirement, name, fn);
}

/**
 * describeWithServer for anything else a suite needs (a client in another language, a toolchain):
 * runs when `available`; else fails under CI=true with a test named `needs <name>`, or is skipped.
 */
export function describeWithRequirement(
  requirement: { name: string; available: boolean; missing: string },
  name: string,
  fn: () => void,
): void {
  // Jest's globals, taken when called: importing @jest/globals would throw outside Jest, and the
  // starters above are meant for scripts (benchmarks) too.
  const { describe, it } = globalThis as unknown as {
    describe: typeof JestDescribe;
    it: typeof JestIt;
  };
  const plan = planSuite(requirement.missing, requirement.available);
  switch (plan.action) {
    case 'run':
      describe(name, fn);
      return;
    case 'skip':
      console.warn(`${name}: ${plan.reason}`);
      describe.skip(name, fn);
      return;
    case 'fail':
      describe(name, () => {
        it(`needs ${requirement.name}`, () => {
          throw new Error(plan.reason);
        });
      });
      return;
  }
}
/* oxlint-enable jest/valid-title, jest/valid-describe-callback, jest/no-disabled-tests, jest/expect-expect */

// ---------------------------------------------------------------------------------------------
// Ports and probes

/** A port that was free a moment ago: the OS's choice for a listener on port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from the OS'))));
    });
  });
}

/** Sends `line` over TCP and resolves true when the answer starts with `expected`. */
function tcpProbe(port: number, line: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(line));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.length >= expected.length) done(answer.startsWith(expected));
    });
    socket.once('end', () => done(answer.startsWith(expected)));
  });
}

function httpProbe(port: number, path: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: HOST, port, path, agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === expected));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Resolves true when nothing accepts connections on the port. */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The server specs

const REDIS: ServerSpec = {
  kind: 'redis',
  name: 'redis-server',
  readyTimeoutMs: 10_000,
  probeIntervalMs: 25,
  stopSignal: 'SIGTERM',
  url: (port) => `redis://${HOST}:${port}`,
  command: (port, dir) => ({
    file: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
    ],
  }),
  probe: (port) => tcpProbe(port, '*1\r\n$4\r\nPING\r\n', '+PONG'),
};

const MEMCACHED: ServerSpec = {
  kind: 'memcached',
  name: 'memcached',
  readyTimeoutMs: 10_000,
  probeIntervalMs: 25,
  // memcached notices SIGTERM only at its next clock tick (~0.7 s); it keeps nothing, so kill it.
  stopSignal: 'SIGKILL',
  url: (port) => `${HOST}:${port}`,
  command: (port) => ({
    file: 'memcached',
    // memcached refuses to run as root unless told which user to be.
    args: [
      '-p',
      String(port),
      '-l',
      HOST,
      '-U',
      '0',
      ...(isRoot() ? ['-u', userInfo().username] : []),
    ],
  }),
  probe: (port) => tcpProbe(port, 'version\r\n', 'VERSION '),
};

const DATASTORE: ServerSpec = {
  kind: 'datastore',
  name: 'Cloud Datastore emulator',
  // A JVM: ~1.5 s on an idle machine, much more when Jest's workers start several at once.
  readyTimeoutMs: 60_000,
  probeIntervalMs: 100,
  stopSignal: 'SIGTERM',
  url: (port) => `http://${HOST}:${port}`,
  command: (port) => {
    const file = findDatastoreEmulator();
    if (!file) throw new Error(MISSING.datastore);
    // --testing: in memory, consistency 1.0, no index configuration on disk, no project directory.
    return { file, args: ['start', `--host=${HOST}`, `--port=${port}`, '--testing'] };
  },
  probe: (port) => httpProbe(port, '/', 'Ok'),
};

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// ---------------------------------------------------------------------------------------------
// Process groups, and cleaning up when this process exits

/**
 * Runs "$@" (the server) as the leader of a new process group, with a watcher in the same group
 * that kills the group when stdin — a pipe from this process — reaches EOF: when this process
 * closes it or dies. The server itself gets /dev/null as stdin.
 */
const GUARD = [
  'exec 3<&0 </dev/null',
  '( cat <&3 >/dev/null 2>&1; kill -KILL -- -$$ ) >/dev/null 2>&1 &',
  'exec "$@" 3<&-',
].join('\n');

/** Process groups started and not yet stopped, with their temporary directories. */
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function trackGroup(pgid: number, tempDir: string): void {
  liveGroups.set(pgid, tempDir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [group, dir] of liveGroups) {
        killGroup(group, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

class ServerStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

// ---------------------------------------------------------------------------------------------
// One server

class ChildServer implements ManagedServer {
  readonly host = HOST;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private dir: string | undefined;
  private output: string[] = [];
  private partialLine = '';
  /** The server answered its readiness probe: its port is open until it stops. */
  private listening = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    protected readonly spec: ServerSpec,
    readonly port: number,
  ) {}

  get kind(): ServerKind {
    return this.spec.kind;
  }

  get url(): string {
    return this.spec.url(this.port);
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  start(): Promise<void> {
    if (this.running && !this.stopping) return this.starting ?? Promise.resolve();
    this.starting ??= this.startOnce().finally(() => (this.starting = undefined));
    return this.starting;
  }

  stop(): Promise<void> {
    if (!this.child) return this.stopping ?? Promise.resolve();
    this.stopping ??= this.stopOnce().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  /** Starts on this.port; a restart retries a few times if the port is still held. */
  private async startOnce(): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this.child) await this.stopOnce(); // it died on its own: clear what is left of it
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnAndWait();
        return;
      } catch (error) {
        const retry = error instanceof ServerStartError && error.addressInUse && attempt < 3;
        if (!retry) throw error;
        await sleep(250 * attempt);
      }
    }
  }

  private async spawnAndWait(): Promise<void> {
    const spec = this.spec;
    const dir = mkdtempSync(join(tmpdir(), `test-${spec.kind}-`));
    let command: { file: string; args: string[] };
    try {
      command = spec.command(this.port, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const { file, args } = command;
    this.dir = dir;
    this.output = [];
    this.partialLine = '';
    const child = spawn('bash', ['-c', GUARD, 'server-guard', file, ...args], {
      cwd: dir,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let exitInfo: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid) trackGroup(child.pid, dir);
    child.stdout?.on('data', (chunk: Buffer) => this.record(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.record(chunk));
    child.stdin?.on('error', () => undefined); // the guard may be gone before we close it
    // A server must not keep this process alive: a test that forgets stop() should not hang Jest.
    // When this process exits, the exit hook (or else the guard's watcher) kills the group.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr])
      (stream as Socket | null)?.unref();

    const deadline = Date.now() + spec.readyTimeoutMs;
    let failure: ServerStartError | undefined;
    for (;;) {
      const outcome = await Promise.race([
        spec.probe(this.port).then((ok) => (ok ? ('ready' as const) : ('not yet' as const))),
        this.exited.then(() => 'exited' as const),
        spawnError.then((error) => error),
      ]);
      if (outcome === 'ready' && this.running) {
        this.listening = true;
        return;
      }
      if (outcome instanceof Error) {
        failure = new ServerStartError(
          `${spec.name} could not be spawned: ${outcome.message}`,
          false,
        );
        break;
      }
      if (outcome === 'exited' || !this.running) {
        await sleep(50); // let the last output arrive
        const addressInUse = this.output.some((line) =>
          /address already in use|EADDRINUSE|BindException/i.test(line),
        );
        failure = new ServerStartError(
          `${spec.name} exited (${exitInfo ?? 'unknown'}) before it was ready on ${HOST}:${this.port}.${this.lastOutput()}`,
          addressInUse,
        );
        break;
      }
      if (Date.now() >= deadline) {
        failure = new ServerStartError(
          `${spec.name} was not ready on ${HOST}:${this.port} within ${spec.readyTimeoutMs} ms.${this.lastOutput()}`,
          false,
        );
        break;
      }
      await sleep(spec.probeIntervalMs);
    }
    await this.stop();
    throw failure;
  }

  private async stopOnce(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const pgid = child.pid;
    if (pgid !== undefined) {
      // A server that never became ready is not worth a graceful stop.
      killGroup(pgid, this.listening ? this.spec.stopSignal : 'SIGKILL');
      if (!(await settlesWithin(this.exited, STOP_TIMEOUT_MS))) {
        killGroup(pgid, 'SIGKILL');
        await this.exited;
      }
      // The group leader may be a wrapper (the Datastore emulator's script runs a JVM): wait for
      // the port. Not when it never listened: the port may be someone else's.
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (this.listening && !(await portClosed(this.port))) {
        if (Date.now() >= deadline) {
          killGroup(pgid, 'SIGKILL');
          if (Date.now() >= deadline + 2_000) {
            throw new Error(
              `${this.spec.name} on ${HOST}:${this.port} did not close its port after stop().`,
            );
          }
        }
        await sleep(50);
      }
      // Sweep what is left of the group: the guard's watcher, a JVM finishing its shutdown.
      killGroup(pgid, 'SIGKILL');
      liveGroups.delete(pgid);
    }
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    this.child = undefined;
    this.listening = false;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private record(chunk: Buffer): void {
    const lines = (this.partialLine + chunk.toString('utf8')).split(/\r?\n/);
    this.partialLine = lines.pop() ?? '';
    this.output.push(...lines);
    if (this.output.length > OUTPUT_LINES_KEPT)
      this.output.splice(0, this.output.length - OUTPUT_LINES_KEPT);
  }

  private lastOutput(): string {
    const lines = [...this.output, this.partialLine]
      .filter((line) => line.trim() !== '')
      .slice(-OUTPUT_LINES_SHOWN);
    return lines.length ? `\nLast output:\n  ${lines.join('\n  ')}` : ' It printed nothing.';
  }
}

class DatastoreServer extends ChildServer implements ManagedDatastore {
  constructor(
    spec: ServerSpec,
    port: number,
    readonly projectId: string,
  ) {
    super(spec, port);
  }

  get emulatorHost(): string {
    return `${this.host}:${this.port}`;
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a server on a free port, taking another port if the first was grabbed meanwhile. */
async function launch<T extends ChildServer>(create: (port: number) => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const server = create(await freePort());
    try {
      await server.start();
      return server;
    } catch (error) {
      if (!(error instanceof ServerStartError && error.addressInUse) || attempt >= PORT_ATTEMPTS)
        throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public starters and client helpers

/** redis-server on a free port: no persistence, in a temporary directory. */
export function startRedis(): Promise<ManagedServer> {
  return launch((port) => new ChildServer(REDIS, port));
}

/** memcached on a free port, TCP only (`-U 0`), as the current user when that is root. */
export function startMemcached(): Promise<ManagedServer> {
  return launch((port) => new ChildServer(MEMCACHED, port));
}

/** The Cloud Datastore emulator on a free port, in memory, with consistency 1.0. */
export function startDatastoreEmulator(
  options: { projectId?: string } = {},
): Promise<ManagedDatastore> {
  const projectId = options.projectId ?? 'test-project';
  return launch((port) => new DatastoreServer(DATASTORE, port, projectId));
}

/**
 * Options for `new Datastore(...)` (@google-cloud/datastore 10) that reach the emulator. An
 * apiEndpoint on 127.0.0.1 makes the client use a plain-text gRPC channel and no Google credentials,
 * as DATASTORE_EMULATOR_HOST would, without touching the process's environment.
 */
export function datastoreClientOptions(server: ManagedDatastore): {
  projectId: string;
  apiEndpoint: string;
} {
  return { projectId: server.projectId, apiEndpoint: server.emulatorHost };
}

/**
 * Closes what a `new Datastore(...)` client opened, so that the test process can end: version 10
 * has no close() of its own; its gRPC clients (one per API, each with close()) sit in `clients_`.
 */
export async function closeDatastoreClient(
  datastore: { clients_: Map<string, unknown> } | undefined,
): Promise<void> {
  // oxlint-disable-next-line no-underscore-dangle -- the client's own name for its gRPC clients
  const clients = [...(datastore?.clients_.values() ?? [])] as { close?: () => Promise<void> }[];
  await Promise.all(clients.map((client) => client.close?.()));
}
