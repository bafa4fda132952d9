import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { startTimeTravel } from '../../support/time-travel.js';
import {
  ANDROID_CLIENT,
  CALENDAR_SCOPE,
  createApp,
  DRIVE_SCOPE,
  EMAIL_SCOPE,
  OTHER_CLIENT,
  PLATFORMS,
  WEB_CLIENT,
  type Platform,
} from './endpoints-app.js';
import { rawGet } from './raw-http.js';

const CHALLENGE = 'Bearer realm="google"';
const INVALID_TOKEN = 'Bearer realm="google", error="invalid_token"';

describe.each(PLATFORMS)('Endpoints credentials on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  let server: Server;

  const token = (
    options: {
      email?: string;
      clientId?: string;
      scopes?: string[];
      expiresInSeconds?: number;
    } = {},
  ) =>
    emulator.issueAccessToken({
      email: options.email ?? 'alice@example.com',
      clientId: options.clientId ?? WEB_CLIENT,
      scopes: options.scopes ?? ['openid', EMAIL_SCOPE],
      ...(options.expiresInSeconds !== undefined
        ? { expiresInSeconds: options.expiresInSeconds }
        : {}),
    });
  const get = (path: string, bearer?: string) => {
    const req = request(server).get(path);
    return bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`);
  };

  beforeAll(async () => {
    await emulator.start();
    emulator.addUser({ email: 'alice@example.com', id: '111111111111111111111' });
    emulator.addUser({ email: 'unverified@example.com', emailVerified: false });
    app = await createApp({
      platform,
      emulator,
      endpoints: {
        allowedClientIds: [WEB_CLIENT, ANDROID_CLIENT],
        acceptIdTokens: true,
        audiences: [WEB_CLIENT],
      },
    });
    server = app.getHttpServer() as Server;
  });
  afterEach(() => emulator.resetCounts());
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  describe('the seed example: userinfo as the caller', () => {
    it("calls userinfo through @googleapis/oauth2 with the caller's token", async () => {
      const res = await get('/userinfo', token()).expect(200);
      expect(res.body).toEqual({ email: 'alice@example.com' });
      expect(emulator.requestCount('tokeninfo')).toBe(1);
      expect(emulator.requestCount('userinfo')).toBe(1);
    });

    it('sends the token to tokeninfo in the POST body, never in the URL', async () => {
      const t = token();
      await get('/userinfo', t).expect(200);
      const [call] = emulator.requests('tokeninfo');
      expect(call!.method).toBe('POST');
      expect(call!.path).not.toContain(t);
      expect(new URLSearchParams(call!.body).get('access_token')).toBe(t);
    });

    it('serializes credentials without the token', async () => {
      const t = token({ scopes: ['openid', EMAIL_SCOPE, DRIVE_SCOPE] });
      const res = await get('/whoami', t).expect(200);
      expect(res.text).not.toContain(t);
      expect(res.body).toEqual({
        tokenType: 'access_token',
        email: 'alice@example.com',
        emailVerified: true,
        userId: '111111111111111111111',
        clientId: WEB_CLIENT,
        scopes: ['openid', EMAIL_SCOPE, DRIVE_SCOPE],
        expiresAt: expect.any(String),
      });
    });
  });

  describe('rejections', () => {
    it('no Authorization header: 401, challenge without error', async () => {
      const res = await get('/userinfo').expect(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      expect(res.body).toEqual({
        statusCode: 401,
        message: 'A Google access token is required',
        error: 'Unauthorized',
      });
      expect(emulator.requestCount('tokeninfo')).toBe(0);
    });

    it('another scheme: 401, challenge without error', async () => {
      const res = await request(server)
        .get('/userinfo')
        .set('Authorization', 'Basic YWxpY2U6c2VjcmV0')
        .expect(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it.each([
      ['two tokens', 'Bearer abc def'],
      ['bad characters', 'Bearer abc$def'],
      ['empty', 'Bearer'],
      ['over-long', `Bearer ${'a'.repeat(4097)}`],
    ])('malformed (%s): 401 invalid_token without asking Google', async (_name, header) => {
      const res = await request(server).get('/userinfo').set('Authorization', header).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(emulator.requestCount('tokeninfo')).toBe(0);
    });

    it('the Authorization header twice: 401 invalid_token', async () => {
      const t = token();
      const res = await rawGet(server, '/userinfo', [
        ['Authorization', `Bearer ${t}`],
        ['Authorization', `Bearer ${t}`],
      ]);
      expect(res.status).toBe(401);
      expect(res.head.toLowerCase()).toContain(`www-authenticate: ${INVALID_TOKEN.toLowerCase()}`);
    });

    it('a token in the query string is ignored unless allowed', async () => {
      const res = await request(server).get(`/userinfo?access_token=${token()}`).expect(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it.each([
      ['garbage', () => 'not-a-google-token'],
      ['expired', () => token({ expiresInSeconds: -10 })],
      [
        'revoked',
        () => {
          const t = token();
          emulator.revokeToken(t);
          return t;
        },
      ],
      ["another client's", () => token({ clientId: OTHER_CLIENT })],
      ["an unverified user's", () => token({ email: 'unverified@example.com' })],
    ])('%s token: 401 invalid_token', async (_name, make) => {
      const res = await get('/userinfo', make()).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(res.body).toEqual({
        statusCode: 401,
        message: 'The access token is invalid or expired',
        error: 'Unauthorized',
      });
    });

    it.each([
      ['no identity scope at all', [DRIVE_SCOPE]],
      ['openid but not email', ['openid', DRIVE_SCOPE]],
    ])(
      'a valid token without the email scope (%s): 403 naming it, not 401',
      async (_name, scopes) => {
        const t = token({ scopes });
        const res = await get('/userinfo', t).expect(403);
        expect(res.headers['www-authenticate']).toBe(
          `Bearer realm="google", error="insufficient_scope", scope="${EMAIL_SCOPE}"`,
        );
        // Routes that need more scopes name them too; the decorator alone sees no caller.
        const drive = await get('/drive', t).expect(403);
        expect(drive.headers['www-authenticate']).toContain(
          `scope="${EMAIL_SCOPE} ${DRIVE_SCOPE}"`,
        );
        expect((await get('/optional', t).expect(200)).body).toEqual({ email: null });
        expect(emulator.requestCount('tokeninfo')).toBe(1);
      },
    );

    it('an unverified email is refused as an unverified ID token is', async () => {
      const t = token({ email: 'unverified@example.com' });
      expect((await get('/optional', t).expect(200)).body).toEqual({ email: null });
      const id = emulator.issueIdToken({ email: 'unverified@example.com', audience: WEB_CLIENT });
      await get('/whoami', id).expect(401);
    });

    it('a missing scope: 403 insufficient_scope naming the required scopes', async () => {
      const res = await get('/drive', token()).expect(403);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="google", error="insufficient_scope", scope="${EMAIL_SCOPE} ${DRIVE_SCOPE}"`,
      );
      expect(res.body).toEqual({
        statusCode: 403,
        message: 'The access token does not grant the required scope',
        error: 'Forbidden',
      });
      await get('/drive', token({ scopes: ['email', DRIVE_SCOPE] })).expect(200);
    });

    it("a handler's @Scopes replaces its controller's", async () => {
      const identityOnly = token();
      const res = await get('/calendar', identityOnly).expect(403);
      expect(res.headers['www-authenticate']).toContain(`scope="${CALENDAR_SCOPE}"`);
      await get('/calendar/identity', identityOnly).expect(200);
      await get('/calendar', token({ scopes: [EMAIL_SCOPE, CALENDAR_SCOPE] })).expect(200);
    });
  });

  describe('Google ID tokens', () => {
    const idToken = (
      options: {
        email?: string;
        audience?: string;
        authorizedParty?: string;
        expiresInSeconds?: number;
        claims?: Record<string, unknown>;
      } = {},
    ) =>
      emulator.issueIdToken({
        email: options.email ?? 'alice@example.com',
        audience: options.audience ?? WEB_CLIENT,
        ...(options.authorizedParty ? { authorizedParty: options.authorizedParty } : {}),
        ...(options.expiresInSeconds !== undefined
          ? { expiresInSeconds: options.expiresInSeconds }
          : {}),
        ...(options.claims ? { claims: options.claims } : {}),
      });

    it('are verified locally against the certs, which are fetched once', async () => {
      const first = await get('/whoami', idToken()).expect(200);
      expect(first.body).toMatchObject({
        tokenType: 'id_token',
        email: 'alice@example.com',
        emailVerified: true,
        clientId: WEB_CLIENT,
      });
      await get('/whoami', idToken({ authorizedParty: ANDROID_CLIENT })).expect(200);
      await get('/whoami', idToken({ claims: { iss: 'accounts.google.com' } })).expect(200);
      expect(emulator.requestCount('tokeninfo')).toBe(0);
      expect(emulator.requestCount('certs')).toBeLessThanOrEqual(1);
    });

    it('grant the identity scopes only', async () => {
      await get('/calendar/identity', idToken()).expect(200);
      const res = await get('/drive', idToken()).expect(403);
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    });

    it('accept an expiry within 5 minutes of skew', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await get('/whoami', idToken({ claims: { iat: now - 3660, exp: now - 60 } }));
      expect(res.status).toBe(200);
    });

    const tamper = (jwt: string) => {
      const [header, payload, signature] = jwt.split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[10] = bytes[10]! ^ 0xff;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    };
    const unsigned = () => {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const [, payload] = idToken().split('.');
      return `${part({ alg: 'none', typ: 'JWT' })}.${payload}.${part('x')}`;
    };

    it.each([
      ['a bad signature', () => tamper(idToken())],
      ['alg none', unsigned],
      ['another issuer', () => idToken({ claims: { iss: 'https://evil.example.com' } })],
      ['another audience', () => idToken({ audience: OTHER_CLIENT })],
      ['an unknown authorized party', () => idToken({ authorizedParty: OTHER_CLIENT })],
      ['an expiry beyond the skew', () => idToken({ expiresInSeconds: -400 })],
      ['an issue time in the future', () => idToken({ claims: { iat: Date.now() / 1000 + 600 } })],
      ['an unverified email', () => idToken({ email: 'unverified@example.com' })],
      ['email_verified false', () => idToken({ claims: { email_verified: false } })],
    ])('%s: 401 invalid_token', async (_name, make) => {
      const res = await get('/whoami', make()).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('a key published after the last certs fetch: 200 on first sight', async () => {
      await get('/whoami', idToken()).expect(200); // the certs are held
      emulator.rotateSigningKeys({ abrupt: true }); // published and used at once
      emulator.resetCounts();
      const res = await get('/whoami', idToken()).expect(200);
      expect(res.body).toMatchObject({ tokenType: 'id_token', email: 'alice@example.com' });
      expect(emulator.requestCount('certs')).toBe(1);
    });

    it('junk kids cost one certs fetch per cool-down', async () => {
      await get('/whoami', idToken()).expect(200);
      emulator.resetCounts();
      const junk = (i: number) => {
        const [, payload, signature] = idToken().split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: `junk-${i}` }));
        return `${header.toString('base64url')}.${payload}.${signature}`;
      };
      const first = await get('/whoami', junk(0)).expect(401);
      expect(first.headers['www-authenticate']).toBe(INVALID_TOKEN);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => get('/whoami', junk(i + 1))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(401));
      expect(emulator.requestCount('certs')).toBe(2); // at once, then at the cool-down's end
    });
  });

  describe('caching', () => {
    it('1,000 requests with one token: one tokeninfo call', async () => {
      const t = token();
      for (let batch = 0; batch < 20; batch++) {
        const results = await Promise.all(Array.from({ length: 50 }, () => get('/whoami', t)));
        for (const res of results) expect(res.status).toBe(200);
      }
      expect(emulator.requestCount('tokeninfo')).toBe(1);
    });

    it('concurrent first requests with one token share one tokeninfo call', async () => {
      const t = token();
      const results = await Promise.all(Array.from({ length: 20 }, () => get('/whoami', t)));
      for (const res of results) expect(res.status).toBe(200);
      expect(emulator.requestCount('tokeninfo')).toBe(1);
    });

    it('an invalid token is remembered for 30 s, then checked again', async () => {
      const t = 'ya29.unknown-to-google';
      await get('/whoami', t).expect(401);
      await get('/whoami', t).expect(401);
      expect(emulator.requestCount('tokeninfo')).toBe(1);
      const travel = startTimeTravel();
      try {
        travel.jump(31_000);
        await get('/whoami', t).expect(401);
        expect(emulator.requestCount('tokeninfo')).toBe(2);
      } finally {
        travel.stop();
      }
    });

    it('a revoked token is refused within recheckAfterSeconds (default 300)', async () => {
      const t = token();
      await get('/whoami', t).expect(200);
      emulator.revokeToken(t);
      const travel = startTimeTravel();
      try {
        travel.jump(299_000);
        await get('/whoami', t).expect(200); // still trusted: no call
        expect(emulator.requestCount('tokeninfo')).toBe(1);
        travel.jump(2_000);
        const res = await get('/whoami', t).expect(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        expect(emulator.requestCount('tokeninfo')).toBe(2);
      } finally {
        travel.stop();
      }
    });

    it('a token is checked again once it has expired', async () => {
      const t = token({ expiresInSeconds: 120 });
      await get('/whoami', t).expect(200);
      await get('/whoami', t).expect(200);
      expect(emulator.requestCount('tokeninfo')).toBe(1);
      const travel = startTimeTravel();
      try {
        travel.jump(121_000);
        const res = await get('/whoami', t).expect(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        expect(emulator.requestCount('tokeninfo')).toBe(2);
      } finally {
        travel.stop();
      }
    });
  });

  describe('tokeninfo outage', () => {
    it('5xx: 503, not 401, and not cached', async () => {
      const t = token();
      emulator.failNext('tokeninfo', { status: 503 }, 2); // the first try and its one retry
      const res = await get('/userinfo', t).expect(503);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      const calls = emulator.requestCount('tokeninfo');
      await get('/userinfo', t).expect(200);
      expect(emulator.requestCount('tokeninfo')).toBe(calls + 1);
    });

    it('a timeout: 503 after one request timeout (no retry), not cached', async () => {
      const t = token();
      emulator.failNext('tokeninfo', 'timeout');
      const started = Date.now();
      await get('/whoami', t).expect(503);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(emulator.requestCount('tokeninfo')).toBe(1);
      await get('/whoami', t).expect(200);
    });

    it('a dropped connection is retried once', async () => {
      emulator.failNext('tokeninfo', 'reset');
      expect((await get('/whoami', token())).status).toBe(200);
      emulator.failNext('tokeninfo', 'reset', 2);
      expect((await get('/whoami', token())).status).toBe(503);
    });

    it('one 5xx is absorbed by one quick retry', async () => {
      emulator.failNext('tokeninfo', { status: 502 });
      await get('/whoami', token()).expect(200);
      expect(emulator.requestCount('tokeninfo')).toBe(2);
    });

    it('the certs unreachable: 503 for an ID token', async () => {
      const fresh = await createApp({
        platform,
        emulator,
        endpoints: {
          allowedClientIds: [WEB_CLIENT],
          acceptIdTokens: true,
          audiences: [WEB_CLIENT],
        },
      });
      const travel = startTimeTravel();
      try {
        emulator.failNext('certs', { status: 500 }, 2);
        const whoami = (i: number) =>
          request(fresh.getHttpServer())
            .get('/whoami')
            .set(
              'Authorization',
              `Bearer ${emulator.issueIdToken({ email: `user-${i}@example.com`, audience: WEB_CLIENT })}`,
            );
        expect((await whoami(0)).status).toBe(503);
        expect(emulator.requestCount('certs')).toBe(2); // the fetch and its one retry
        // Until the cool-down ends, no further fetch: 10 callers, no certs call.
        const during = await Promise.all(Array.from({ length: 10 }, (_, i) => whoami(i + 1)));
        expect(during.map((r) => r.status)).toEqual(Array(10).fill(503));
        expect(emulator.requestCount('certs')).toBe(2);
        travel.jump(5_001);
        expect((await whoami(11)).body).toMatchObject({ tokenType: 'id_token' });
        expect(emulator.requestCount('certs')).toBe(3);
      } finally {
        travel.stop();
        await fresh.close();
      }
    });

    it('on a route without a guard, @InjectCredentials() answers 503 too', async () => {
      emulator.failNext('tokeninfo', { status: 500 }, 2);
      const res = await get('/optional', token());
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    });
  });

  describe('@InjectCredentials() without @Scopes', () => {
    it('is null without a valid token, the credentials with one', async () => {
      expect((await get('/optional').expect(200)).body).toEqual({ email: null });
      expect((await get('/optional', 'garbage-token').expect(200)).body).toEqual({ email: null });
      expect((await get('/optional', token()).expect(200)).body).toEqual({
        email: 'alice@example.com',
      });
    });
  });

  describe('EndpointsCredentials (request-scoped)', () => {
    it('is null without a token, the credentials with one', async () => {
      expect((await get('/service').expect(200)).body).toEqual({ email: null, scopes: null });
      const res = await get('/service', token({ scopes: [EMAIL_SCOPE, DRIVE_SCOPE] })).expect(200);
      expect(res.body).toEqual({ email: 'alice@example.com', scopes: [EMAIL_SCOPE, DRIVE_SCOPE] });
    });
  });
});

