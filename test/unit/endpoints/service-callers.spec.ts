import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  AllowServiceAccounts,
  GoogleOAuth2Guard,
  Scopes,
  type EndpointsOptions,
} from 'nestjs-google-oauth2';
import { endpointsWarnings } from '../../../lib/endpoints/endpoints-boot-report.js';
import { EndpointsAuthenticator } from '../../../lib/endpoints/endpoints-authenticator.js';
import { resolveEndpointsOptions } from '../../../lib/endpoints/endpoints-options.js';
import { parseJwks } from '../../../lib/endpoints/google-certs.js';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import {
  checkIapClaims,
  checkServiceAccountClaims,
  decodeJwt,
  hasValidSignature,
} from '../../../lib/endpoints/id-token.js';
import {
  NO_SCOPE_HELPS,
  refusal,
  type TokenRoutePolicy,
} from '../../../lib/endpoints/route-policy.js';
import {
  verifiedIapCaller,
  verifiedServiceAccount,
  verifiedUser,
} from '../../../lib/endpoints/token-verification.js';
import { GoogleHttpClient } from '../../../lib/google/google-http-client.js';
import { resolveOAuth2Config } from '../../../lib/oauth2.config.js';

const RUN_URL = 'https://api-abc123-uc.a.run.app';
const TASKS = 'tasks@my-project.iam.gserviceaccount.com';
const SCHEDULER = 'scheduler@my-project.iam.gserviceaccount.com';
const IAP_AUD = '/projects/123456789/global/backendServices/987654321';
const accounts = resolveEndpointsOptions({
  serviceAccounts: {
    audiences: [RUN_URL],
    allowed: [TASKS, 'Scheduler@My-Project.iam.gserviceaccount.com'],
  },
}).serviceAccounts!;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function saClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'https://accounts.google.com',
    azp: '101234567890123456789',
    aud: RUN_URL,
    sub: '101234567890123456789',
    email: TASKS,
    email_verified: true,
    iat: now(),
    exp: now() + 3600,
    ...overrides,
  };
}

function iapClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'https://cloud.google.com/iap',
    aud: IAP_AUD,
    sub: 'accounts.google.com:1234',
    email: 'alice@example.com',
    hd: 'example.com',
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
}

describe('endpoints.serviceAccounts and endpoints.iap options', () => {
  it('resolves them: emails in lower case, ID tokens read without acceptIdTokens', () => {
    const options = resolveEndpointsOptions({
      serviceAccounts: { audiences: [RUN_URL], allowed: ['Tasks@X.iam.gserviceaccount.com'] },
      iap: { audiences: [IAP_AUD] },
    });
    expect(options.serviceAccounts).toEqual({
      audiences: [RUN_URL],
      allowed: new Set(['tasks@x.iam.gserviceaccount.com']),
    });
    expect(options.iap).toEqual({ audiences: [IAP_AUD] });
    expect(options.readsIdTokens).toBe(true);
    expect(options.acceptIdTokens).toBe(false);
    expect(options.configured).toBe(true);
    expect(resolveEndpointsOptions({}).serviceAccounts).toBeUndefined();
    expect(resolveEndpointsOptions({}).iap).toBeUndefined();
  });

  it.each([
    ['serviceAccounts', { serviceAccounts: 'yes' }, /"endpoints.serviceAccounts" must be/],
    ['serviceAccounts', { serviceAccounts: [] }, /"endpoints.serviceAccounts" must be/],
    [
      'serviceAccounts.audiences',
      { serviceAccounts: { allowed: [TASKS] } },
      /"endpoints.serviceAccounts.audiences" must list at least one value/,
    ],
    [
      'serviceAccounts.audiences',
      { serviceAccounts: { audiences: [''], allowed: [TASKS] } },
      /"endpoints.serviceAccounts.audiences" must be a list of non-empty strings/,
    ],
    [
      'serviceAccounts.allowed',
      { serviceAccounts: { audiences: [RUN_URL], allowed: [] } },
      /"endpoints.serviceAccounts.allowed" must list at least one value/,
    ],
    [
      'serviceAccounts.allowed',
      { serviceAccounts: { audiences: [RUN_URL], allowed: ['1234.apps.googleusercontent.com'] } },
      /"endpoints.serviceAccounts.allowed": "1234.apps.googleusercontent.com" is not an email/,
    ],
    ['iap', { iap: true }, /"endpoints.iap" must be/],
    ['iap.audiences', { iap: {} }, /"endpoints.iap.audiences" must list at least one value/],
    ['iap.audiences', { iap: { audiences: IAP_AUD } }, /"endpoints.iap.audiences" must be a list/],
  ])('refuses a bad %s with a TypeError naming it', (_name, options, message) => {
    expect(() => resolveEndpointsOptions(options as EndpointsOptions)).toThrow(TypeError);
    expect(() => resolveEndpointsOptions(options as EndpointsOptions)).toThrow(message);
  });
});

