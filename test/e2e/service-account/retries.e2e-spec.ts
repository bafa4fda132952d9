import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GoogleOAuth2Error,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import {
  GoogleOAuth2Emulator,
  type EmulatorEndpoint,
  type ServiceAccountKeyFile,
} from 'nestjs-google-oauth2/testing';

const DRIVE = 'https://www.googleapis.com/auth/drive';
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
/** What Google sends with a 429 from its OAuth2 endpoints (the emulator's default body for it). */
const RATE_LIMITED = { status: 429, error: 'RESOURCE_EXHAUSTED' };

/** 429 and 503 from the token endpoint, the metadata server and IAM: the retry schedule. */
describe('rate limits and unavailability from Google', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  const apps: INestApplicationContext[] = [];
  const savedAdc = process.env.GOOGLE_APPLICATION_CREDENTIALS;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'limited@demo.iam.gserviceaccount.com' });
    emulator.addUser({ email: 'ann@example.com' });
    emulator.grantDomainWideDelegation(emulator.defaultServiceAccount.client_id, [GMAIL]);
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS; // keyless cases use the metadata server
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    emulator.resetCounts();
  });
  afterAll(async () => {
    await emulator.stop();
    if (savedAdc !== undefined) process.env.GOOGLE_APPLICATION_CREDENTIALS = savedAdc;
  });

  async function boot(options: Partial<OAuth2ModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ google: emulator.urls, ...options })],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app.get(ServiceAccountCredentialsFactory);
  }

  /** Milliseconds between the recorded requests of `endpoint` matching `path`. */
  function gaps(endpoint: EmulatorEndpoint, path = ''): number[] {
    const times = emulator
      .requests(endpoint)
      .filter((r) => r.path.includes(path))
      .map((r) => r.at);
    return times.slice(1).map((at, i) => at - times[i]!);
  }

  it('token endpoint: 429 with Retry-After: 1, then success: one retry, after at least 1 s', async () => {
    const factory = await boot({ serviceAccount: key });
    emulator.failNext('token', { status: 429, headers: { 'Retry-After': '1' } });
    const started = performance.now();
    const { token } = await factory.getAccessToken(DRIVE);
    expect(token).toMatch(/^ya29\./);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(emulator.requestCount('token')).toBe(2);
    expect(gaps('token')[0]).toBeGreaterThanOrEqual(990); // the emulator's clock: ms resolution
  });

  it("token endpoint: a Retry-After past the request timeout gives Google's error at once", async () => {
    const factory = await boot({ serviceAccount: key, requestTimeoutMs: 2_000 });
    emulator.failNext('token', { status: 429, headers: { 'Retry-After': '30' } });
    const started = performance.now();
    const err = await factory.getAccessToken(DRIVE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleOAuth2Error);
    expect(err).toMatchObject({ endpoint: 'token', ...RATE_LIMITED });
    expect(performance.now() - started).toBeLessThan(1_500); // not waited for nothing
    expect(emulator.requestCount('token')).toBe(1);
  });

  it("token endpoint: 429s that outlast the request timeout end in Google's error", async () => {
    const factory = await boot({ serviceAccount: key, requestTimeoutMs: 1_500 });
    // Two 429s: a third try (which would succeed) would start at 2 s, past the 1.5 s timeout.
    emulator.failNext('token', { status: 429, headers: { 'Retry-After': '1' } }, 2);
    const started = performance.now();
    const err = await factory.getAccessToken(DRIVE).catch((e: unknown) => e);
    expect(err).toMatchObject({ endpoint: 'token', ...RATE_LIMITED });
    expect(emulator.requestCount('token')).toBe(2);
    expect(performance.now() - started).toBeLessThan(1_500 + 500);
    // The next call, once the rate limit is over, works.
    await expect(factory.getAccessToken(DRIVE)).resolves.toMatchObject({
      token: expect.stringMatching(/^ya29\./),
    });
  });

  it('token endpoint: 429 without Retry-After is retried twice after a growing, jittered backoff', async () => {
    const factory = await boot({ serviceAccount: key });
    emulator.failNext('token', { status: 429 }, 3);
    const err = await factory.getAccessToken(DRIVE).catch((e: unknown) => e);
    expect(err).toMatchObject({ endpoint: 'token', ...RATE_LIMITED });
    expect(emulator.requestCount('token')).toBe(3);
    const [first, second] = gaps('token');
    expect(first).toBeGreaterThanOrEqual(100 - 5); // 200 ms × a random 0.5–1
    expect(second).toBeGreaterThanOrEqual(200 - 5); // 400 ms × a random 0.5–1
  });

  it('token endpoint: an HTTP-date Retry-After is honoured too', async () => {
    const factory = await boot({ serviceAccount: key });
    const at = new Date(Math.ceil((Date.now() + 1_500) / 1000) * 1000); // whole seconds
    emulator.failNext('token', { status: 503, headers: { 'Retry-After': at.toUTCString() } });
    await factory.getAccessToken(DRIVE);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 5);
    expect(emulator.requestCount('token')).toBe(2);
  });

  it('metadata server: 503 with Retry-After: 1 is waited out, then the token comes', async () => {
    const factory = await boot(); // no key: the metadata server
    await factory.getAccessToken(GMAIL); // its email and a first token
    emulator.resetCounts();
    emulator.failNext('metadata', { status: 503, headers: { 'Retry-After': '1' } });
    const { token } = await factory.getAccessToken(DRIVE);
    expect(token).toMatch(/^ya29\./);
    expect(gaps('metadata', '/token')[0]).toBeGreaterThanOrEqual(990);
  });

  it('IAM signJwt: 429 with Retry-After: 1 is waited out, then the user gets a token', async () => {
    const factory = await boot();
    await factory.getAccessToken(GMAIL); // the account's email, known before the faults
    emulator.failNext('signJwt', { status: 429, headers: { 'Retry-After': '1' } });
    const { token } = await factory.getAccessToken(GMAIL, 'ann@example.com');
    expect(token).toMatch(/^ya29\./);
    expect(emulator.requestCount('signJwt')).toBe(2);
    expect(gaps('signJwt')[0]).toBeGreaterThanOrEqual(990);
  });

  it('IAM signJwt: a Retry-After past the timeout surfaces as a GoogleOAuth2Error from iamcredentials', async () => {
    const factory = await boot({ requestTimeoutMs: 2_000 });
    await factory.getAccessToken(GMAIL);
    emulator.failNext('signJwt', { status: 429, headers: { 'Retry-After': '60' } });
    const err = await factory.getAccessToken(GMAIL, 'ann@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleOAuth2Error);
    expect(err).toMatchObject({ endpoint: 'iamcredentials', ...RATE_LIMITED });
  });
});
