import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { OAuth2Client } from 'google-auth-library';
import { GoogleUserCredentials } from 'nestjs-google-oauth2';

const TOKEN = 'ya29.do-not-print-me';
const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';

function credentials(expiresAt = Date.now() + 3_600_000) {
  return new GoogleUserCredentials(
    TOKEN,
    Object.freeze({
      kind: 'user',
      tokenType: 'access_token',
      email: 'alice@example.com',
      emailVerified: true,
      userId: '42',
      clientId: 'web',
      scopes: Object.freeze(['openid', EMAIL_SCOPE]),
      expiresAt,
    }),
  );
}

describe('GoogleUserCredentials', () => {
  it('exposes the token to code that asks for it', () => {
    expect(credentials().accessToken).toBe(TOKEN);
  });

  it('keeps the token out of JSON, inspect and the enumerable keys', async () => {
    const creds = credentials();
    const client = creds.authClient; // created: its credentials hold the token
    expect((await client.getAccessToken()).token).toBe(TOKEN);
    expect(JSON.stringify(creds)).not.toContain(TOKEN);
    expect(inspect(creds, { depth: 10 })).not.toContain(TOKEN);
    expect(inspect(creds, { depth: 10, showHidden: true })).not.toContain(TOKEN);
    expect(`${JSON.stringify({ user: creds })}`).not.toContain(TOKEN);
    expect(Object.keys(creds)).not.toContain('accessToken');
    expect(Object.keys(creds)).not.toContain('authClient');
    expect(creds.kind).toBe('user');
    expect(JSON.parse(JSON.stringify(creds))).toEqual({
      tokenType: 'access_token',
      email: 'alice@example.com',
      emailVerified: true,
      userId: '42',
      clientId: 'web',
      scopes: ['openid', EMAIL_SCOPE],
      expiresAt: expect.any(String),
    });
  });

  it('authClient is one OAuth2Client holding the token, with no refresh attempt', async () => {
    const creds = credentials(Date.now() + 60_000); // within the default 5-minute margin
    expect(creds.authClient).toBeInstanceOf(OAuth2Client);
    expect(creds.authClient).toBe(creds.authClient);
    const headers = await creds.authClient.getRequestHeaders();
    expect(headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('hasScopes understands the email alias', () => {
    const creds = credentials();
    expect(creds.hasScopes('email', 'openid')).toBe(true);
    expect(creds.hasScopes(EMAIL_SCOPE, 'https://www.googleapis.com/auth/drive')).toBe(false);
  });

  it('is immutable where it matters', () => {
    const creds = credentials();
    expect(Object.isFrozen(creds.scopes)).toBe(true);
    expect(() => (creds.scopes as string[]).push('x')).toThrow(TypeError);
    expect(() => {
      (creds as { email: string }).email = 'mallory@example.com';
    }).toThrow(TypeError);
    creds.expiresAt.setTime(0); // a copy each time
    expect(creds.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });
});
