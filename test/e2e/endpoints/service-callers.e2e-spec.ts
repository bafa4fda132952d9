import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Logger, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  AllowServiceAccounts,
  EndpointsCredentials,
  InjectCredentials,
  Scopes,
  type GoogleCaller,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { createApp, EMAIL_SCOPE, PLATFORMS, WEB_CLIENT, type Platform } from './endpoints-app.js';

const RUN_URL = 'https://jobs-abc123-uc.a.run.app';
const IAP_AUD = '/projects/123456789/global/backendServices/987654321';
const IAP_HEADER = 'x-goog-iap-jwt-assertion';
const INVALID_TOKEN = 'Bearer realm="google", error="invalid_token"';
const NOT_ADMITTED = 'Bearer realm="google", error="insufficient_scope"';

/** What a handler sees of its caller. */
function describeCaller(caller: GoogleCaller | null) {
  if (!caller) return { kind: null };
  const common = { kind: caller.kind, email: caller.email, userId: caller.userId };
  switch (caller.kind) {
    case 'user':
      return { ...common, tokenType: caller.tokenType };
    case 'serviceAccount':
      return { ...common, audience: caller.audience, tokenType: caller.tokenType };
    case 'iap':
      return { ...common, audience: caller.audience, hostedDomain: caller.hostedDomain ?? null };
  }
}

@Controller('jobs')
@AllowServiceAccounts()
class JobsController {
  /** Any account on endpoints.serviceAccounts.allowed (the controller's decorator). */
  @Get('run')
  run(@InjectCredentials() caller: GoogleCaller) {
    return describeCaller(caller);
  }

  @Get('tasks-only')
  @AllowServiceAccounts('TASKS@demo-project.iam.gserviceaccount.com')
  tasksOnly(@InjectCredentials() caller: GoogleCaller) {
    return describeCaller(caller);
  }

  /** Users with the email scope, or any allowed service account. */
  @Get('either')
  @Scopes('email')
  @AllowServiceAccounts()
  either(@InjectCredentials() caller: GoogleCaller) {
    return describeCaller(caller);
  }
}

@Controller('people')
class PeopleController {
  @Get('email')
  @Scopes('email')
  email(@InjectCredentials() caller: GoogleCaller) {
    return describeCaller(caller);
  }

  /** Any valid token: users, and IAP callers. */
  @Get('any')
  @Scopes()
  any(@InjectCredentials() caller: GoogleCaller) {
    return describeCaller(caller);
  }

  /** No guard: the decorator gives whoever called, or null. */
  @Get('optional')
  optional(@InjectCredentials() caller: GoogleCaller | null) {
    return describeCaller(caller);
  }
}

/** `EndpointsCredentials.get()` gives Google users only. */
@Controller('credentials')
class CredentialsController {
  constructor(private readonly credentials: EndpointsCredentials) {}

  @Get()
  @AllowServiceAccounts()
  @Scopes()
  async get() {
    const creds = await this.credentials.get();
    return { user: creds?.email ?? null };
  }
}

const CONTROLLERS = [JobsController, PeopleController, CredentialsController];

