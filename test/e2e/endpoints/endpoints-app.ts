/** The Nest apps the endpoints e2e tests run, on Express or Fastify, against the emulator. */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { oauth2 } from '@googleapis/oauth2';
import {
  CallerCredentials,
  EndpointsCredentials,
  GoogleOAuth2Guard,
  GoogleUserCredentials,
  InjectCredentials,
  OAuth2Module,
  Public,
  Scopes,
  type EndpointsOptions,
  type GoogleUrls,
} from 'nestjs-google-oauth2';
import type { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';
export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const WEB_CLIENT = '1234-web.apps.googleusercontent.com';
export const ANDROID_CLIENT = '1234-android.apps.googleusercontent.com';
export const OTHER_CLIENT = '9999-other.apps.googleusercontent.com';

const API_ROOT = Symbol('API_ROOT');

/** The seed's example: userinfo through `@googleapis/oauth2` with the caller's token. */
@Controller('userinfo')
class UserInfoController {
  constructor(@Inject(API_ROOT) private readonly rootUrl: string) {}

  @Get()
  @Scopes(EMAIL_SCOPE)
  async info(@InjectCredentials() creds: GoogleUserCredentials) {
    const client = oauth2({ version: 'v2', auth: creds.authClient, rootUrl: this.rootUrl });
    const { data } = await client.userinfo.get();
    return { email: data.email };
  }
}

@Controller()
class RoutesController {
  /** Any valid token. */
  @Get('whoami')
  @Scopes()
  whoami(@InjectCredentials() creds: GoogleUserCredentials) {
    return creds;
  }

  @Get('drive')
  @Scopes(EMAIL_SCOPE, DRIVE_SCOPE)
  drive(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email, scopes: creds.scopes };
  }

  /** No guard: the decorator checks on demand. */
  @Get('optional')
  optional(@InjectCredentials() creds: GoogleUserCredentials | null) {
    return { email: creds?.email ?? null };
  }
}

/** Controller-level scopes; one handler replaces them. */
@Controller('calendar')
@Scopes(CALENDAR_SCOPE)
class CalendarController {
  @Get()
  list(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email };
  }

  @Get('identity')
  @Scopes('email')
  identity(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email };
  }
}

/** Request-scoped through `EndpointsCredentials`. */
@Controller('service')
class ServiceController {
  constructor(private readonly credentials: EndpointsCredentials) {}

  @Get()
  async get() {
    const creds = await this.credentials.get();
    return { email: creds?.email ?? null, scopes: creds?.scopes ?? null };
  }
}

/** A while, so that concurrent requests interleave before the caller is read. */
const aWhile = () => sleep(Math.floor(Math.random() * 5));

/** Request-scoped through `EndpointsCredentials`, with a body (read before the handler runs). */
@Controller('service-body')
class ServiceBodyController {
  constructor(private readonly credentials: EndpointsCredentials) {}

  @Post()
  @HttpCode(200)
  async post(@Body() body: { echo?: string }) {
    await aWhile();
    const creds = await this.credentials.get();
    return { email: creds?.email ?? null, echo: body.echo ?? null };
  }
}

/** A singleton service deep in the call graph: `CallerCredentials`, no request scope. */
@Injectable()
class CallerLookup {
  constructor(private readonly credentials: CallerCredentials) {}

  async email(): Promise<string | null> {
    await aWhile();
    return (await this.credentials.get())?.email ?? null;
  }
}

/** A singleton controller using the singleton service. */
@Controller('caller')
class CallerController {
  constructor(private readonly lookup: CallerLookup) {}

  @Get()
  async get() {
    return { email: await this.lookup.email() };
  }

  @Post()
  @HttpCode(200)
  async post(@Body() body: { echo?: string }) {
    return { email: await this.lookup.email(), echo: body.echo ?? null };
  }
}

/** For the global-guard app. */
@Controller('global')
class GlobalController {
  @Get('undecorated')
  undecorated(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email };
  }

  @Get('public')
  @Public()
  open(@InjectCredentials() creds: GoogleUserCredentials | null) {
    return { email: creds?.email ?? null };
  }

  @Get('drive')
  @Scopes(DRIVE_SCOPE)
  drive(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email };
  }
}

@Controller('public-class')
@Public()
class PublicClassController {
  @Get()
  open() {
    return { ok: true };
  }

  @Get('guarded')
  @Scopes('email')
  guarded(@InjectCredentials() creds: GoogleUserCredentials) {
    return { email: creds.email };
  }
}

export interface AppOptions {
  platform: Platform;
  emulator: GoogleOAuth2Emulator;
  endpoints?: EndpointsOptions;
  /** Google URLs to use instead of the emulator's (the rest stay the emulator's). */
  google?: Partial<GoogleUrls>;
  requestTimeoutMs?: number;
  /** Register `GoogleOAuth2Guard` as `APP_GUARD` and mount the global-guard controllers. */
  globalGuard?: boolean;
  /** Mount these controllers (besides the global-guard ones when `globalGuard`) instead of the usual ones. */
  controllers?: Type[];
}

export async function createApp(options: AppOptions): Promise<INestApplication> {
  const { emulator } = options;
  @Module({
    imports: [
      OAuth2Module.forRoot({
        serviceAccount: emulator.createServiceAccount(),
        google: { ...emulator.urls, ...options.google },
        requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
        endpoints: options.endpoints ?? { allowedClientIds: [WEB_CLIENT] },
      }),
    ],
    controllers: options.controllers
      ? [...(options.globalGuard ? [GlobalController] : []), ...options.controllers]
      : options.globalGuard
        ? [GlobalController, PublicClassController]
        : [
            UserInfoController,
            RoutesController,
            CalendarController,
            ServiceController,
            ServiceBodyController,
            CallerController,
          ],
    providers: [
      CallerLookup,
      { provide: API_ROOT, useValue: emulator.urls.apiRoot },
      ...(options.globalGuard ? [{ provide: APP_GUARD, useClass: GoogleOAuth2Guard }] : []),
    ],
  })
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is its decorator
  class AppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app =
    options.platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  // Listening on a port of its own: the raw-socket tests need one (supertest uses it too).
  await app.listen(0, '127.0.0.1');
  return app;
}
