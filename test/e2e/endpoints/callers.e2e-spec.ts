import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { startTimeTravel } from '../../support/time-travel.js';
import { createApp, EMAIL_SCOPE, PLATFORMS, WEB_CLIENT, type Platform } from './endpoints-app.js';
import { sendMany } from './load.js';

const CALLERS = 200;

/**
 * Many callers at once: each request must see its own caller, through the request-scoped
 * `EndpointsCredentials` and through `CallerCredentials` (a singleton reading the caller
 * context), with and without a request body (parsed before the handler runs).
 */
describe.each(PLATFORMS)('callers on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  let server: Server;
  const email = (i: number) => `caller-${i}@example.com`;
  let tokens: string[];

  beforeAll(async () => {
    await emulator.start();
    app = await createApp({
      platform,
      emulator,
      endpoints: { allowedClientIds: [WEB_CLIENT], callerContext: true, recheckAfterSeconds: 30 },
    });
    server = app.getHttpServer() as Server;
    tokens = Array.from({ length: CALLERS }, (_, i) =>
      emulator.issueAccessToken({
        email: email(i),
        clientId: WEB_CLIENT,
        scopes: ['openid', EMAIL_SCOPE],
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it.each([
    ['EndpointsCredentials', '/service', false],
    ['EndpointsCredentials, after a body', '/service-body', true],
    ['CallerCredentials', '/caller', false],
    ['CallerCredentials, after a body', '/caller', true],
  ])(
    `%s: the right caller for each of ${CALLERS} concurrent requests from different callers`,
    async (_name, path, withBody) => {
      // Twice: the first round checks every token (tokeninfo), the second hits the cache.
      for (let round = 0; round < 2; round++) {
        const answers = await sendMany(server, CALLERS, CALLERS, (i) => ({
          path,
          token: tokens[i],
          ...(withBody ? { body: { echo: `body-${i}` } } : {}),
        }));
        answers.forEach((answer, i) => {
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.body)).toMatchObject({
            email: email(i),
            ...(withBody ? { echo: `body-${i}` } : {}),
          });
        });
      }
    },
    60_000,
  );

  it('CallerCredentials without a token is null', async () => {
    expect((await request(server).get('/caller').expect(200)).body).toEqual({ email: null });
  });

  it('a revoked token is refused within the configured recheckAfterSeconds (30)', async () => {
    const t = emulator.issueAccessToken({
      email: 'revoked@example.com',
      clientId: WEB_CLIENT,
      scopes: ['openid', EMAIL_SCOPE],
    });
    const whoami = () => request(server).get('/whoami').set('Authorization', `Bearer ${t}`);
    expect((await whoami()).status).toBe(200);
    emulator.revokeToken(t);
    const travel = startTimeTravel();
    try {
      travel.jump(29_000);
      expect((await whoami()).status).toBe(200);
      travel.jump(2_000);
      expect((await whoami()).status).toBe(401);
    } finally {
      travel.stop();
    }
  });
});

describe.each(PLATFORMS)('CallerCredentials with the caller context off, on %s', (platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  beforeAll(async () => {
    await emulator.start();
    app = await createApp({ platform, emulator });
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('cannot find the caller: a server error, not a wrong answer', async () => {
    const res = await request(app.getHttpServer()).get('/caller');
    expect(res.status).toBe(500);
    expect(res.body).not.toHaveProperty('email');
  });
});
