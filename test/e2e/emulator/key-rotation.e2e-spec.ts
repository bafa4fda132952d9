/**
 * Google rotates its ID-token signing keys by publishing the next key before signing with it. A
 * Nest app guarded by the library, under steady traffic of ID tokens, must let every request
 * through a rotation done that way, without fetching the certs again; and through an abrupt one
 * (a key published and used at once, after the app's last certs fetch) too, at the cost of one
 * fetch.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { createApp, PLATFORMS, WEB_CLIENT, type Platform } from '../endpoints/endpoints-app.js';

/** Requests in flight at once, and how many each phase sends. */
const CONCURRENCY = 8;
const REQUESTS_PER_PHASE = 200;

describe.each(PLATFORMS)('key rotation under traffic, on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  let server: Server;

  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  // A fresh app for each test: its guard fetches the certs on the test's first request.
  beforeEach(async () => {
    app = await createApp({
      platform,
      emulator,
      endpoints: { allowedClientIds: [WEB_CLIENT], acceptIdTokens: true, audiences: [WEB_CLIENT] },
    });
    server = app.getHttpServer() as Server;
  });
  afterEach(() => app.close());

  const idToken = () => emulator.issueIdToken({ email: 'rita@example.com', audience: WEB_CLIENT });

  /**
   * Sends `count` requests to a guarded route, CONCURRENCY at a time, each with the token
   * `pick(i)` returns when it is sent; `midway` runs once half of them have been answered. Resolves
   * to the status of each request, in the order sent.
   */
  async function traffic(
    count: number,
    pick: (i: number) => string,
    midway: () => void,
  ): Promise<number[]> {
    const statuses: number[] = [];
    let sent = 0;
    let answered = 0;
    const worker = async () => {
      while (sent < count) {
        const i = sent++;
        const res = await request(server)
          .get('/whoami')
          .set('Authorization', `Bearer ${pick(i)}`);
        statuses[i] = res.status;
        if (++answered === Math.floor(count / 2)) midway();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return statuses;
  }

  it('Google-style: tokens signed before and right after the rotation all pass, and the certs are not fetched again', async () => {
    const before = idToken();
    await request(server).get('/whoami').set('Authorization', `Bearer ${before}`).expect(200);
    emulator.resetCounts();

    let after: string | undefined;
    const statuses = await traffic(
      REQUESTS_PER_PHASE,
      // Before the rotation: the old token; after it: new tokens and the old one, alternately.
      (i) => (after !== undefined && i % 2 === 0 ? after : before),
      () => {
        emulator.rotateSigningKeys();
        after = idToken();
      },
    );

    expect(after).toBeDefined();
    const kid = (jwt: string) =>
      (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    expect(kid(after!)).not.toBe(kid(before));
    expect(statuses).toHaveLength(REQUESTS_PER_PHASE);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(emulator.requestCount('certs')).toBe(0);
    // The new key signs the tokens that passed after the rotation.
    await request(server).get('/whoami').set('Authorization', `Bearer ${after}`).expect(200);
  });

  it('abrupt: a key published after the last certs fetch is taken on first sight, with one fetch', async () => {
    const before = idToken();
    await request(server).get('/whoami').set('Authorization', `Bearer ${before}`).expect(200);
    emulator.resetCounts();

    let after: string | undefined;
    const statuses = await traffic(
      REQUESTS_PER_PHASE,
      (i) => (after !== undefined && i % 2 === 0 ? after : before),
      () => {
        emulator.rotateSigningKeys({ abrupt: true });
        after = idToken();
      },
    );

    // The first request naming the new kid fetches the certs again at once; the others wait
    // for that one fetch.
    expect(statuses).toHaveLength(REQUESTS_PER_PHASE);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(emulator.requestCount('certs')).toBe(1);
  });
});
