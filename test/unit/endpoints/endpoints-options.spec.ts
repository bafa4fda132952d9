import { describe, expect, it } from '@jest/globals';
import { resolveEndpointsOptions } from '../../../lib/endpoints/endpoints-options.js';
import { bearerChallenge } from '../../../lib/endpoints/google-oauth2.guard.js';
import { maxAgeSeconds, parseJwks } from '../../../lib/endpoints/google-certs.js';
import { checkScopeNames, missingScopes, parseScopeList } from '../../../lib/endpoints/scopes.js';
import { generateKeyPairSync } from 'node:crypto';

describe('resolveEndpointsOptions', () => {
  it('fills in defaults', () => {
    expect(resolveEndpointsOptions({})).toEqual({
      allowedClientIds: new Set(),
      allowAnyClient: false,
      audiences: [],
      acceptIdTokens: false,
      allowQueryToken: false,
      allowUnverifiedEmails: false,
      realm: 'google',
      recheckAfterMs: 300_000,
      maxConcurrentTokenInfoCalls: 64,
      callerContext: false,
      readsIdTokens: false,
      configured: false,
    });
  });

  it('takes the new settings, and notes that options were given', () => {
    const options = resolveEndpointsOptions({
      recheckAfterSeconds: 60,
      maxConcurrentTokenInfoCalls: 8,
      allowUnverifiedEmails: true,
      callerContext: true,
    });
    expect(options).toMatchObject({
      recheckAfterMs: 60_000,
      maxConcurrentTokenInfoCalls: 8,
      allowUnverifiedEmails: true,
      callerContext: true,
      configured: true,
    });
  });

  it('refuses a "*" client id, pointing at allowAnyClient', () => {
    expect(() => resolveEndpointsOptions({ allowedClientIds: ['*'] })).toThrow(/allowAnyClient/);
  });

  it.each([
    ['allowedClientIds', { allowedClientIds: 'web' }],
    ['allowedClientIds', { allowedClientIds: [''] }],
    ['audiences', { audiences: [1] }],
    ['allowAnyClient', { allowAnyClient: 'yes' }],
    ['realm', { realm: 'a"b' }],
    ['realm', { realm: 'a\nb' }],
    ['recheckAfterSeconds', { recheckAfterSeconds: 0 }],
    ['recheckAfterSeconds', { recheckAfterSeconds: 1.5 }],
    ['maxConcurrentTokenInfoCalls', { maxConcurrentTokenInfoCalls: 0 }],
    ['maxConcurrentTokenInfoCalls', { maxConcurrentTokenInfoCalls: '64' }],
    ['allowUnverifiedEmails', { allowUnverifiedEmails: 1 }],
    ['callerContext', { callerContext: 'on' }],
  ])('refuses a bad %s', (name, options) => {
    expect(() => resolveEndpointsOptions(options as never)).toThrow(
      new RegExp(`endpoints\\.${name}`),
    );
  });
});

describe('bearerChallenge', () => {
  it('writes RFC 6750 challenges', () => {
    expect(bearerChallenge('google')).toBe('Bearer realm="google"');
    expect(bearerChallenge('api', { error: 'invalid_token' })).toBe(
      'Bearer realm="api", error="invalid_token"',
    );
    expect(bearerChallenge('api', { error: 'insufficient_scope', scope: 'a b' })).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="a b"',
    );
  });
});

describe('scopes', () => {
  it("takes Object.prototype's names as plain scope names", () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    expect(parseScopeList(names.join(' '))).toEqual(names);
    expect(checkScopeNames(names)).toEqual(names);
    expect(missingScopes(names, names)).toEqual([]);
  });

  it('@Scopes names are canonical and de-duplicated', () => {
    expect(checkScopeNames(['email', 'https://www.googleapis.com/auth/userinfo.email'])).toEqual([
      'https://www.googleapis.com/auth/userinfo.email',
    ]);
  });

  it('folds the email and profile aliases', () => {
    expect(parseScopeList('openid email profile email')).toEqual([
      'openid',
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/userinfo.profile',
    ]);
    expect(missingScopes(['https://www.googleapis.com/auth/userinfo.email'], ['email'])).toEqual(
      [],
    );
    expect(missingScopes(['openid'], ['openid', 'drive', 'email'])).toEqual(['drive', 'email']);
    expect(parseScopeList(undefined)).toEqual([]);
  });
});

describe('certs parsing', () => {
  it('reads max-age', () => {
    expect(maxAgeSeconds('public, max-age=21600, must-revalidate')).toBe(21600);
    expect(maxAgeSeconds('max-age=0')).toBe(0);
    expect(maxAgeSeconds('no-cache')).toBeUndefined();
    expect(maxAgeSeconds(null)).toBeUndefined();
    expect(maxAgeSeconds('s-maxage=5')).toBeUndefined();
  });

  it('keeps the RS256 signing keys of a JWK set, by kid', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'jwk',
    });
    const keys = parseJwks({
      keys: [
        { ...jwk, kid: 'a', alg: 'RS256', use: 'sig' },
        { ...jwk, kid: 'b' },
        { ...jwk, kid: 'enc', use: 'enc' },
        { ...jwk, kid: 'es', alg: 'ES256' },
        { kty: 'RSA', kid: 'broken', e: 'AQAB' },
        { kty: 'EC', kid: 'ec' },
        { ...jwk },
        null,
      ],
    });
    expect([...keys!.keys()]).toEqual(['a', 'b']);
    expect(parseJwks({})).toBeUndefined();
    expect(parseJwks('nope')).toBeUndefined();
  });
});
