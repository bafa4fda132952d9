import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  CallerCredentials,
  EndpointsCredentials,
  GoogleOAuth2Guard,
  InjectCredentials,
  Public,
  Scopes,
  type EndpointsOptions,
} from 'nestjs-google-oauth2';
import { CallerContext } from '../../../lib/endpoints/caller-context.js';
import {
  endpointsWarnings,
  type EndpointsUse,
} from '../../../lib/endpoints/endpoints-boot-report.js';
import { EndpointsAuthenticator } from '../../../lib/endpoints/endpoints-authenticator.js';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import { GoogleHttpClient } from '../../../lib/google/google-http-client.js';
import { resolveOAuth2Config } from '../../../lib/oauth2.config.js';

function authenticator(): EndpointsAuthenticator {
  const http = new GoogleHttpClient(1000);
  const config = resolveOAuth2Config({
    endpoints: { allowedClientIds: ['web'] },
    google: { tokenInfo: 'http://127.0.0.1:9/tokeninfo', certs: 'http://127.0.0.1:9/certs' },
  });
  const verifier = new GoogleTokenVerifier(config.endpoints, config, http);
  return new EndpointsAuthenticator(config.endpoints, verifier, http);
}

const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

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

  it.each(['rpc', 'ws', 'graphql'])('the guard refuses a %s context with a clear error', (type) => {
    const guard = new GoogleOAuth2Guard(new Reflector(), authenticator());
    expect(() => guard.canActivate(context(type, Routes, 'guarded'))).toThrow(
      new RegExp(`GoogleOAuth2Guard \\(@Scopes\\) supports HTTP only .*"${type}" context`),
    );
  });

  it('the guard lets a @Public() route through in any context', () => {
    const guard = new GoogleOAuth2Guard(new Reflector(), authenticator());
    expect(guard.canActivate(context('rpc', Routes, 'open'))).toBe(true);
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

  it('CallerCredentials outside a request says why, with the context on or off', async () => {
    for (const callerContext of [true, false]) {
      const config = resolveOAuth2Config({ endpoints: { callerContext } });
      const creds = new CallerCredentials(new CallerContext(config.endpoints), authenticator());
      await expect(creds.get()).rejects.toThrow(
        callerContext ? /outside an HTTP request/ : /needs endpoints.callerContext: true/,
      );
    }
  });
});

describe('route policy', () => {
  const guard = new InspectableGuard(new Reflector(), authenticator());
  const policy = (cls: { prototype: object }, method: string) =>
    guard.policyOf(context('http', cls, method, [{ headers: {} }, {}]));

  it('@Scopes on a handler, its names canonical', () => {
    expect(policy(Routes, 'guarded')).toEqual({ kind: 'token', scopes: [EMAIL] });
  });

  it('is read once per handler and controller, then kept', () => {
    class CountingGuard extends GoogleOAuth2Guard {
      reads = 0;
      protected override getPolicy(ctx: ExecutionContext) {
        this.reads++;
        return super.getPolicy(ctx);
      }
    }
    // One handler, inherited by a controller whose own @Scopes differ.
    @Scopes('https://www.googleapis.com/auth/drive')
    class Inheriting extends ScopedRoutes {}
    const counting = new CountingGuard(new Reflector(), authenticator());
    const attempt = (cls: { prototype: object }) => {
      // No token: 401 every time, after the policy was found.
      const ctx = context('http', cls, 'inherits', [{ headers: {} }, {}]);
      expect(() => counting.canActivate(ctx)).toThrow('A Google access token is required');
    };
    for (let i = 0; i < 5; i++) attempt(ScopedRoutes);
    expect(counting.reads).toBe(1);
    for (let i = 0; i < 5; i++) attempt(Inheriting);
    expect(counting.reads).toBe(2);
    expect(counting.canActivate(context('http', Routes, 'open'))).toBe(true);
    expect(counting.reads).toBe(3);
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
    expect(policy(ScopedRoutes, 'replaces')).toEqual({ kind: 'token', scopes: [EMAIL] });
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
  const NOT_USED: EndpointsUse = {
    takesCallersTokens: false,
    injectsCallerCredentials: false,
    allowServiceAccounts: [],
  };
  const warnings = (endpoints: EndpointsOptions | undefined, use: EndpointsUse = NOT_USED) =>
    endpointsWarnings(resolveOAuth2Config(endpoints ? { endpoints } : {}).endpoints, use);

  it('warns when allowAnyClient is on', () => {
    const found = warnings({ allowAnyClient: true });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/allowAnyClient is on: a Google token issued to ANY OAuth client/);
  });

  it('warns when no client is allowed', () => {
    expect(warnings({ allowedClientIds: [] })).toEqual([
      expect.stringMatching(/no access token will be accepted/),
    ]);
  });

  it('warns when ID tokens are on without audiences', () => {
    expect(warnings({ allowedClientIds: ['web'], acceptIdTokens: true })).toEqual([
      expect.stringMatching(/no ID token will be accepted/),
    ]);
  });

  it('warns when CallerCredentials is injected with the caller context off', () => {
    const use = { ...NOT_USED, takesCallersTokens: true, injectsCallerCredentials: true };
    expect(warnings({ allowedClientIds: ['web'] }, use)).toEqual([
      expect.stringMatching(/CallerCredentials is injected but endpoints.callerContext is off/),
    ]);
    expect(warnings({ allowedClientIds: ['web'], callerContext: true }, use)).toEqual([]);
  });

  it('says nothing for a sound configuration', () => {
    expect(
      warnings({ allowedClientIds: ['web'], acceptIdTokens: true, audiences: ['web'] }),
    ).toEqual([]);
  });

  it('says nothing to an app that does not take callers tokens, but warns one that does', () => {
    expect(warnings(undefined)).toEqual([]);
    expect(warnings(undefined, { ...NOT_USED, takesCallersTokens: true })).toEqual([
      expect.stringMatching(/no access token will be accepted/),
    ]);
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
    const other = { headers: { authorization: 'Bearer a b' }, url: '/' };
    expect(auth.authenticate(other)).toEqual({ status: 'malformed' });
  });

  it('a malformed header is no credentials for the decorator and EndpointsCredentials', async () => {
    const auth = authenticator();
    const request = { headers: { authorization: 'Bearer a b' }, url: '/' };
    expect(await auth.authenticate(request)).toEqual({ status: 'malformed' });
    expect(await auth.credentials(request)).toBeNull();
  });
});
