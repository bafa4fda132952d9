import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import { startForwardingProxy, type ForwardingProxy } from '../../support/forwarding-proxy.js';
import { createApp, EMAIL_SCOPE, PLATFORMS, WEB_CLIENT, type Platform } from './endpoints-app.js';
import { sendMany } from './load.js';

const JUNK_TOKENS = 12_000;
/** The default of `endpoints.maxConcurrentTokenInfoCalls`. */
const DEFAULT_CAP = 64;

/**
 * A flood of random `ya29.…` tokens, as an attacker would send: tokeninfo is asked about each
 * (they look like Google's), but never more than the cap at once, and a known caller keeps
 * their cached check.
 */
describe.each(PLATFORMS)('a flood of junk tokens on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let proxy: ForwardingProxy;
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    await emulator.start();
    // tokeninfo through a proxy that counts the calls in flight, each held 30 ms.
    proxy = await startForwardingProxy(emulator.url, 30);
    app = await createApp({
      platform,
      emulator,
      google: { tokenInfo: `${proxy.url}/tokeninfo` },
      requestTimeoutMs: 10_000,
      endpoints: { allowedClientIds: [WEB_CLIENT] },
    });
    server = app.getHttpServer() as Server;
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await emulator.stop();
  });

  it('costs at most the cap in flight, only 401s or 503s, and never a known caller’s check', async () => {
    const known = emulator.issueAccessToken({
      email: 'known@example.com',
      clientId: WEB_CLIENT,
      scopes: ['openid', EMAIL_SCOPE],
    });
    const [first] = await sendMany(server, 1, 1, () => ({ path: '/whoami', token: known }));
    expect(first!.status).toBe(200);
    expect(emulator.requestCount('tokeninfo')).toBe(1);

    const junk = Array.from(
      { length: JUNK_TOKENS },
      () => `ya29.${randomBytes(96).toString('base64url')}`,
    );
    const answers = await sendMany(server, JUNK_TOKENS, 256, (i) => ({
      path: '/whoami',
      token: junk[i],
    }));
    const statuses = new Map<number, number>();
    for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    expect([...statuses.keys()].filter((s) => s !== 401 && s !== 503)).toEqual([]);
    const refused = statuses.get(401) ?? 0;
    expect(refused).toBeGreaterThan(JUNK_TOKENS / 2);
    // Never more in flight than the cap, seen from outside…
    expect(proxy.peak).toBeLessThanOrEqual(DEFAULT_CAP);
    // …and the cap was reached: the flood was a flood (the library's own count: the proxy sees
    // a call a moment after the library starts it, so on a busy machine it may see fewer).
    expect(app.get(GoogleTokenVerifier).peakTokenInfoCalls).toBe(DEFAULT_CAP);
    // Every refusal was Google's answer (a call retried after a dropped connection counts twice).
    expect(proxy.count - 1).toBeGreaterThanOrEqual(refused);

    const calls = emulator.requestCount('tokeninfo');
    const [after] = await sendMany(server, 1, 1, () => ({ path: '/whoami', token: known }));
    expect(after!.status).toBe(200);
    expect(JSON.parse(after!.body)).toMatchObject({ email: 'known@example.com' });
    expect(emulator.requestCount('tokeninfo')).toBe(calls);
  }, 180_000);

  it('tokens that cannot be Google’s cost no call at all', async () => {
    const before = proxy.count;
    const answers = await sendMany(server, 200, 50, (i) => ({
      path: '/whoami',
      token: i % 2 ? `short${i}` : `ya29.with~tilde+and/slash${i}`,
    }));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect(proxy.count).toBe(before);
  });
});
