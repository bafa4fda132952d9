import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  EndpointsCredentials,
  GoogleOAuth2Guard,
  InjectCredentials,
  Public,
  Scopes,
} from 'nestjs-google-oauth2';
import { EndpointsAuthenticator } from '../../../lib/endpoints/endpoints-authenticator.js';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import { GoogleHttpClient } from '../../../lib/google/google-http-client.js';
import { resolveOAuth2Config } from '../../../lib/oauth2.config.js';

function authenticator(): EndpointsAuthenticator {
  const http = new GoogleHttpClient(1000);
  const verifier = new GoogleTokenVerifier(
    resolveOAuth2Config({
      endpoints: { allowedClientIds: ['web'] },
      google: { tokenInfo: 'http://127.0.0.1:9/tokeninfo', certs: 'http://127.0.0.1:9/certs' },
    }),
    http,
  );
  return new EndpointsAuthenticator(verifier, http);
}

class Routes {
  @Scopes('email')
  guarded(): void {}

  @Public()
  open(): void {}

  plain(): void {}
}

@Scopes('https://www.googleapis.com/auth/calendar')
class ScopedRoutes {
  inherits(): void {}

  @Scopes('email')
  replaces(): void {}

  @Public()
  opensUp(): void {}
}

@Public()
class PublicRoutes {
  open(): void {}

  @Scopes()
  anyToken(): void {}
}

function context(
  type: string,
  cls: { prototype: object },
  method: string,
  args: unknown[] = [{ pattern: 'users.get' }, {}],
): ExecutionContext {
  const handler = (cls.prototype as Record<string, () => void>)[method]!;
  const host = new ExecutionContextHost(args, cls as never, handler);
  host.setType(type);
  return host;
}

class InspectableGuard extends GoogleOAuth2Guard {
  policyOf(ctx: ExecutionContext) {
    return this.getPolicy(ctx);
  }
}

describe('outside HTTP', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(['rpc', 'ws', 'graphql'])(
    'the guard refuses a %s context with a clear error',
    async (type) => {
      const guard = new GoogleOAuth2Guard(new Reflector(), authenticator());
      await expect(guard.canActivate(context(type, Routes, 'guarded'))).rejects.toThrow(
        new RegExp(`GoogleOAuth2Guard \\(@Scopes\\) supports HTTP only .*"${type}" context`),
      );
    },
  );

  it('the guard lets a @Public() route through in any context', async () => {
    const guard = new GoogleOAuth2Guard(new Reflector(), authenticator());
    await expect(guard.canActivate(context('rpc', Routes, 'open'))).resolves.toBe(true);
  });

  it('@InjectCredentials() refuses a non-HTTP context with a clear error', () => {
    class Handler {
      handle(@InjectCredentials() _creds: unknown): void {}
    }
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<
      string,
      { factory: (data: unknown, ctx: ExecutionContext) => unknown }
    >;
    const { factory } = Object.values(args)[0]!;
    expect(() => factory(undefined, context('ws', Handler, 'handle'))).toThrow(
      /@InjectCredentials\(\) supports HTTP only/,
    );
  });

  it('EndpointsCredentials refuses a request that is not HTTP', async () => {
    const creds = new EndpointsCredentials({ pattern: 'users.get', data: {} }, authenticator());
    await expect(creds.get()).rejects.toThrow(/EndpointsCredentials supports HTTP only/);
  });
});

