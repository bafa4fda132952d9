// GoogleOAuth2ExceptionFilter on Express and Fastify: what Google's failures in a handler become
// (502 refused, 503 unreachable or failing, 504 timeout), with Google's error code, no secrets.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  Controller,
  Get,
  Logger,
  Module,
  Query,
  UseFilters,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  GoogleOAuth2ExceptionFilter,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';

const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly';
const DRIVE = 'https://www.googleapis.com/auth/drive';
const USER = 'alice@example.com';
const PLATFORMS = ['express', 'fastify'] as const;

@Controller()
class TokenController {
  constructor(private readonly credentials: ServiceAccountCredentialsFactory) {}

  /** Mints a token (as `user`, if given) and says only when it expires. */
  @Get('token')
  async token(@Query('scope') scope: string, @Query('user') user?: string) {
    const { expiresAt } = await this.credentials.getAccessToken(scope, user);
    return { expiresAt };
  }
}

/** The same route with the filter on its controller; the app that has it has no global filter. */
@Controller('scoped')
@UseFilters(GoogleOAuth2ExceptionFilter)
class ScopedController extends TokenController {}

async function createApp(
  platform: (typeof PLATFORMS)[number],
  emulator: GoogleOAuth2Emulator,
  key: ServiceAccountKeyFile,
  filter: 'global' | 'controller',
): Promise<INestApplication> {
  @Module({
    imports: [
      OAuth2Module.forRoot({ serviceAccount: key, google: emulator.urls, requestTimeoutMs: 2_000 }),
    ],
    controllers: filter === 'global' ? [TokenController] : [TokenController, ScopedController],
    providers:
      filter === 'global' ? [{ provide: APP_FILTER, useClass: GoogleOAuth2ExceptionFilter }] : [],
  })
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is its decorator
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Uses up the faults a test queued beyond what the library's retries took, so that the next test
 * starts clean whatever the retry policy is.
 */
async function drainFaults(emulator: GoogleOAuth2Emulator): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const answer = await fetch(emulator.urls.token, {
      method: 'POST',
      signal: AbortSignal.timeout(300),
    }).catch(() => undefined);
    if (answer?.status === 400) return;
  }
  throw new Error('faults still queued after 20 requests');
}

describe.each(PLATFORMS)('GoogleOAuth2ExceptionFilter on %s', (platform) => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let app: INestApplication;
  /** No global filter: `/token` has none, `/scoped/token` has it on its controller. */
  let unfiltered: INestApplication;
  const warnings: string[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    emulator.addUser({ email: USER });
    emulator.grantDomainWideDelegation(key.client_id, [CALENDAR]);
    app = await createApp(platform, emulator, key, 'global');
    unfiltered = await createApp(platform, emulator, key, 'controller');
  });
  afterAll(async () => {
    await app?.close();
    await unfiltered?.close();
    await emulator.stop();
  });
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
  });
  afterEach(async () => {
    warnings.length = 0;
    await drainFaults(emulator);
  });

  const get = (path: string, target = app) => request(target.getHttpServer()).get(path);

  it('lets a successful call through', async () => {
    const res = await get(`/token?scope=${CALENDAR}&user=${USER}`).expect(200);
    expect(res.body).toEqual({ expiresAt: expect.any(String) });
    expect(warnings).toEqual([]);
  });

  it("a refusal (delegation not granted) is 502 with Google's error, and its description is logged", async () => {
    const res = await get(`/token?scope=${DRIVE}&user=${USER}`).expect(502);
    expect(res.body).toEqual({
      statusCode: 502,
      message: "Google's token endpoint refused the request",
      error: 'unauthorized_client',
    });
    expect(warnings).toEqual([
      expect.stringContaining(
        '502: Google token endpoint: unauthorized_client (Client is unauthorized',
      ),
    ]);
  });

  it('an unknown user is 502 invalid_grant', async () => {
    const res = await get(`/token?scope=${CALENDAR}&user=nobody@example.com`).expect(502);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('Google failing (5xx on every try) is 503', async () => {
    emulator.failNext('token', { status: 503 }, 10);
    const res = await get(`/token?scope=${DRIVE}`).expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      message: "Google's token endpoint is unavailable",
      error: expect.any(String),
    });
  });

  it('Google unreachable (connections reset) is 503 network_error', async () => {
    emulator.failNext('token', 'reset', 10);
    const res = await get(`/token?scope=${DRIVE}&user=x`).expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      message: "Google's token endpoint could not be reached",
      error: 'network_error',
    });
  });

  it('no answer within requestTimeoutMs is 504 timeout', async () => {
    emulator.failNext('token', 'timeout', 3);
    const res = await get(`/token?scope=${CALENDAR}&user=x@example.com`).expect(504);
    expect(res.body).toEqual({
      statusCode: 504,
      message: "Google's token endpoint did not answer in time",
      error: 'timeout',
    });
  });

  it('answers never carry a token, an assertion or the key', async () => {
    const res = await get(`/token?scope=${DRIVE}&user=${USER}`).expect(502);
    const assertions = emulator
      .requests('token')
      .map((req) => new URLSearchParams(req.body).get('assertion'))
      .filter((assertion): assertion is string => Boolean(assertion));
    expect(assertions.length).toBeGreaterThan(0);
    for (const secret of [...assertions, key.private_key, key.private_key_id]) {
      expect(res.text).not.toContain(secret);
    }
    expect(res.text).not.toMatch(/ya29\.|eyJ|PRIVATE KEY/);
  });

  it('works from @UseFilters on a controller too', async () => {
    const res = await get(`/scoped/token?scope=${DRIVE}&user=${USER}`, unfiltered).expect(502);
    expect(res.body.error).toBe('unauthorized_client');
  });

  it('without it, the same refusal is a 500: the filter is opt-in', async () => {
    const res = await get(`/token?scope=${DRIVE}&user=${USER}`, unfiltered);
    expect(res.status).toBe(500);
  });
});
