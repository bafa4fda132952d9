/**
 * The server side of the HTTP scenarios, in a process of its own (forked by bench/http/load.ts,
 * run on the TypeScript sources through scripts/swc/register.mjs): the emulator, and the app of
 * bench/http/app.ts on Express or Fastify (argv[2]), with `endpoints.callerContext` on when
 * argv[3] is `caller-context`, listening on a free port of 127.0.0.1.
 * Answers the parent's orders over IPC (see `ServerOrder`).
 */
// Before any decorated class is defined: swc's decorator metadata needs Reflect.metadata.
// oxlint-disable-next-line import/no-unassigned-import
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { GoogleTokenVerifier } from '../../lib/endpoints/google-token-verifier.js';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { benchHttpApp, CLIENT_ID, EMAIL_SCOPE } from './app.js';

export type Platform = 'express' | 'fastify';

/** What the parent asks. Every order is answered by one `ServerReply` of the same `type`. */
export type ServerOrder =
  /**
   * `count` tokens of distinct callers, issued by the emulator; with `checked`, each checked
   * once by the app's verifier (one tokeninfo call each), so that the app's cache holds them.
   */
  | { type: 'tokens'; count: number; checked?: boolean }
  /** Full garbage collections, then the memory figures. */
  | { type: 'memory'; gc: boolean }
  /** Tokeninfo calls the emulator answered so far. */
  | { type: 'tokeninfo' }
  /** CPU time this process has used so far (user + system). */
  | { type: 'cpu' }
  | { type: 'close' };

export type ServerReply =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'tokens'; tokens: string[] }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'tokeninfo'; calls: number }
  | { type: 'cpu'; micros: number }
  | { type: 'close' }
  | { type: 'error'; message: string };

const reply = (message: ServerReply): Promise<void> =>
  new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));

async function main(): Promise<void> {
  const platform = process.argv[2] as Platform;
  if (platform !== 'express' && platform !== 'fastify') throw new Error(`platform: ${platform}`);
  const callerContext = process.argv[3] === 'caller-context';
  const emulator = await new GoogleOAuth2Emulator().start();
  const module = benchHttpApp(emulator, { callerContext });
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  let callers = 0;
  process.on('message', (order: ServerOrder) => {
    void (async () => {
      switch (order.type) {
        case 'tokens': {
          const tokens = Array.from({ length: order.count }, () =>
            emulator.issueAccessToken({
              email: `caller-${callers++}@example.com`,
              clientId: CLIENT_ID,
              scopes: ['openid', EMAIL_SCOPE],
            }),
          );
          if (order.checked) {
            const verifier = app.get(GoogleTokenVerifier);
            for (const token of tokens) {
              const outcome = await verifier.verify(token);
              if (outcome.status !== 'authenticated')
                throw new Error(`not accepted: ${outcome.status}`);
            }
          }
          await reply({ type: 'tokens', tokens });
          break;
        }
        case 'memory':
          if (order.gc) for (let i = 0; i < 3; i++) globalThis.gc?.();
          await reply({ type: 'memory', ...process.memoryUsage() });
          break;
        case 'tokeninfo':
          await reply({ type: 'tokeninfo', calls: emulator.requestCount('tokeninfo') });
          break;
        case 'cpu': {
          const { user, system } = process.cpuUsage();
          await reply({ type: 'cpu', micros: user + system });
          break;
        }
        case 'close':
          await app.close();
          await emulator.stop();
          await reply({ type: 'close' });
          process.disconnect();
          break;
      }
    })().catch((err: unknown) => reply({ type: 'error', message: String(err) }));
  });
  await reply({ type: 'ready', port, pid: process.pid });
}

main().catch(async (err: unknown) => {
  await reply({
    type: 'error',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  process.exit(1);
});