describe('route policy', () => {
  const guard = new InspectableGuard(new Reflector(), authenticator());
  const policy = (cls: { prototype: object }, method: string) =>
    guard.policyOf(context('http', cls, method, [{ headers: {} }, {}]));

  it('@Scopes on a handler', () => {
    expect(policy(Routes, 'guarded')).toEqual({
      kind: 'token',
      scopes: ['email'],
    });
  });

  it('@Public() on a handler', () => {
    expect(policy(Routes, 'open')).toEqual({ kind: 'public' });
  });

  it('no metadata (a global guard): any valid token', () => {
    expect(policy(Routes, 'plain')).toEqual({ kind: 'token', scopes: [] });
  });

  it("the controller's @Scopes applies to an undecorated handler", () => {
    expect(policy(ScopedRoutes, 'inherits')).toEqual({
      kind: 'token',
      scopes: ['https://www.googleapis.com/auth/calendar'],
    });
  });

  it("a handler's @Scopes replaces the controller's", () => {
    expect(policy(ScopedRoutes, 'replaces')).toEqual({ kind: 'token', scopes: ['email'] });
  });

  it("a handler's @Public() opens a @Scopes controller's route", () => {
    expect(policy(ScopedRoutes, 'opensUp')).toEqual({ kind: 'public' });
  });

  it("a handler's @Scopes() closes a @Public() controller's route", () => {
    expect(policy(PublicRoutes, 'open')).toEqual({ kind: 'public' });
    expect(policy(PublicRoutes, 'anyToken')).toEqual({ kind: 'token', scopes: [] });
  });

  it('@Scopes refuses names that cannot be scopes', () => {
    expect(() => Scopes('two words')).toThrow(TypeError);
    expect(() => Scopes('')).toThrow(TypeError);
    expect(() => Scopes('quo"te')).toThrow(TypeError);
  });
});

describe('boot warnings', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  function boot(endpoints: Record<string, unknown> | undefined): string[] {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const verifier = new GoogleTokenVerifier(
      resolveOAuth2Config(endpoints ? { endpoints } : {}),
      new GoogleHttpClient(1000),
    );
    verifier.onModuleInit();
    return warn.mock.calls.map((call) => String(call[0]));
  }

  it('warns when allowAnyClient is on', () => {
    const warnings = boot({ allowAnyClient: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/allowAnyClient is on: a Google token issued to ANY OAuth client/);
  });

  it('warns when no client is allowed', () => {
    const warnings = boot({ allowedClientIds: [] });
    expect(warnings).toEqual([expect.stringMatching(/no access token will be accepted/)]);
  });

  it('warns when ID tokens are on without audiences', () => {
    const warnings = boot({ allowedClientIds: ['web'], acceptIdTokens: true });
    expect(warnings).toEqual([expect.stringMatching(/no ID token will be accepted/)]);
  });

  it('says nothing for a sound configuration', () => {
    expect(boot({ allowedClientIds: ['web'], acceptIdTokens: true, audiences: ['web'] })).toEqual(
      [],
    );
  });

  it('says nothing at boot for an app that does not take callers tokens, but warns once the guard is built', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const http = new GoogleHttpClient(1000);
    const verifier = new GoogleTokenVerifier(resolveOAuth2Config({}), http);
    verifier.onModuleInit();
    expect(warn).not.toHaveBeenCalled();
    const auth = new EndpointsAuthenticator(verifier, http);
    const guards = [1, 2].map(() => new GoogleOAuth2Guard(new Reflector(), auth));
    expect(guards).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/no access token will be accepted/);
  });
});

describe('EndpointsAuthenticator', () => {
  it('checks a request once, however many parts ask', async () => {
    const auth = authenticator();
    const request = { headers: {}, url: '/' };
    const first = auth.authenticate(request);
    expect(auth.authenticate(request)).toBe(first);
    expect(await first).toEqual({ status: 'anonymous' });
    expect(await auth.credentials(request)).toBeNull();
    expect(auth.authenticate({ headers: {}, url: '/' })).not.toBe(first);
  });

  it('a malformed header is no credentials for the decorator and EndpointsCredentials', async () => {
    const auth = authenticator();
    const request = { headers: { authorization: 'Bearer a b' }, url: '/' };
    expect(await auth.authenticate(request)).toEqual({ status: 'malformed' });
    expect(await auth.credentials(request)).toBeNull();
  });
});
