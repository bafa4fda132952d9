/**
 * ID tokens for calling other services: `getIdToken(audience)` and `buildIdTokenClient(audience)`
 * against the emulator, minted with the key (jwt-bearer `target_audience`) and through IAM
 * (`impersonateServiceAccount`), and used against a real HTTP service that verifies them as
 * Cloud Run would: Google's certs (the emulator's), its own audience.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { oauth2 } from '@googleapis/oauth2';
import { OAuth2Client } from 'google-auth-library';
import {
  GoogleOAuth2Error,
  MemoryTokenStore,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
  type StoredToken,
  type TokenStore,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { startTimeTravel } from '../../support/time-travel.js';

const RECEIVER = 'https://receiver-abc123-uc.a.run.app';
const OTHER = 'https://other-def456-uc.a.run.app';
const DRIVE = 'https://www.googleapis.com/auth/drive';
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
const TARGET = 'target@demo.iam.gserviceaccount.com';

/** A TokenStore that keeps what it was given in memory and remembers the keys written. */
class KeyRecordingStore implements TokenStore {
  readonly written: { key: string; token: StoredToken }[] = [];
  private readonly inner = new MemoryTokenStore();
  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, token: StoredToken) {
    this.written.push({ key, token });
    await this.inner.set(key, token);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('service-account ID tokens against the emulator', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let target: ServiceAccountKeyFile;
  const apps: INestApplicationContext[] = [];
  /** The called service: verifies the bearer ID token for RECEIVER; refuses as told. */
  let service: Server;
  let serviceUrl: string;
  let refuseAll = false;
  let refuseNext = 0;
  let serviceRequests = 0;

  async function verify(idToken: string, audience = RECEIVER) {
    const verifier = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs` },
    });
    const ticket = await verifier.verifyIdToken({ idToken, audience });
    return ticket.getPayload()!;
  }

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'caller@demo.iam.gserviceaccount.com' });
    target = emulator.createServiceAccount({ email: TARGET });
    emulator.addUser({ email: 'ann@example.com' });
    service = createServer((req, res) => {
      serviceRequests++;
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (refuseNext > 0) {
        refuseNext--;
        return answer(401, { error: 'unauthenticated' });
      }
      if (!token || refuseAll) return answer(401, { error: 'unauthenticated' });
      verify(token).then(
        (payload) => answer(200, { email: payload.email, path: req.url }),
        () => answer(401, { error: 'invalid token' }),
      );
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    emulator.resetCounts();
    refuseNext = 0;
    refuseAll = false;
    serviceRequests = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => service.close(resolve));
    await emulator.stop();
  });

  async function boot(options: Partial<OAuth2ModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ serviceAccount: key, google: emulator.urls, ...options })],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app.get(ServiceAccountCredentialsFactory);
  }

  describe('with a key (jwt-bearer with target_audience)', () => {
    it('gives an ID token Google signed, for the audience, naming the service account', async () => {
      const factory = await boot();
      const { token, expiresAt } = await factory.getIdToken(RECEIVER);
      const payload = await verify(token);
      expect(payload).toMatchObject({
        aud: RECEIVER,
        email: key.client_email,
        email_verified: true,
        sub: key.client_id,
      });
      expect(expiresAt.getTime()).toBe(payload.exp * 1000);
      expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);

      const [request] = emulator.requests('token');
      const assertion = claimsOf(new URLSearchParams(String(request!.body)).get('assertion')!);
      expect(assertion).toMatchObject({ iss: key.client_email, target_audience: RECEIVER });
      expect(assertion.scope).toBeUndefined();
    });

    it('a warm call makes no request; another audience is another token', async () => {
      const factory = await boot();
      const first = await factory.getIdToken(RECEIVER);
      emulator.resetCounts();
      for (let i = 0; i < 100; i++)
        expect((await factory.getIdToken(RECEIVER)).token).toBe(first.token);
      expect(emulator.requests()).toHaveLength(0);

      const other = await factory.getIdToken(OTHER);
      expect(other.token).not.toBe(first.token);
      expect((await verify(other.token, OTHER)).aud).toBe(OTHER);
      expect(emulator.requestCount('token')).toBe(1);
      // An access token of the same account is a separate entry: it does not answer for them.
      expect((await factory.getAccessToken(DRIVE)).token).toMatch(/^ya29\./);
      expect(emulator.requestCount('token')).toBe(2);
    });

    it('1,000 concurrent callers for one audience cause one token request', async () => {
      const factory = await boot();
      const tokens = await Promise.all(
        Array.from({ length: 1000 }, () => factory.getIdToken(RECEIVER)),
      );
      expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
      expect(emulator.requestCount('token')).toBe(1);
    });

    it('mints exactly once more when the clock passes exp minus the margin', async () => {
      const factory = await boot({ refreshMarginSeconds: 300 });
      const travel = startTimeTravel();
      try {
        const first = await factory.getIdToken(RECEIVER);
        const lifetime = first.expiresAt.getTime() - Date.now();
        travel.jump(lifetime - 301_000); // 301 s left: still good
        expect((await factory.getIdToken(RECEIVER)).token).toBe(first.token);
        expect(emulator.requestCount('token')).toBe(1);
        travel.jump(2_000); // 299 s left: inside the margin
        const renewed = await Promise.all(
          Array.from({ length: 50 }, () => factory.getIdToken(RECEIVER)),
        );
        expect(new Set(renewed.map((t) => t.token)).size).toBe(1);
        expect(renewed[0]!.token).not.toBe(first.token);
        expect(renewed[0]!.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
        expect(emulator.requestCount('token')).toBe(2);
      } finally {
        travel.stop();
      }
    });

    it('is stored under a hashed key of its own namespace, in the one StoredToken shape', async () => {
      const store = new KeyRecordingStore();
      const factory = await boot({ tokenStore: store });
      const { token, expiresAt } = await factory.getIdToken(RECEIVER);
      expect(store.written).toHaveLength(1);
      const [{ key: storeKey, token: stored }] = store.written as [
        { key: string; token: StoredToken },
      ];
      expect(storeKey).toMatch(/^sa-id-token:v1:[A-Za-z0-9_-]{43}$/);
      expect(storeKey).not.toContain('receiver');
      expect(stored).toEqual({ accessToken: token, expiresAt: expiresAt.getTime(), scopes: [] });

      // Another process on the same store reads it instead of minting.
      const second = await boot({ tokenStore: store });
      expect((await second.getIdToken(RECEIVER)).token).toBe(token);
      expect(emulator.requestCount('token')).toBe(1);
    });

    it.each([
      ['an empty string', ''],
      ['blanks', '   '],
      ['a number', 42],
      ['undefined', undefined],
    ])('refuses %s as the audience with a TypeError, asking nothing', async (_, audience) => {
      const factory = await boot();
      await expect(factory.getIdToken(audience as string)).rejects.toThrow(
        new TypeError(
          'an ID token needs an audience: a non-empty string, such as the URL of the called service',
        ),
      );
      expect(() => factory.buildIdTokenClient(audience as string)).toThrow(TypeError);
      expect(emulator.requests()).toHaveLength(0);
    });

    it('an answer without a usable exp is invalid_response, which never echoes the token', async () => {
      const factory = await boot();
      const noExp = emulator.issueIdToken({
        email: key.client_email,
        audience: RECEIVER,
        claims: { exp: undefined },
      });
      emulator.failNext('token', { status: 200, body: { id_token: noExp } });
      const err = (await factory.getIdToken(RECEIVER).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(GoogleOAuth2Error);
      expect(err).toMatchObject({ endpoint: 'token', error: 'invalid_response' });
      expect(err.message).not.toContain(noExp.split('.')[1]!);
      expect(JSON.stringify(err)).not.toContain(noExp.split('.')[1]!);
      // Nothing was kept: the next call mints a good one.
      expect(claimsOf((await factory.getIdToken(RECEIVER)).token).aud).toBe(RECEIVER);
    });
  });

  describe('buildIdTokenClient', () => {
    it('with fetch: getRequestHeaders() gives a Headers carrying the ID token', async () => {
      const factory = await boot();
      const client = factory.buildIdTokenClient(RECEIVER);
      const headers = await client.getRequestHeaders();
      expect(headers).toBeInstanceOf(Headers);
      const { token } = await factory.getIdToken(RECEIVER);
      expect(headers.get('authorization')).toBe(`Bearer ${token}`);
      const res = await fetch(`${serviceUrl}/hello`, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ email: key.client_email, path: '/hello' });
      expect(emulator.requestCount('token')).toBe(1);
    });

    it('as auth of a googleapis client: the call carries the ID token', async () => {
      const factory = await boot();
      const api = oauth2({
        version: 'v2',
        auth: factory.buildIdTokenClient(RECEIVER) as never,
        rootUrl: `${serviceUrl}/`,
      });
      const { data } = await api.userinfo.get();
      expect(data).toEqual({ email: key.client_email, path: '/oauth2/v2/userinfo' });
      await api.userinfo.get();
      expect(emulator.requestCount('token')).toBe(1);
    });

    it('request(): a 401 drops the token, re-mints once and retries once', async () => {
      const factory = await boot();
      const client = factory.buildIdTokenClient(RECEIVER);
      const first = await client.request<{ email: string }>({ url: `${serviceUrl}/a` });
      expect(first.data.email).toBe(key.client_email);
      refuseNext = 1; // the called service refuses the token once (say, its certs lagged)

      const second = await client.request<{ email: string }>({ url: `${serviceUrl}/b` });
      expect(second.status).toBe(200);
      expect(emulator.requestCount('token')).toBe(2);
      expect(serviceRequests).toBe(3); // the first call, the refused one, the retry
    });

    it("a second 401 is the caller's to see, after exactly one retry", async () => {
      const factory = await boot();
      const client = factory.buildIdTokenClient(RECEIVER);
      refuseAll = true;
      await expect(client.request({ url: `${serviceUrl}/c` })).rejects.toMatchObject({
        status: 401,
      });
      expect(serviceRequests).toBe(2);
      expect(emulator.requestCount('token')).toBe(2);
    });
  });

  describe('impersonateServiceAccount (IAM Credentials)', () => {
    it('ID tokens through generateIdToken, called with a token of the own key', async () => {
      const factory = await boot({ impersonateServiceAccount: TARGET });
      const { token, expiresAt } = await factory.getIdToken(RECEIVER);
      const payload = await verify(token);
      expect(payload).toMatchObject({ aud: RECEIVER, email: TARGET, email_verified: true });
      expect(expiresAt.getTime()).toBe(payload.exp * 1000);

      const [call] = emulator.requests('generateIdToken');
      expect(call!.path).toBe(
        `/v1/projects/-/serviceAccounts/${encodeURIComponent(TARGET)}:generateIdToken`,
      );
      expect(JSON.parse(String(call!.body))).toEqual({ audience: RECEIVER, includeEmail: true });
      // The caller's own cloud-platform token, minted once with its key.
      const [mint] = emulator.requests('token');
      const assertion = claimsOf(new URLSearchParams(String(mint!.body)).get('assertion')!);
      expect(assertion).toMatchObject({
        iss: key.client_email,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      });

      // Warm: nothing asked; another audience costs one IAM call, not another caller token.
      expect((await factory.getIdToken(RECEIVER)).token).toBe(token);
      await factory.getIdToken(OTHER);
      expect(emulator.requestCount('generateIdToken')).toBe(2);
      expect(emulator.requestCount('token')).toBe(1);
    });

    it('plain access tokens through generateAccessToken: the target account’s', async () => {
      const factory = await boot({ impersonateServiceAccount: TARGET });
      const { token, expiresAt } = await factory.getAccessToken([DRIVE]);
      expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);
      const info = await (
        await fetch(`${emulator.urls.tokenInfo}?access_token=${encodeURIComponent(token)}`)
      ).json();
      expect(info).toMatchObject({ azp: target.client_id, scope: DRIVE });
      const [call] = emulator.requests('generateAccessToken');
      expect(JSON.parse(String(call!.body))).toEqual({ scope: [DRIVE], lifetime: '3600s' });
      expect((await factory.getAccessToken(DRIVE)).token).toBe(token);
      expect(emulator.requestCount('generateAccessToken')).toBe(1);
    });

    it("a user's token through signJwt on the target account (domain-wide delegation)", async () => {
      emulator.grantDomainWideDelegation(target.client_id, [GMAIL]);
      const factory = await boot({ impersonateServiceAccount: TARGET });
      const { token } = await factory.getAccessToken(GMAIL, 'ann@example.com');
      const info = await (
        await fetch(`${emulator.urls.tokenInfo}?access_token=${encodeURIComponent(token)}`)
      ).json();
      expect(info).toMatchObject({ azp: target.client_id, scope: GMAIL });
      const [sign] = emulator.requests('signJwt');
      expect(sign!.path).toContain(encodeURIComponent(TARGET));
      const payload = JSON.parse(JSON.parse(String(sign!.body)).payload);
      expect(payload).toMatchObject({ iss: TARGET, sub: 'ann@example.com', scope: GMAIL });
    });

    it('keeps its tokens apart from the own account’s (cache keys name the target)', async () => {
      const store = new KeyRecordingStore();
      const own = await boot({ tokenStore: store });
      const impersonating = await boot({ tokenStore: store, impersonateServiceAccount: TARGET });
      const mine = await own.getIdToken(RECEIVER);
      const theirs = await impersonating.getIdToken(RECEIVER);
      expect(claimsOf(mine.token).email).toBe(key.client_email);
      expect(claimsOf(theirs.token).email).toBe(TARGET);
    });

    it('IAM refusing the target is a GoogleOAuth2Error from iamcredentials', async () => {
      const factory = await boot({
        impersonateServiceAccount: 'nobody@demo.iam.gserviceaccount.com',
      });
      await expect(factory.getIdToken(RECEIVER)).rejects.toMatchObject({
        endpoint: 'iamcredentials',
        status: 404,
      });
    });
  });
});
