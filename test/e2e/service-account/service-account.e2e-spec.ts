import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { oauth2 } from '@googleapis/oauth2';
import {
  GoogleOAuth2Error,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { startTimeTravel } from '../../support/time-travel.js';

const DRIVE = 'https://www.googleapis.com/auth/drive';
const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';

describe('ServiceAccountCredentialsFactory against the emulator', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'minter@demo.iam.gserviceaccount.com' });
    emulator.addUser({ email: 'ann@example.com' });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    emulator.resetCounts();
  });
  afterAll(() => emulator.stop());

  async function boot(options: Partial<OAuth2ModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ serviceAccount: key, google: emulator.urls, ...options })],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app.get(ServiceAccountCredentialsFactory);
  }

  it('forRoot: mints a token for the service account', async () => {
    const factory = await boot();
    const { token, expiresAt } = await factory.getAccessToken(DRIVE);
    expect(token).toMatch(/^ya29\./);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    const [request] = emulator.requests('token');
    const claims = jwtClaims(new URLSearchParams(String(request!.body)).get('assertion')!);
    expect(claims).toMatchObject({ iss: key.client_email, scope: DRIVE });
    expect(claims.sub).toBeUndefined();
  });

  it('forRootAsync with @nestjs/config: mints a token', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        OAuth2Module.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ google: { key, urls: emulator.urls } })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            serviceAccount: config.getOrThrow('google.key'),
            google: config.getOrThrow('google.urls'),
          }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    const { token } = await app.get(ServiceAccountCredentialsFactory).getAccessToken([DRIVE]);
    expect(token).toMatch(/^ya29\./);
    expect(emulator.requestCount('token')).toBe(1);
  });

  it('acts as a user only after domain-wide delegation is granted', async () => {
    const factory = await boot();
    const refused = await factory.getAccessToken(GMAIL, 'ann@example.com').catch((e) => e);
    expect(refused).toBeInstanceOf(GoogleOAuth2Error);
    expect(refused).toMatchObject({ endpoint: 'token', error: 'unauthorized_client', status: 401 });
    expect(refused.errorDescription).toMatch(/not authorized/);

    emulator.grantDomainWideDelegation(key.client_id, [GMAIL]);
    const { token } = await factory.getAccessToken(GMAIL, 'ann@example.com');
    expect(token).toMatch(/^ya29\./);
    const last = emulator.requests('token').at(-1)!;
    const claims = jwtClaims(new URLSearchParams(String(last.body)).get('assertion')!);
    expect(claims.sub).toBe('ann@example.com');

    const unknown = await factory.getAccessToken(GMAIL, 'nobody@example.com').catch((e) => e);
    expect(unknown).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('1,000 concurrent callers for one key cause one token request', async () => {
    const factory = await boot();
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, () => factory.getAccessToken([DRIVE, USERINFO_EMAIL])),
    );
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(emulator.requestCount('token')).toBe(1);
  });

  it('the same scopes in another order hit the same entry', async () => {
    const factory = await boot();
    const a = await factory.getAccessToken([DRIVE, USERINFO_EMAIL]);
    const b = await factory.getAccessToken(`${USERINFO_EMAIL} ${DRIVE} ${DRIVE}`);
    expect(b.token).toBe(a.token);
    expect(emulator.requestCount('token')).toBe(1);
  });

  it('mints exactly once more when the clock passes expiry minus the margin', async () => {
    const factory = await boot({ refreshMarginSeconds: 300 });
    const travel = startTimeTravel();
    try {
      const first = await factory.getAccessToken(DRIVE);
      const lifetime = first.expiresAt.getTime() - Date.now();
      travel.jump(lifetime - 301_000); // 301 s left: still good
      expect((await factory.getAccessToken(DRIVE)).token).toBe(first.token);
      expect(emulator.requestCount('token')).toBe(1);
      travel.jump(2_000); // 299 s left: inside the margin
      const renewed = await Promise.all(
        Array.from({ length: 50 }, () => factory.getAccessToken(DRIVE)),
      );
      expect(new Set(renewed.map((t) => t.token))).toEqual(new Set([renewed[0]!.token]));
      expect(renewed[0]!.token).not.toBe(first.token);
      expect(emulator.requestCount('token')).toBe(2);
    } finally {
      travel.stop();
    }
  });

  it('build(): a googleapis client call carries the token; a 401 re-mints once and retries once', async () => {
    const factory = await boot();
    const api = oauth2({
      version: 'v2',
      auth: factory.build([USERINFO_EMAIL]) as never,
      rootUrl: emulator.urls.apiRoot,
    });
    const first = await api.userinfo.get();
    expect(first.data.email).toBe(key.client_email);
    const { token } = await factory.getAccessToken(USERINFO_EMAIL);
    expect(emulator.requests('userinfo').at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    expect(emulator.requestCount('token')).toBe(1);

    emulator.revokeToken(token);
    const second = await api.userinfo.get();
    expect(second.data.email).toBe(key.client_email);
    expect(emulator.requestCount('token')).toBe(2);
    expect(emulator.requestCount('userinfo')).toBe(3); // the first call, the refused one, the retry
    expect((await factory.getAccessToken(USERINFO_EMAIL)).token).not.toBe(token);
  });

  it("build(): a second 401 is the caller's to see, after exactly one retry", async () => {
    const factory = await boot();
    const api = oauth2({
      version: 'v2',
      auth: factory.build(USERINFO_EMAIL) as never,
      rootUrl: emulator.urls.apiRoot,
    });
    emulator.failNext('userinfo', { status: 401 }, 2);
    await expect(api.userinfo.get()).rejects.toMatchObject({ status: 401 });
    expect(emulator.requestCount('userinfo')).toBe(2);
    expect(emulator.requestCount('token')).toBe(2);
  });

  it('a token endpoint that does not answer fails within the timeout, and the next call works', async () => {
    const factory = await boot({ requestTimeoutMs: 300 });
    emulator.failNext('token', 'timeout');
    const started = performance.now();
    const err = await factory.getAccessToken(DRIVE).catch((e) => e);
    expect(err).toBeInstanceOf(GoogleOAuth2Error);
    expect(err).toMatchObject({ endpoint: 'token', error: 'timeout' });
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect(factory.getAccessToken(DRIVE)).resolves.toMatchObject({
      token: expect.stringMatching(/^ya29\./),
    });
  });

  it('a 5xx from the token endpoint is retried', async () => {
    const factory = await boot();
    emulator.failNext('token', { status: 503 });
    await expect(factory.getAccessToken(DRIVE)).resolves.toMatchObject({
      token: expect.any(String),
    });
    expect(emulator.requestCount('token')).toBe(2);
  });

  it('a token endpoint that keeps failing is tried three times, then its error surfaces', async () => {
    const factory = await boot();
    emulator.failNext('token', { status: 503 }, 3);
    const err = await factory.getAccessToken(DRIVE).catch((e) => e);
    expect(err).toBeInstanceOf(GoogleOAuth2Error);
    expect(err).toMatchObject({ endpoint: 'token', status: 503 });
    expect(emulator.requestCount('token')).toBe(3);
  });

  it('a key file path works', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sa-'));
    try {
      const written = await emulator.writeServiceAccountFile(dir);
      const factory = await boot({ serviceAccount: written.path });
      await factory.getAccessToken(DRIVE);
      const claims = jwtClaims(
        new URLSearchParams(String(emulator.requests('token')[0]!.body)).get('assertion')!,
      );
      expect(claims.iss).toBe(written.key.client_email);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function jwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}