describe.each(PLATFORMS)('service-account and IAP callers on %s', (platform: Platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let app: INestApplication;
  let server: Server;
  let tasks: string;
  let scheduler: string;
  let outsider: string;

  const saToken = (
    email: string,
    options: { audience?: string; claims?: Record<string, unknown> } = {},
  ) =>
    emulator.issueIdToken({
      email,
      audience: options.audience ?? RUN_URL,
      ...(options.claims ? { claims: options.claims } : {}),
    });
  const iap = (options: Partial<Parameters<GoogleOAuth2Emulator['issueIapAssertion']>[0]> = {}) =>
    emulator.issueIapAssertion({ email: 'alice@example.com', audience: IAP_AUD, ...options });
  const get = (path: string, auth: { bearer?: string; iap?: string } = {}) => {
    let req = request(server).get(path);
    if (auth.bearer !== undefined) req = req.set('Authorization', `Bearer ${auth.bearer}`);
    if (auth.iap !== undefined) req = req.set(IAP_HEADER, auth.iap);
    return req;
  };
  const userToken = () =>
    emulator.issueAccessToken({
      email: 'alice@example.com',
      clientId: WEB_CLIENT,
      scopes: ['openid', EMAIL_SCOPE],
    });

  beforeAll(async () => {
    await emulator.start();
    emulator.addUser({
      email: 'alice@example.com',
      id: '111111111111111111111',
      hostedDomain: 'example.com',
    });
    tasks = emulator.createServiceAccount({
      email: 'tasks@demo-project.iam.gserviceaccount.com',
    }).client_email;
    scheduler = emulator.createServiceAccount({
      email: 'scheduler@demo-project.iam.gserviceaccount.com',
    }).client_email;
    outsider = emulator.createServiceAccount({
      email: 'outsider@demo-project.iam.gserviceaccount.com',
    }).client_email;
    app = await createApp({
      platform,
      emulator,
      controllers: CONTROLLERS,
      endpoints: {
        allowedClientIds: [WEB_CLIENT],
        acceptIdTokens: true,
        audiences: [WEB_CLIENT],
        // Listed in another case: compared without case.
        serviceAccounts: { audiences: [RUN_URL], allowed: [tasks, scheduler.toUpperCase()] },
        iap: { audiences: [IAP_AUD] },
      },
    });
    server = app.getHttpServer() as Server;
  });
  afterEach(() => emulator.resetCounts());
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  describe('service accounts (Google-signed ID tokens for this service)', () => {
    it('an allowed account with the right audience: 200, the caller a ServiceAccountCaller', async () => {
      const res = await get('/jobs/run', { bearer: saToken(tasks) }).expect(200);
      expect(res.body).toEqual({
        kind: 'serviceAccount',
        email: tasks,
        userId: expect.stringMatching(/^\d+$/),
        audience: RUN_URL,
        tokenType: 'id_token',
      });
      await get('/jobs/run', { bearer: saToken(scheduler) }).expect(200);
      // Verified locally: the certs were fetched, tokeninfo never asked.
      expect(emulator.requestCount('tokeninfo')).toBe(0);
    });

    it('a second request with the same token is served from the cache', async () => {
      const t = saToken(tasks);
      await get('/jobs/run', { bearer: t }).expect(200);
      emulator.resetCounts();
      await get('/jobs/run', { bearer: t }).expect(200);
      expect(emulator.requestCount('certs')).toBe(0);
    });

    it.each([
      ['the wrong audience', () => saToken(tasks, { audience: 'https://other-xyz-uc.a.run.app' })],
      ['an account not on the allow-list', () => saToken(outsider)],
      ['an unverified email', () => saToken(tasks, { claims: { email_verified: false } })],
      ['no email', () => saToken(tasks, { claims: { email: undefined } })],
      [
        'an expired token',
        () =>
          saToken(tasks, {
            claims: {
              iat: Math.floor(Date.now() / 1000) - 4000,
              exp: Math.floor(Date.now() / 1000) - 400,
            },
          }),
      ],
    ])('%s: 401 invalid_token', async (_name, make) => {
      const res = await get('/jobs/run', { bearer: make() }).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('a token whose signature Cloud Run removed: 401, and one warning that says why', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        for (let i = 0; i < 2; i++) {
          const [header, payload] = saToken(tasks).split('.');
          const stripped = `${header}.${payload}.SIGNATURE_REMOVED_BY_GOOGLE`;
          const res = await get('/jobs/run', { bearer: stripped }).expect(401);
          expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        }
        const said = warn.mock.calls.map((call) => String(call[0]));
        expect(said.filter((line) => line.includes('SIGNATURE_REMOVED_BY_GOOGLE'))).toHaveLength(1);
        expect(said.join('\n')).not.toContain('eyJ'); // never the token
      } finally {
        warn.mockRestore();
      }
    });

    it('a user ID token on a service-accounts-only route: 403, no scope named', async () => {
      const idToken = emulator.issueIdToken({ email: 'alice@example.com', audience: WEB_CLIENT });
      // The same token is a valid user where users are admitted.
      await get('/people/email', { bearer: idToken }).expect(200);
      const res = await get('/jobs/run', { bearer: idToken }).expect(403);
      expect(res.headers['www-authenticate']).toBe(NOT_ADMITTED);
      expect(res.body.message).toBe('This route does not admit this caller');
      const access = await get('/jobs/run', { bearer: userToken() }).expect(403);
      expect(access.headers['www-authenticate']).toBe(NOT_ADMITTED);
    });

    it('a service account on a @Scopes route: 403, no scope named', async () => {
      for (const path of ['/people/email', '/people/any']) {
        const res = await get(path, { bearer: saToken(tasks) }).expect(403);
        expect(res.headers['www-authenticate']).toBe(NOT_ADMITTED);
      }
    });

    it('a route naming one account admits it and refuses the other allowed one (403)', async () => {
      expect(
        (await get('/jobs/tasks-only', { bearer: saToken(tasks) }).expect(200)).body.email,
      ).toBe(tasks);
      const res = await get('/jobs/tasks-only', { bearer: saToken(scheduler) }).expect(403);
      expect(res.headers['www-authenticate']).toBe(NOT_ADMITTED);
    });

    it('@Scopes with @AllowServiceAccounts admits either kind', async () => {
      expect((await get('/jobs/either', { bearer: saToken(tasks) }).expect(200)).body.kind).toBe(
        'serviceAccount',
      );
      expect((await get('/jobs/either', { bearer: userToken() }).expect(200)).body).toMatchObject({
        kind: 'user',
        email: 'alice@example.com',
        tokenType: 'access_token',
      });
    });

    it('@InjectCredentials on an unguarded route gives the caller; EndpointsCredentials gives users only', async () => {
      expect(
        (await get('/people/optional', { bearer: saToken(tasks) }).expect(200)).body.kind,
      ).toBe('serviceAccount');
      expect((await get('/credentials', { bearer: saToken(tasks) }).expect(200)).body).toEqual({
        user: null,
      });
      expect((await get('/credentials', { bearer: userToken() }).expect(200)).body).toEqual({
        user: 'alice@example.com',
      });
    });
  });

  describe('Identity-Aware Proxy (x-goog-iap-jwt-assertion)', () => {
    it('a valid assertion: 200, the caller an IapCaller', async () => {
      const res = await get('/people/any', { iap: iap() }).expect(200);
      expect(res.body).toEqual({
        kind: 'iap',
        email: 'alice@example.com',
        userId: 'accounts.google.com:111111111111111111111',
        audience: IAP_AUD,
        hostedDomain: 'example.com',
      });
      expect(emulator.requestCount('iapKeys')).toBe(1);
      expect(emulator.requestCount('certs')).toBe(0);
      // The unguarded route sees it too.
      expect((await get('/people/optional', { iap: iap() }).expect(200)).body.kind).toBe('iap');
    });

    it('after rotateIapKeys(), an assertion signed with the new key: 200', async () => {
      await get('/people/any', { iap: iap() }).expect(200);
      emulator.rotateIapKeys({ abrupt: true });
      emulator.resetCounts();
      await get('/people/any', { iap: iap() }).expect(200);
      expect(emulator.requestCount('iapKeys')).toBe(1);
    });

    it('a service account through IAP is an IAP caller', async () => {
      const res = await get('/people/any', { iap: iap({ email: tasks }) }).expect(200);
      expect(res.body).toMatchObject({ kind: 'iap', email: tasks });
    });

    it.each([
      ['the wrong audience', () => iap({ audience: '/projects/123456789/apps/other' })],
      ['the wrong issuer', () => iap({ claims: { iss: 'https://accounts.google.com' } })],
      ['ES256 by a key IAP never published', () => iap({ signedWith: 'unknownKey' })],
      ["RS256 (by Google's ID-token key)", () => iap({ signedWith: 'rs256' })],
      ['an expired assertion', () => iap({ expiresInSeconds: -600 })],
      ['no kid', () => iap({ header: { kid: undefined } })],
      ['garbage', () => 'not-a-jwt'],
      ['an empty header', () => ''],
    ])('%s: 401 invalid_token', async (_name, make) => {
      const res = await get('/people/any', { iap: make() }).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('the header decides: a bad assertion is 401 even beside a valid bearer token', async () => {
      const res = await get('/people/any', {
        iap: iap({ audience: '/projects/1/apps/other' }),
        bearer: userToken(),
      }).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('an IAP caller on a route that requires scopes, or service accounts only: 403', async () => {
      for (const path of ['/people/email', '/jobs/run']) {
        const res = await get(path, { iap: iap() }).expect(403);
        expect(res.headers['www-authenticate']).toBe(NOT_ADMITTED);
      }
    });

    it('without the header, the bearer token is read as usual', async () => {
      expect((await get('/people/any', { bearer: userToken() }).expect(200)).body.kind).toBe(
        'user',
      );
    });
  });

  it("IAP's keys unreachable: 503, the assertion not blamed", async () => {
    const fresh = await createApp({
      platform,
      emulator,
      controllers: CONTROLLERS,
      endpoints: { iap: { audiences: [IAP_AUD] } },
    });
    try {
      const assertion = iap();
      emulator.failNext('iapKeys', { status: 503 }, 2); // the fetch and its one retry
      const res = await request(fresh.getHttpServer())
        .get('/people/any')
        .set(IAP_HEADER, assertion);
      expect(res.status).toBe(503);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(emulator.requestCount('iapKeys')).toBe(2);
    } finally {
      await fresh.close();
    }
  });

  describe('an app without endpoints.iap', () => {
    let plain: INestApplication;
    let plainServer: Server;
    beforeAll(async () => {
      plain = await createApp({
        platform,
        emulator,
        controllers: CONTROLLERS,
        endpoints: {
          allowedClientIds: [WEB_CLIENT],
          serviceAccounts: { audiences: [RUN_URL], allowed: [tasks] },
        },
      });
      plainServer = plain.getHttpServer() as Server;
    });
    afterAll(() => plain.close());

    it('ignores the IAP header: no assertion is read, the bearer token decides', async () => {
      const anon = await request(plainServer).get('/people/any').set(IAP_HEADER, iap()).expect(401);
      expect(anon.headers['www-authenticate']).toBe('Bearer realm="google"');
      const res = await request(plainServer)
        .get('/people/any')
        .set(IAP_HEADER, iap({ signedWith: 'unknownKey' }))
        .set('Authorization', `Bearer ${userToken()}`)
        .expect(200);
      expect(res.body.kind).toBe('user');
      expect(emulator.requestCount('iapKeys')).toBe(0);
    });

    it('reads service accounts ID tokens without acceptIdTokens, and no user ID token', async () => {
      await request(plainServer)
        .get('/jobs/run')
        .set('Authorization', `Bearer ${saToken(tasks)}`)
        .expect(200);
      const idToken = emulator.issueIdToken({ email: 'alice@example.com', audience: WEB_CLIENT });
      const res = await request(plainServer)
        .get('/people/any')
        .set('Authorization', `Bearer ${idToken}`)
        .expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });
  });
});
