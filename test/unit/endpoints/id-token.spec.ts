import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  checkIdTokenClaims,
  decodeJwt,
  hasValidSignature,
  type IdTokenPolicy,
} from '../../../lib/endpoints/id-token.js';

const WEB = 'web.apps.googleusercontent.com';
const ANDROID = 'android.apps.googleusercontent.com';
const policy: IdTokenPolicy = {
  audiences: [WEB],
  allowsClient: (client) => client === WEB || client === ANDROID,
};

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://accounts.google.com',
    azp: WEB,
    aud: WEB,
    sub: '1234567890',
    email: 'alice@example.com',
    email_verified: true,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeJwt', () => {
  it('decodes a JWT', () => {
    const jwt = decodeJwt(`${b64({ alg: 'RS256', kid: 'k' })}.${b64({ a: 1 })}.c2ln`);
    expect(jwt?.header).toEqual({ alg: 'RS256', kid: 'k' });
    expect(jwt?.payload).toEqual({ a: 1 });
    expect(jwt?.signature.toString()).toBe('sig');
  });

  it.each([
    ['an access token', 'ya29.a0AfB_byC'],
    ['three dotted parts that are not JSON', 'ya29.c.b0Aaek'],
    ['a header without alg', `${b64({ typ: 'JWT' })}.${b64({})}.c2ln`],
    ['a payload that is an array', `${b64({ alg: 'RS256' })}.${b64([1])}.c2ln`],
    ['four parts', `${b64({ alg: 'RS256' })}.${b64({})}.c2ln.x`],
    ['padding', `${b64({ alg: 'RS256' })}.${b64({})}.c2ln=`],
  ])('is undefined for %s', (_name, token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });
});

describe('hasValidSignature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = `${b64({ alg: 'RS256', kid: 'k' })}.${b64(claims())}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

  it('verifies RS256 with the right key only', () => {
    const jwt = decodeJwt(token)!;
    expect(hasValidSignature(jwt, publicKey)).toBe(true);
    expect(hasValidSignature(jwt, other.publicKey)).toBe(false);
  });

  it('refuses a changed payload', () => {
    const [header, , signature] = token.split('.');
    const forged = decodeJwt(
      `${header}.${b64(claims({ email: 'mallory@example.com' }))}.${signature}`,
    )!;
    expect(hasValidSignature(forged, publicKey)).toBe(false);
  });
});

describe('checkIdTokenClaims', () => {
  it('accepts a Google ID token and reads who it is for', () => {
    const result = checkIdTokenClaims(claims(), policy);
    expect(result).toEqual({
      status: 'authenticated',
      identity: {
        kind: 'user',
        tokenType: 'id_token',
        email: 'alice@example.com',
        emailVerified: true,
        userId: '1234567890',
        clientId: WEB,
        scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'],
        scopeSet: new Set(['openid', 'https://www.googleapis.com/auth/userinfo.email']),
        expiresAt: (claims().exp as number) * 1000,
      },
    });
  });

  it('accepts an unverified email only when the policy says so', () => {
    const unverified = claims({ email_verified: false });
    expect(checkIdTokenClaims(unverified, policy).status).toBe('invalid');
    const result = checkIdTokenClaims(unverified, { ...policy, allowUnverifiedEmails: true });
    expect(
      result.status === 'authenticated' &&
        result.identity.kind === 'user' &&
        result.identity.emailVerified,
    ).toBe(false);
  });

  it.each([
    ['the short issuer', { iss: 'accounts.google.com' }],
    ['another allowed azp (Android)', { azp: ANDROID }],
    ['no azp (the client is the audience)', { azp: undefined }],
    ['an audience list holding ours', { aud: ['x', WEB], azp: WEB }],
    ['email_verified as the string "true"', { email_verified: 'true' }],
    ['exp passed within the skew', { exp: Date.now() / 1000 - 299, iat: Date.now() / 1000 - 3000 }],
    ['iat ahead within the skew', { iat: Date.now() / 1000 + 299 }],
  ])('accepts %s', (_name, overrides) => {
    expect(checkIdTokenClaims(claims(overrides), policy).status).toBe('authenticated');
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example.com' }, 'issuer'],
    ['no issuer', { iss: undefined }, 'issuer'],
    ['another audience', { aud: 'other' }, 'audience'],
    ['no audience', { aud: undefined }, 'audience'],
    ['an unknown azp', { azp: 'other' }, 'authorized party'],
    ['expired beyond the skew', { exp: Date.now() / 1000 - 301, iat: 0 }, 'expired'],
    ['no exp', { exp: undefined }, 'no exp'],
    ['exp as a string', { exp: '99999999999' }, 'no exp'],
    ['issued in the future', { iat: Date.now() / 1000 + 301 }, 'future'],
    ['no iat', { iat: undefined }, 'no iat'],
    [
      'iat after exp',
      { iat: Date.now() / 1000 + 100, exp: Date.now() / 1000 + 50 },
      'iat after exp',
    ],
    ['no sub', { sub: undefined }, 'no sub'],
    ['no email', { email: undefined }, 'no email'],
    ['an unverified email', { email_verified: false }, 'not verified'],
    ['no email_verified', { email_verified: undefined }, 'not verified'],
  ])('refuses %s', (_name, overrides, reason) => {
    const result = checkIdTokenClaims(claims(overrides), policy);
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' ? result.reason : '').toContain(reason);
  });
});
