/**
 * Runs a fleet: `processes` child processes (fleet-worker.ts, on the library's TypeScript
 * sources through scripts/swc/register.mjs), each booting OAuth2Module on the same shared store. All
 * report 'ready'; then every one gets 'go' at once and asks for the same token `concurrency`
 * times. Resolves to their reports.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage, WorkerOrders } from './fleet-worker.js';

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../../../scripts/swc/register.mjs', import.meta.url));
const READY_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 60_000;

export type WorkerResult = Extract<WorkerMessage, { type: 'result' }>;

export async function runFleet(processes: number, orders: WorkerOrders): Promise<WorkerResult[]> {
  const children: ChildProcess[] = [];
  const output: string[] = [];
  try {
    const reports = Array.from({ length: processes }, () => {
      const { NODE_OPTIONS: _ignored, ...env } = process.env;
      const child = fork(WORKER, [], {
        execArgv: ['--import', REGISTER],
        env: { ...env, FLEET_WORKER: JSON.stringify(orders) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.push(child);
      const keep = (chunk: Buffer) => output.push(`[${child.pid}] ${chunk.toString('utf8')}`);
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      return {
        ready: message(child, 'ready', READY_TIMEOUT_MS, output),
        result: message(child, 'result', READY_TIMEOUT_MS + RUN_TIMEOUT_MS, output),
      };
    });
    await Promise.all(reports.map((report) => report.ready));
    for (const child of children) child.send('go');
    return (await Promise.all(reports.map((report) => report.result))) as WorkerResult[];
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

/** The child's next message of `type`; rejects on its error report, its exit, or the timeout. */
function message(
  child: ChildProcess,
  type: 'ready' | 'result',
  timeoutMs: number,
  output: string[],
): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`fleet worker ${child.pid}: ${why}\n${output.join('').slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`no '${type}' within ${timeoutMs} ms`), timeoutMs);
    child.on('message', (received: WorkerMessage) => {
      if (received.type === type) {
        clearTimeout(timer);
        resolve(received);
      } else if (received.type === 'error') {
        fail(received.message);
      }
    });
    child.once('exit', (code, signal) => {
      setTimeout(() => fail(`exited (${signal ?? code}) before '${type}'`), 100);
    });
  });
}
