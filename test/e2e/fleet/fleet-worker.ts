/**
 * One instance of the fleet: a child process that boots OAuth2Module on a shared token store,
 * says 'ready', waits for 'go', then asks for the same token `concurrency` times at once and
 * reports what it got. Run by fleet.ts with `node --import scripts/swc/register.mjs fleet-worker.ts`;
 * its orders come in the FLEET_WORKER environment variable (JSON).
 */
// Before any decorated class is defined: swc's decorator metadata needs Reflect.metadata.
// oxlint-disable-next-line import/no-unassigned-import
import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type GoogleUrls,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
} from 'nestjs-google-oauth2';
import { makeStore, type StoreSpec } from './store-spec.js';

export interface WorkerOrders {
  store: StoreSpec;
  google: Partial<GoogleUrls>;
  keyFile: string;
  scopes: string[];
  subject?: string;
  /** Ask for ID tokens of this audience (`getIdToken`) instead of access tokens. */
  idTokenAudience?: string;
  concurrency: number;
  storeTimeoutMs?: number;
}

export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | {
      type: 'result';
      pid: number;
      ok: number;
      failures: string[];
      tokens: string[];
      logs: string[];
      elapsedMs: number;
    }
  | { type: 'error'; pid: number; message: string };

const send = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));

/** Keeps what the module logs (warnings and errors), to be checked by the test. */
class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push(['warn', message, ...rest].map(String).join(' '));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(['error', message, ...rest].map(String).join(' '));
  }
}

async function main(): Promise<void> {
  const orders = JSON.parse(process.env.FLEET_WORKER ?? '') as WorkerOrders;
  const { store, close } = makeStore(orders.store);
  const logger = new CollectingLogger();
  const app = await NestFactory.createApplicationContext(
    OAuth2Module.forRoot({
      serviceAccount: orders.keyFile,
      google: orders.google,
      tokenStore: store,
      endpoints: { allowedClientIds: ['fleet-test-client'] }, // no boot warning about it
      ...(orders.storeTimeoutMs ? { storeTimeoutMs: orders.storeTimeoutMs } : {}),
    }),
    { logger },
  );
  const factory = app.get(ServiceAccountCredentialsFactory);
  // Open the store's connection before the start, so that the race is the lock's, not the socket's.
  await store.get('fleet-warm-up');
  const go = new Promise<void>((resolve) =>
    process.on('message', (message) => message === 'go' && resolve()),
  );
  await send({ type: 'ready', pid: process.pid });
  await go;

  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: orders.concurrency }, () =>
      orders.idTokenAudience !== undefined
        ? factory.getIdToken(orders.idTokenAudience)
        : factory.getAccessToken(orders.scopes, orders.subject),
    ),
  );
  const elapsedMs = performance.now() - started;
  const tokens = new Set<string>();
  const failures: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') tokens.add(result.value.token);
    else failures.push(String(result.reason));
  }
  await send({
    type: 'result',
    pid: process.pid,
    ok: results.length - failures.length,
    failures: failures.slice(0, 5),
    tokens: [...tokens],
    logs: logger.lines,
    elapsedMs,
  });
  await app.close();
  await close();
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ type: 'error', pid: process.pid, message: String(error) }).catch(() => undefined);
    process.exit(1);
  },
);
