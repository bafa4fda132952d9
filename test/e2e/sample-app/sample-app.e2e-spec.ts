import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import {
  DEMO_CLIENT_ID,
  DEMO_DELEGATED_SCOPE,
  DEMO_SERVICE_ACCOUNT,
  DEMO_USER,
  GoogleBackend,
} from '../../../sample-app/google/google-backend.js';
import { curlCommand, tryIt, tryItRequests } from '../../../sample-app/try-it.js';
import { bootSampleApp as boot, restoreSampleEnvAfterAll } from './support.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const DRIVE = 'https://www.googleapis.com/auth/drive';

restoreSampleEnvAfterAll();

describe('the sample app, no credentials configured: the built-in emulator', () => {
  let app: INestApplication;
  let server: Server;
  let google: GoogleBackend;
  let token: string;

  const get = (path: string, bearer?: string) => {
    const req = request(server).get(path);
    return bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`);
  };

  beforeAll(async () => {
    app = await boot();
    server = app.getHttpServer() as Server;
    google = app.get(GoogleBackend);
    token = google.demo!.accessToken;
  });
  afterAll(() => app?.close());

  it('GET / says it talks to the emulator', async () => {
    const res = await get('/').expect(200);
    expect(res.body).toEqual({ status: 'ok', google: 'emulator' });
  });

  it('sets up the demo: user, client, service account, delegated scope, a fake token', () => {
    expect(google.mode).toBe('emulator');
    expect(google.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(google.apiRoot).toBe(`${google.emulatorUrl}/`);
    expect(google.allowedClientIds).toEqual([DEMO_CLIENT_ID]);
    expect(google.demo).toEqual({
      user: DEMO_USER,
      clientId: DEMO_CLIENT_ID,
      accessToken: expect.stringMatching(/^ya29\./),
      serviceAccount: DEMO_SERVICE_ACCOUNT,
      delegatedScope: DEMO_DELEGATED_SCOPE,
    });
  });

  describe('GET /me (the seed example: userinfo as the caller)', () => {
    it('with the printed demo token: the demo user', async () => {
      const res = await get('/me', token).expect(200);
      expect(res.body).toEqual({ email: DEMO_USER, id: expect.stringMatching(/^\d+$/) });
    });

    it('without a token: 401 with a challenge', async () => {
      const res = await get('/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="google"');
    });

    it('with a token the emulator never issued: 401 invalid_token', async () => {
      const res = await get('/me', 'ya29.not-a-token').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="google", error="invalid_token"');
    });
  });

  describe('GET /me/credentials (a request-scoped service on EndpointsCredentials)', () => {
    it("the caller's credentials, without the token", async () => {
      const res = await get('/me/credentials', token).expect(200);
      expect(res.body).toEqual({
        authenticated: true,
        credentials: {
          tokenType: 'access_token',
          email: DEMO_USER,
          emailVerified: true,
          userId: expect.stringMatching(/^\d+$/),
          clientId: DEMO_CLIENT_ID,
          scopes: ['openid', USERINFO_EMAIL],
          expiresAt: expect.any(String),
        },
      });
      expect(res.text).not.toContain(token);
    });

    it.each([
      ['no token', undefined],
      ['an unknown token', 'ya29.not-a-token'],
      ['a malformed token', 'two words'],
    ])('%s: 200 { authenticated: false }', async (_name, bearer) => {
      const res = await get('/me/credentials', bearer).expect(200);
      expect(res.body).toEqual({ authenticated: false });
    });
  });

  describe('GET /service-account/token', () => {
    it('expiry, scopes and user: never the token', async () => {
      const before = Date.now();
      const res = await get(`/service-account/token?scope=${CLOUD_PLATFORM}`).expect(200);
      expect(res.body).toEqual({
        expiresAt: expect.any(String),
        scopes: [CLOUD_PLATFORM],
        user: null,
      });
      expect(Object.keys(res.body)).toEqual(['expiresAt', 'scopes', 'user']);
      expect(res.text).not.toMatch(/ya29\./);
      const expiresAt = Date.parse(res.body.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + 3_000_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    });

    it('the second call is served from the token store: same expiry', async () => {
      const path = `/service-account/token?scope=${CLOUD_PLATFORM}&scope=${DRIVE}`;
      const first = await get(path).expect(200);
      const second = await get(path).expect(200);
      expect(second.body).toEqual(first.body);
      expect(first.body.scopes).toEqual([CLOUD_PLATFORM, DRIVE]);
    });

    it('as the demo user, for the delegated scope', async () => {
      const res = await get(
        `/service-account/token?scope=${DEMO_DELEGATED_SCOPE}&user=${DEMO_USER}`,
      ).expect(200);
      expect(res.body).toEqual({
        expiresAt: expect.any(String),
        scopes: [DEMO_DELEGATED_SCOPE],
        user: DEMO_USER,
      });
      expect(res.text).not.toMatch(/ya29\./);
    });

    it("delegation not granted for the scope: 502 with Google's error, not a 500", async () => {
      const res = await get(`/service-account/token?scope=${DRIVE}&user=${DEMO_USER}`).expect(502);
      expect(res.body).toEqual({
        statusCode: 502,
        message: "Google's token endpoint refused the request",
        error: 'unauthorized_client',
      });
    });

    it('an unknown user: 502 invalid_grant', async () => {
      const res = await get(
        `/service-account/token?scope=${DEMO_DELEGATED_SCOPE}&user=nobody@example.com`,
      ).expect(502);
      expect(res.body.error).toBe('invalid_grant');
    });

    it.each(['', '?scope=', '?scope=%20%20'])('no scope (%j): 400', async (query) => {
      const res = await get(`/service-account/token${query}`).expect(400);
      expect(res.body.message).toMatch(/scope/);
    });
  });

  it("GET /service-account/userinfo: the service account's email, through googleapis", async () => {
    const res = await get('/service-account/userinfo').expect(200);
    expect(res.body).toEqual({ email: DEMO_SERVICE_ACCOUNT });
  });

  describe('service to service: GET /service-to-service/call and /whoami', () => {
    const whoami = '/service-to-service/whoami';

    it("/call: the app's own service account reached /whoami with an ID token for this app", async () => {
      const res = await get('/service-to-service/call').expect(200);
      expect(res.body).toEqual({
        calledWith: 'an ID token of the service account',
        whoami: {
          kind: 'serviceAccount',
          tokenType: 'id_token',
          email: DEMO_SERVICE_ACCOUNT,
          userId: expect.stringMatching(/^\d+$/),
          audience: 'http://localhost:3000',
          expiresAt: expect.any(String),
        },
      });
      expect(res.text).not.toMatch(/eyJ/); // no JWT in the answer
    });

    it('/whoami with the ID token of the app itself: 200 (and again from the cache)', async () => {
      const factory = app.get(ServiceAccountCredentialsFactory);
      const { token: idToken } = await factory.getIdToken('http://localhost:3000');
      for (let i = 0; i < 2; i++) {
        const res = await get(whoami, idToken).expect(200);
        expect(res.body).toMatchObject({ kind: 'serviceAccount', email: DEMO_SERVICE_ACCOUNT });
      }
    });

    it('/whoami with an ID token for another audience: 401 invalid_token', async () => {
      const factory = app.get(ServiceAccountCredentialsFactory);
      const { token: idToken } = await factory.getIdToken('https://another-service.example');
      const res = await get(whoami, idToken).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="google", error="invalid_token"');
    });

    it("/whoami with a user's token: 403 insufficient_scope", async () => {
      const res = await get(whoami, token).expect(403);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="google", error="insufficient_scope"',
      );
    });

    it('/whoami without a token: 401 with a challenge', async () => {
      const res = await get(whoami).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="google"');
    });
  });

  describe('what it prints at boot', () => {
    it('says it runs against the emulator, not Google, and that the token is fake', () => {
      const messages = tryIt(google, 'http://localhost:3000');
      expect(messages[0]).toEqual({
        level: 'warn',
        message: expect.stringMatching(/BUILT-IN GOOGLE EMULATOR at http:\/\/127.*not Google/),
      });
      const demo = messages.find((m) => m.message.includes(token));
      expect(demo?.message).toMatch(/fake token issued by the emulator/);
      // The token appears in the demo-token line and the curl commands, nowhere else.
      expect(messages.filter((m) => m.message.includes(token))).toHaveLength(2);
    });

    it('a curl command for every route', () => {
      const commands = tryItRequests(google).map((r) => curlCommand('http://localhost:3000', r));
      for (const route of [
        '/',
        '/me',
        '/me/credentials',
        '/service-account/token',
        '/service-account/userinfo',
        '/service-to-service/call',
        '/service-to-service/whoami',
      ]) {
        expect(commands.some((c) => c.includes(`'http://localhost:3000${route}`))).toBe(true);
      }
      expect(commands[1]).toBe(
        `curl -s -H "Authorization: Bearer ${token}" 'http://localhost:3000/me'`,
      );
    });

    it('every printed command is answered as its comment says', async () => {
      const statuses: number[] = [];
      for (const r of tryItRequests(google)) statuses.push((await get(r.path, r.bearer)).status);
      expect(statuses).toEqual([200, 200, 401, 200, 200, 200, 502, 200, 200, 403]);
    });
  });
});