describe('checkServiceAccountClaims', () => {
  it('accepts an allowed, verified service account for this audience', () => {
    const claims = saClaims({ email: 'Scheduler@My-Project.iam.gserviceaccount.com' });
    expect(checkServiceAccountClaims(claims, accounts)).toEqual({
      status: 'authenticated',
      identity: {
        kind: 'serviceAccount',
        tokenType: 'id_token',
        email: SCHEDULER,
        userId: '101234567890123456789',
        audience: RUN_URL,
        expiresAt: (claims.exp as number) * 1000,
      },
    });
  });

  it('takes an aud list holding this audience, and either Google issuer', () => {
    expect(checkServiceAccountClaims(saClaims({ aud: ['x', RUN_URL] }), accounts).status).toBe(
      'authenticated',
    );
    expect(
      checkServiceAccountClaims(saClaims({ iss: 'accounts.google.com' }), accounts).status,
    ).toBe('authenticated');
  });

  it.each([
    ['another audience', { aud: 'https://other.a.run.app' }, 'service account: audience'],
    ['an unlisted account', { email: 'other@p.iam.gserviceaccount.com' }, 'not on endpoints'],
    ['no email', { email: undefined }, 'not on endpoints'],
    ['an unverified email', { email_verified: false }, 'email not verified'],
    ['no email_verified', { email_verified: undefined }, 'email not verified'],
    ['another issuer', { iss: 'https://cloud.google.com/iap' }, 'issuer'],
    ['an expired token', { iat: now() - 4000, exp: now() - 400 }, 'expired'],
    ['a token from the future', { iat: now() + 400, exp: now() + 4000 }, 'future'],
    ['no exp', { exp: undefined }, 'no exp'],
    ['no sub', { sub: '' }, 'no sub'],
  ])('refuses %s', (_name, overrides, reason) => {
    const result = checkServiceAccountClaims(saClaims(overrides), accounts);
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' && result.reason).toContain(reason);
  });

  it('allows the usual clock skew', () => {
    expect(
      checkServiceAccountClaims(saClaims({ iat: now() - 3700, exp: now() - 100 }), accounts).status,
    ).toBe('authenticated');
  });
});

describe('checkIapClaims', () => {
  it('accepts an IAP assertion for this audience, with its hosted domain', () => {
    const claims = iapClaims();
    expect(checkIapClaims(claims, [IAP_AUD])).toEqual({
      status: 'authenticated',
      identity: {
        kind: 'iap',
        email: 'alice@example.com',
        userId: 'accounts.google.com:1234',
        audience: IAP_AUD,
        hostedDomain: 'example.com',
        expiresAt: (claims.exp as number) * 1000,
      },
    });
    const noDomain = checkIapClaims(iapClaims({ hd: undefined }), [IAP_AUD]);
    expect(noDomain.status === 'authenticated' && noDomain.identity).not.toHaveProperty(
      'hostedDomain',
    );
  });

  it.each([
    ['a Google ID token issuer', { iss: 'https://accounts.google.com' }, 'issuer'],
    ['another audience', { aud: '/projects/1/apps/other' }, 'audience'],
    ['an expired assertion', { iat: now() - 1000, exp: now() - 400 }, 'expired'],
    ['no iat', { iat: undefined }, 'no iat'],
    ['iat after exp', { iat: now(), exp: now() - 10 }, 'iat after exp'],
    ['no email', { email: undefined }, 'no email'],
    ['no sub', { sub: undefined }, 'no sub'],
  ])('refuses %s', (_name, overrides, reason) => {
    const result = checkIapClaims(iapClaims(overrides), [IAP_AUD]);
    expect(result.status === 'invalid' && result.reason).toContain(reason);
  });
});

