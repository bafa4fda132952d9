/**
 * HTTP load from a separate process: wrk (Debian's `wrk` package, /usr/bin/wrk), driven with
 * bench/http/report.lua, which prints wrk's summary as one JSON line.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WRK = process.env.WRK ?? '/usr/bin/wrk';
const SCRIPT = fileURLToPath(new URL('./report.lua', import.meta.url));

export interface WrkLoad {
  url: string;
  /** Open connections, each with one request in flight. */
  connections: number;
  /** Whole seconds. */
  durationSeconds: number;
  /** Sent on every request (e.g. one caller's `Authorization`). */
  headers?: Record<string, string>;
  /** A file of bearer tokens, one per line, sent round-robin instead of `headers`' token. */
  tokensFile?: string;
  /** A request slower than this counts as a timeout. Default 2 s. */
  timeoutSeconds?: number;
}

export interface WrkResult {
  requests: number;
  requestsPerSecond: number;
  /** Socket errors and non-2xx/3xx answers, as wrk counts them. */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMs: { p50: number; p99: number; max: number };
}

/** Runs wrk once (one thread); resolves to its summary. */
export function wrk(load: WrkLoad): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${load.connections}`,
    `-d${load.durationSeconds}s`,
    `--timeout`,
    `${load.timeoutSeconds ?? 2}s`,
    '-s',
    SCRIPT,
  ];
  for (const [name, value] of Object.entries(load.headers ?? {}))
    args.push('-H', `${name}: ${value}`);
  args.push(load.url);
  const env = { ...process.env, BENCH_TOKENS_FILE: load.tokensFile ?? '' };
  return new Promise((resolve, reject) => {
    execFile(
      WRK,
      args,
      { env, timeout: (load.durationSeconds + 30) * 1000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
          return;
        }
        const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
        if (!line) {
          reject(new Error(`wrk printed no summary:\n${stdout}\n${stderr}`));
          return;
        }
        const s = JSON.parse(line) as Record<string, number>;
        resolve({
          requests: s.requests!,
          requestsPerSecond: s.requests! / (s.durationUs! / 1e6),
          errors: {
            connect: s.connect!,
            read: s.read!,
            write: s.write!,
            status: s.status!,
            timeout: s.timeout!,
          },
          latencyMs: { p50: s.p50Us! / 1000, p99: s.p99Us! / 1000, max: s.maxUs! / 1000 },
        });
      },
    );
  });
}

/** Every error wrk counted. */
export function errorCount(result: WrkResult): number {
  const { connect, read, write, status, timeout } = result.errors;
  return connect + read + write + status + timeout;
}
