import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Injectable, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  AllowServiceAccounts,
  CallerCredentials,
  EndpointsCredentials,
  GoogleOAuth2Guard,
  GoogleUserCredentials,
  InjectCredentials,
  OAuth2Module,
  Scopes,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

const NO_CLIENT = /no access token will be accepted/;

@Controller('guarded')
class GuardedController {
  @Scopes('openid')
  @Get()
  get() {
    return 'ok';
  }
}

@Controller('optional')
class DecoratorOnlyController {
  @Get()
  get(@InjectCredentials() creds: GoogleUserCredentials | null) {
    return creds?.email ?? null;
  }
}

@Injectable()
class UsesEndpointsCredentials {
  constructor(readonly credentials: EndpointsCredentials) {}
}

@Injectable()
class UsesCallerCredentials {
  constructor(readonly credentials: CallerCredentials) {}
}

const TASKS = 'tasks@p.iam.gserviceaccount.com';

@Controller('jobs')
@AllowServiceAccounts()
class JobsController {
  @Get()
  any() {
    return 'ok';
  }

  /** Inherited by a subclass below: its metadata is found there too. */
  @AllowServiceAccounts('rogue@p.iam.gserviceaccount.com')
  @Get('rogue')
  rogue() {
    return 'ok';
  }
}

@Controller('more-jobs')
class MoreJobsController extends JobsController {}

const CALLER_CONTEXT_OFF = /CallerCredentials is injected but endpoints.callerContext is off/;

/** Which endpoints warnings a whole app logs by the end of `app.init()`. */
describe('endpoints configuration warnings at boot', () => {
  const emulator = new GoogleOAuth2Emulator();
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  async function bootWarnings(module: Parameters<typeof Test.createTestingModule>[0]) {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    warn.mockClear(); // a spy made earlier in the same test is handed back with its calls
    const app = (await Test.createTestingModule(module).compile()).createNestApplication();
    await app.init();
    await app.close();
    return warn.mock.calls.map((call) => String(call[0]));
  }

  it('an app that only mints service-account tokens is not warned', async () => {
    const oauth2 = OAuth2Module.forRoot({
      serviceAccount: emulator.createServiceAccount(),
      google: emulator.urls,
    });
    expect(await bootWarnings({ imports: [oauth2] })).toEqual([]);
  });

  it('an app with a @Scopes route and no allowed client is warned once', async () => {
    const oauth2 = OAuth2Module.forRoot({ google: emulator.urls });
    const warnings = await bootWarnings({ imports: [oauth2], controllers: [GuardedController] });
    expect(warnings.filter((w) => NO_CLIENT.test(w))).toHaveLength(1);
  });

  it('an app with the guard as APP_GUARD and no allowed client is warned once', async () => {
    @Module({
      imports: [OAuth2Module.forRoot({ google: emulator.urls })],
      providers: [{ provide: APP_GUARD, useClass: GoogleOAuth2Guard }],
    })
    class GuardedApp {}
    const warnings = await bootWarnings({ imports: [GuardedApp] });
    expect(warnings.filter((w) => NO_CLIENT.test(w))).toHaveLength(1);
  });

  it.each([
    ['@InjectCredentials() alone', { controllers: [DecoratorOnlyController] }],
    ['a provider injecting EndpointsCredentials', { providers: [UsesEndpointsCredentials] }],
  ])('an app using %s and no allowed client is warned once', async (_name, parts) => {
    const oauth2 = OAuth2Module.forRoot({ google: emulator.urls });
    const warnings = await bootWarnings({ imports: [oauth2], ...parts });
    expect(warnings.filter((w) => NO_CLIENT.test(w))).toHaveLength(1);
  });

  it('an app injecting CallerCredentials without the caller context is warned', async () => {
    const off = OAuth2Module.forRoot({
      google: emulator.urls,
      endpoints: { allowedClientIds: ['web'] },
    });
    const warnings = await bootWarnings({ imports: [off], providers: [UsesCallerCredentials] });
    expect(warnings.filter((w) => CALLER_CONTEXT_OFF.test(w))).toHaveLength(1);
    const on = OAuth2Module.forRoot({
      google: emulator.urls,
      endpoints: { allowedClientIds: ['web'], callerContext: true },
    });
    expect(await bootWarnings({ imports: [on], providers: [UsesCallerCredentials] })).toEqual([]);
  });

  it("@AllowServiceAccounts on the app's controllers (own and inherited handlers) is seen", async () => {
    const unset = OAuth2Module.forRoot({
      google: emulator.urls,
      endpoints: { allowedClientIds: ['web'] },
    });
    expect(await bootWarnings({ imports: [unset], controllers: [JobsController] })).toEqual([
      expect.stringMatching(
        /@AllowServiceAccounts\(\) is used but endpoints.serviceAccounts is not set/,
      ),
    ]);
    const set = OAuth2Module.forRoot({
      google: emulator.urls,
      endpoints: { serviceAccounts: { audiences: ['https://jobs.a.run.app'], allowed: [TASKS] } },
    });
    expect(await bootWarnings({ imports: [set], controllers: [MoreJobsController] })).toEqual([
      expect.stringMatching(
        /names rogue@p.iam.gserviceaccount.com, which endpoints.serviceAccounts.allowed does not list/,
      ),
    ]);
    expect(await bootWarnings({ imports: [set], controllers: [GuardedController] })).toEqual([
      expect.stringMatching(/no route has @AllowServiceAccounts\(\)/),
    ]);
  });
});