describe('the sample app: how it picks Google', () => {
  let app: INestApplication | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-app-e2e-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A service-account key file that no Google knows: the app checks it at boot, offline. */
  async function writeKeyFile(): Promise<string> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const path = join(dir, 'key.json');
    const key = {
      type: 'service_account',
      client_email: 'real-app@my-project.iam.gserviceaccount.com',
      client_id: '123456789012345678901',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    };
    await writeFile(path, JSON.stringify(key), { mode: 0o600 });
    return path;
  }

  it('SERVICE_ACCOUNT_KEY_FILE set: real Google, no emulator, no demo token', async () => {
    app = await boot({ SERVICE_ACCOUNT_KEY_FILE: await writeKeyFile(), OAUTH_CLIENT_IDS: 'a, b' });
    const res = await request(app.getHttpServer()).get('/').expect(200);
    expect(res.body).toEqual({ status: 'ok', google: 'google' });
    const google = app.get(GoogleBackend);
    expect(google.emulatorUrl).toBeUndefined();
    expect(google.demo).toBeUndefined();
    expect(google.urls).toBeUndefined();
    expect(google.apiRoot).toBe('https://www.googleapis.com/');
    expect(google.allowedClientIds).toEqual(['a', 'b']);
    const messages = tryIt(google, 'http://localhost:3000').map((m) => m.message);
    expect(messages.join('\n')).toContain('Bearer $TOKEN');
    expect(messages.join('\n')).not.toMatch(/emulator/i);
  });

  it('GOOGLE_EMULATOR=on: the emulator even with credentials configured', async () => {
    app = await boot({
      GOOGLE_EMULATOR: 'on',
      GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'absent.json'),
    });
    const res = await request(app.getHttpServer()).get('/').expect(200);
    expect(res.body).toEqual({ status: 'ok', google: 'emulator' });
  });

  it('OAUTH_CLIENT_IDS in emulator mode: the demo token goes to the first id', async () => {
    app = await boot({ OAUTH_CLIENT_IDS: 'web.apps.googleusercontent.com,ios' });
    const google = app.get(GoogleBackend);
    expect(google.allowedClientIds).toEqual(['web.apps.googleusercontent.com', 'ios']);
    expect(google.demo!.clientId).toBe('web.apps.googleusercontent.com');
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${google.demo!.accessToken}`)
      .expect(200);
  });

  it('EMULATOR_PORT: the emulator listens there', async () => {
    const probe = await boot();
    const port = Number(new URL(probe.get(GoogleBackend).emulatorUrl!).port);
    await probe.close(); // the port is free again
    app = await boot({ EMULATOR_PORT: String(port) });
    expect(app.get(GoogleBackend).emulatorUrl).toBe(`http://127.0.0.1:${port}`);
  });

  it('app.close() stops the emulator', async () => {
    const closing = await boot();
    const url = closing.get(GoogleBackend).emulatorUrl!;
    await expect(fetch(`${url}/oauth2/v3/certs`)).resolves.toHaveProperty('status', 200);
    await closing.close();
    await expect(fetch(`${url}/oauth2/v3/certs`)).rejects.toThrow('fetch failed');
  });

  it.each([
    [{ GOOGLE_EMULATOR: 'maybe' }, /GOOGLE_EMULATOR must be "on", "off" or unset/],
    [{ PORT: 'http' }, /PORT must be a port number/],
    [{ EMULATOR_PORT: '70000' }, /EMULATOR_PORT must be a port number/],
  ])('a bad setting fails the boot, naming it: %j', async (env, message) => {
    await expect(boot(env)).rejects.toThrow(message);
  });
});
