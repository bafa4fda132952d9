/**
 * One server as a child process: started on its port, probed until it answers, stopped with its
 * process group, and started again on the same port; and `launch`, which finds it a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HOST, portClosed, sleep } from './net-probes.js';
import { GUARD, killGroup, trackGroup, untrackGroup } from './process-groups.js';
import type { ServerSpec } from './server-specs.js';
import type { ManagedDatastore, ManagedServer, ServerKind } from './servers.js';

/** How often a port is taken between asking the OS for it and the server binding it, at most. */
const PORT_ATTEMPTS = 5;
const OUTPUT_LINES_KEPT = 40;
const OUTPUT_LINES_SHOWN = 20;
const STOP_TIMEOUT_MS = 10_000;

class ServerStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

export class ChildServer implements ManagedServer {
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
      untrackGroup(pgid);
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

export class DatastoreServer extends ChildServer implements ManagedDatastore {
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
export async function launch<T extends ChildServer>(create: (port: number) => T): Promise<T> {
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
