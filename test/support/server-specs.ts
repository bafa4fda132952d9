/** How each kind of server is started, probed and stopped. */
import { userInfo } from 'node:os';
import { HOST, httpProbe, tcpProbe } from './net-probes.js';
import { findDatastoreEmulator, MISSING } from './server-binaries.js';
import type { ServerKind } from './servers.js';

/** What differs between the kinds of server. */
export interface ServerSpec {
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

export const REDIS: ServerSpec = {
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

export const MEMCACHED: ServerSpec = {
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

export const DATASTORE: ServerSpec = {
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