describe('ES256 keys and signatures', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'iap-1', alg: 'ES256' };
  const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'g-1', alg: 'RS256' };

  it('parseJwks takes EC P-256 keys for ES256 and RSA keys for RS256, each skipping the other', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      format: 'jwk',
    });
    const body = {
      keys: [ecJwk, rsaJwk, { ...p384, kid: 'p384' }, { ...ecJwk, kid: 'enc', use: 'enc' }],
    };
    expect([...parseJwks(body, 'ES256')!.keys()]).toEqual(['iap-1']);
    expect([...parseJwks(body, 'RS256')!.keys()]).toEqual(['g-1']);
    expect(parseJwks(body, 'ES256')!.get('iap-1')!.asymmetricKeyType).toBe('ec');
    expect(
      parseJwks({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'bad', x: 'AA', y: 'AA' }] }, 'ES256')!
        .size,
    ).toBe(0);
  });

  it('verifies ES256 (r‖s, 64 bytes) with the right key only, and refuses a DER signature', () => {
    const input = `${b64({ alg: 'ES256', kid: 'iap-1' })}.${b64(iapClaims())}`;
    const p1363 = sign('sha256', Buffer.from(input), {
      key: ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const der = sign('sha256', Buffer.from(input), ec.privateKey);
    const key = parseJwks({ keys: [ecJwk] }, 'ES256')!.get('iap-1')!;
    expect(p1363).toHaveLength(64);
    expect(hasValidSignature(decodeJwt(`${input}.${p1363.toString('base64url')}`)!, key)).toBe(
      true,
    );
    expect(hasValidSignature(decodeJwt(`${input}.${der.toString('base64url')}`)!, key)).toBe(false);
    expect(
      hasValidSignature(decodeJwt(`${input}.${p1363.toString('base64url')}`)!, otherEc.publicKey),
    ).toBe(false);
    const forged = `${b64({ alg: 'ES256', kid: 'iap-1' })}.${b64(iapClaims({ email: 'mallory@example.com' }))}`;
    expect(hasValidSignature(decodeJwt(`${forged}.${p1363.toString('base64url')}`)!, key)).toBe(
      false,
    );
  });
});

describe('refusal: which callers a route admits', () => {
  const user = verifiedUser({
    tokenType: 'access_token',
    email: 'alice@example.com',
    emailVerified: true,
    userId: '1',
    clientId: 'web',
    scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'],
    expiresAt: Date.now() + 60_000,
  });
  const sa = verifiedServiceAccount({ email: TASKS, userId: '2', audience: RUN_URL, expiresAt: 0 });
  const iap = verifiedIapCaller({
    email: 'bob@example.com',
    userId: 'x',
    audience: IAP_AUD,
    expiresAt: 0,
  });
  // As a getPolicy override written before service accounts existed returns them: no `users`.
  const usersOnly: TokenRoutePolicy = { kind: 'token', scopes: [] };
  const scoped: TokenRoutePolicy = { kind: 'token', scopes: ['drive'] };
  const saOnly: TokenRoutePolicy = {
    kind: 'token',
    scopes: [],
    users: false,
    serviceAccounts: new Set([TASKS]),
  };
  const either: TokenRoutePolicy = { ...scoped, serviceAccounts: new Set([SCHEDULER]) };

  it.each([
    ['a user, any valid token', usersOnly, user, undefined],
    ['a user lacking a scope', scoped, user, ['drive']],
    ['a user on a service-accounts-only route', saOnly, user, NO_SCOPE_HELPS],
    ['a listed service account', saOnly, sa, undefined],
    ['a service account on a users route', usersOnly, sa, NO_SCOPE_HELPS],
    ['a service account the route does not list', either, sa, NO_SCOPE_HELPS],
    ['an IAP caller, no scopes required', usersOnly, iap, undefined],
    ['an IAP caller where scopes are required', scoped, iap, NO_SCOPE_HELPS],
    ['an IAP caller on a service-accounts-only route', saOnly, iap, NO_SCOPE_HELPS],
  ])('%s', (_name, policy, identity, expected) => {
    expect(refusal(policy, identity)).toEqual(expected);
  });
});