describe.each(PLATFORMS)('GoogleOAuth2Guard as a global guard on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  let server: Server;
  const token = (scopes: string[] = [EMAIL_SCOPE]) =>
    emulator.issueAccessToken({ email: 'bob@example.com', clientId: WEB_CLIENT, scopes });

  beforeAll(async () => {
    await emulator.start();
    app = await createApp({
      platform,
      emulator,
      globalGuard: true,
      endpoints: { allowedClientIds: [WEB_CLIENT], allowQueryToken: true, realm: 'my-api' },
    });
    server = app.getHttpServer() as Server;
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('an undecorated route needs a valid token, no scope', async () => {
    const res = await request(server).get('/global/undecorated').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="my-api"');
    await request(server)
      .get('/global/undecorated')
      .set('Authorization', `bearer ${token([DRIVE_SCOPE, EMAIL_SCOPE])}`)
      .expect(200, { email: 'bob@example.com' });
  });

  it('@Public() opts out; the decorator still reads a token when there is one', async () => {
    expect((await request(server).get('/global/public')).body).toEqual({ email: null });
    const res = await request(server)
      .get('/global/public')
      .set('Authorization', `Bearer ${token()}`);
    expect(res.body).toEqual({ email: 'bob@example.com' });
  });

  it('@Scopes on a route still checks its scopes', async () => {
    const res = await request(server)
      .get('/global/drive')
      .set('Authorization', `Bearer ${token()}`)
      .expect(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="my-api", error="insufficient_scope", scope="${DRIVE_SCOPE}"`,
    );
  });

  it("a handler's @Scopes wins over its controller's @Public()", async () => {
    expect((await request(server).get('/public-class')).status).toBe(200);
    expect((await request(server).get('/public-class/guarded')).status).toBe(401);
    const res = await request(server)
      .get('/public-class/guarded')
      .set('Authorization', `Bearer ${token()}`);
    expect(res.body).toEqual({ email: 'bob@example.com' });
  });

  it("with allowQueryToken, Nest's default 404 echoes the URL, token included (docs say so)", async () => {
    const t = token();
    const res = await request(server).get(`/no-such-route?access_token=${t}`).expect(404);
    expect(res.text).toContain(t);
  });

  it('takes a query-string token when allowQueryToken is on, but not two ways at once', async () => {
    const t = token();
    await request(server)
      .get(`/global/undecorated?access_token=${encodeURIComponent(t)}`)
      .expect(200, { email: 'bob@example.com' });
    const res = await request(server)
      .get(`/global/undecorated?access_token=${encodeURIComponent(t)}`)
      .set('Authorization', `Bearer ${t}`)
      .expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="my-api", error="invalid_token"');
  });
});