describe('@AllowServiceAccounts and the route policy', () => {
  function guard(endpoints: EndpointsOptions) {
    const http = new GoogleHttpClient(1000);
    const config = resolveOAuth2Config({
      endpoints,
      google: { certs: 'http://127.0.0.1:9/certs' },
    });
    const verifier = new GoogleTokenVerifier(config.endpoints, config, http);
    return new (class extends GoogleOAuth2Guard {
      policyOf(ctx: ExecutionContext) {
        return this.getPolicy(ctx);
      }
    })(new Reflector(), new EndpointsAuthenticator(config.endpoints, verifier, http));
  }
  const context = (cls: { prototype: object }, method: string) =>
    new ExecutionContextHost(
      [{ headers: {} }, {}],
      cls as never,
      (cls.prototype as Record<string, () => void>)[method],
    );
  const configured = guard({
    serviceAccounts: { audiences: [RUN_URL], allowed: [TASKS, SCHEDULER] },
  });

  @AllowServiceAccounts()
  class Jobs {
    any(): void {}

    @AllowServiceAccounts('TASKS@my-project.iam.gserviceaccount.com')
    one(): void {}

    @Scopes('email')
    @AllowServiceAccounts(SCHEDULER)
    either(): void {}

    @Scopes('email')
    usersOnly(): void {}

    @AllowServiceAccounts('rogue@other.iam.gserviceaccount.com')
    unlisted(): void {}
  }

  it('no arguments: every allowed account; users refused', () => {
    expect(configured.policyOf(context(Jobs, 'any'))).toEqual({
      kind: 'token',
      scopes: [],
      users: false,
      serviceAccounts: new Set([TASKS, SCHEDULER]),
    });
  });

  it("a handler's list replaces the controller's, emails compared in lower case", () => {
    expect(configured.policyOf(context(Jobs, 'one'))).toMatchObject({
      users: false,
      serviceAccounts: new Set([TASKS]),
    });
  });

  it('with @Scopes on the same target: either kind', () => {
    expect(configured.policyOf(context(Jobs, 'either'))).toEqual({
      kind: 'token',
      scopes: ['https://www.googleapis.com/auth/userinfo.email'],
      serviceAccounts: new Set([SCHEDULER]),
    });
  });

  it("a handler's @Scopes alone replaces the controller's @AllowServiceAccounts", () => {
    expect(configured.policyOf(context(Jobs, 'usersOnly'))).toEqual({
      kind: 'token',
      scopes: ['https://www.googleapis.com/auth/userinfo.email'],
    });
  });

  it('an account endpoints.serviceAccounts.allowed does not list: a clear error naming it', () => {
    expect(() => configured.policyOf(context(Jobs, 'unlisted'))).toThrow(
      /names rogue@other.iam.gserviceaccount.com, which endpoints.serviceAccounts.allowed does not list/,
    );
    expect(() => guard({}).policyOf(context(Jobs, 'one'))).toThrow(/does not list/);
    expect(guard({}).policyOf(context(Jobs, 'any'))).toMatchObject({ serviceAccounts: new Set() });
  });

  it('refuses arguments that are not emails', () => {
    expect(() => AllowServiceAccounts('tasks')).toThrow(TypeError);
    expect(() => AllowServiceAccounts('')).toThrow(/is not a service-account email/);
  });
});

describe('boot warnings for service-to-service settings', () => {
  const use = (allowServiceAccounts: string[][] = []) => ({
    takesCallersTokens: true,
    injectsCallerCredentials: false,
    allowServiceAccounts,
  });
  const warnings = (endpoints: EndpointsOptions, routes?: string[][]) =>
    endpointsWarnings(resolveEndpointsOptions(endpoints), use(routes));
  const serviceAccounts = { audiences: [RUN_URL], allowed: [TASKS] };

  it('a sound service-only setup: no warning (no OAuth client needed)', () => {
    expect(warnings({ serviceAccounts }, [[]])).toEqual([]);
    expect(warnings({ iap: { audiences: [IAP_AUD, '/projects/1/apps/my-app'] } })).toEqual([]);
  });

  it('@AllowServiceAccounts without endpoints.serviceAccounts', () => {
    expect(warnings({ allowedClientIds: ['web'] }, [[]])).toEqual([
      expect.stringMatching(
        /@AllowServiceAccounts\(\) is used but endpoints.serviceAccounts is not set/,
      ),
    ]);
  });

  it('an @AllowServiceAccounts email that the allow-list lacks', () => {
    expect(warnings({ serviceAccounts }, [[TASKS], ['rogue@x.iam.gserviceaccount.com']])).toEqual([
      expect.stringMatching(
        /names rogue@x.iam.gserviceaccount.com, which endpoints.serviceAccounts.allowed does not list/,
      ),
    ]);
  });

  it('serviceAccounts set, no route admits them', () => {
    expect(warnings({ serviceAccounts })).toEqual([
      expect.stringMatching(/no route has @AllowServiceAccounts\(\)/),
    ]);
  });

  it('audiences shared by users and service accounts', () => {
    expect(
      warnings(
        {
          allowedClientIds: ['web'],
          acceptIdTokens: true,
          audiences: ['web', RUN_URL],
          serviceAccounts,
        },
        [[]],
      ),
    ).toEqual([expect.stringMatching(/share https:\/\/api-abc123-uc.a.run.app/)]);
  });

  it('an IAP audience of the wrong shape', () => {
    expect(warnings({ iap: { audiences: ['https://my-app.example.com'] } })).toEqual([
      expect.stringMatching(/https:\/\/my-app.example.com is not shaped like an IAP audience/),
    ]);
  });
});
