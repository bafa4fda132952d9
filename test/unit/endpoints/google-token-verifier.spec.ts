import { describe, expect, it } from '@jest/globals';
import type { EndpointsOptions } from 'nestjs-google-oauth2';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import { TokenVerificationUnavailableError } from '../../../lib/endpoints/token-verification.js';
import { resolveOAuth2Config } from '../../../lib/oauth2.config.js';
import { fakeGoogle, type FakeAnswer } from './fake-google.js';

const TOKEN = 'ya29.secret-token-of-a-plausible-length';
const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

function verifier(
  answer: FakeAnswer | ((call: number) => FakeAnswer),
  endpoints: EndpointsOptions = { allowedClientIds: ['web'] },
  timeoutMs = 1000,
) {
  const google = fakeGoogle(
    (call) => (typeof answer === 'function' ? answer(call) : answer),
    timeoutMs,
  );
  const config = resolveOAuth2Config({
    endpoints,
    google: { tokenInfo: 'http://google/tokeninfo' },
  });
  return { verifier: new GoogleTokenVerifier(config.endpoints, config, google.http), google };
}

/** The outcome of a check, cached or not. */
const verify = async (v: GoogleTokenVerifier, token = TOKEN) => v.verify(token);

const info = (overrides: Record<string, unknown> = {}) => ({
  azp: 'web',
  aud: 'web',
  sub: '42',
  scope: `openid ${EMAIL}`,
  exp: String(Math.floor(Date.now() / 1000) + 3600),
  expires_in: '3600',
  email: 'alice@example.com',
  email_verified: 'true',
  ...overrides,
});

describe('GoogleTokenVerifier (access tokens)', () => {
  it('posts the token in a form body and reads tokeninfo', async () => {
    const { verifier: v, google } = verifier({ status: 200, data: info() });
    const result = await verify(v);
    expect(result).toEqual({
      status: 'authenticated',
      identity: {
        kind: 'user',
        tokenType: 'access_token',
        email: 'alice@example.com',
        emailVerified: true,
        userId: '42',
        clientId: 'web',
        scopes: ['openid', EMAIL],
        scopeSet: new Set(['openid', EMAIL]),
        expiresAt: Number(info().exp) * 1000,
      },
    });
    expect(google.bodies).toEqual([`access_token=${TOKEN}`]);
  });

  it('falls back on expires_in, and on aud without azp', async () => {
    const { verifier: v } = verifier({
      status: 200,
      data: info({ exp: undefined, azp: undefined }),
    });
    const result = await verify(v);
    expect(
      result.status === 'authenticated' &&
        result.identity.kind === 'user' &&
        result.identity.clientId,
    ).toBe('web');
    expect(result.status === 'authenticated' && result.identity.expiresAt).toBeGreaterThan(
      Date.now() + 3_590_000,
    );
  });

  it('accepts any client only with allowAnyClient', async () => {
    const other = { status: 200, data: info({ azp: 'other', aud: 'other' }) };
    expect((await verify(verifier(other).verifier)).status).toBe('invalid');
    expect((await verify(verifier(other, {}).verifier)).status).toBe('invalid');
    expect((await verify(verifier(other, { allowAnyClient: true }).verifier)).status).toBe(
      'authenticated',
    );
  });

  it.each([
    ['expired', info({ exp: String(Math.floor(Date.now() / 1000) - 1) })],
    ['no expiry', info({ exp: undefined, expires_in: undefined })],
    ['no sub', info({ sub: undefined })],
    ['an unverified email', info({ email_verified: 'false' })],
    ['not an object', 'ok'],
  ])('refuses an answer with %s', async (_name, data) => {
    expect((await verify(verifier({ status: 200, data }).verifier)).status).toBe('invalid');
  });

  it('a valid token without the email scope: insufficient_scope, naming it', async () => {
    const { verifier: v } = verifier({
      status: 200,
      data: info({ email: undefined, email_verified: undefined, scope: 'openid' }),
    });
    expect(await verify(v)).toEqual({
      status: 'insufficient_scope',
      scope: EMAIL,
      expiresAt: Number(info().exp) * 1000,
    });
  });

  it('an unverified email is accepted only with allowUnverifiedEmails', async () => {
    const answer = { status: 200, data: info({ email_verified: 'false' }) };
    const { verifier: v } = verifier(answer, {
      allowedClientIds: ['web'],
      allowUnverifiedEmails: true,
    });
    const result = await verify(v);
    expect(
      result.status === 'authenticated' &&
        result.identity.kind === 'user' &&
        result.identity.emailVerified,
    ).toBe(false);
  });

  it.each([
    ['too short', 'ya29.short'],
    ['a character Google never uses', 'ya29.abc+def/ghi~jkl=mnopqrstuvwxyz'],
    ['over 2048 characters', `ya29.${'a'.repeat(2044)}`],
  ])('refuses a token %s without asking Google', async (_name, token) => {
    const { verifier: v, google } = verifier({ status: 200, data: info() });
    expect((await verify(v, token)).status).toBe('invalid');
    expect(google.calls()).toBe(0);
  });

  it('keeps at most maxConcurrentTokenInfoCalls calls in flight; the others wait', async () => {
    const { verifier: v, google } = verifier(
      { status: 400, data: { error: 'invalid_token' }, delayMs: 20 },
      { allowedClientIds: ['web'], maxConcurrentTokenInfoCalls: 3 },
      5_000,
    );
    const tokens = Array.from({ length: 20 }, (_, i) => `${TOKEN}-${i}`);
    const results = await Promise.all(tokens.map((t) => verify(v, t)));
    expect(results.every((r) => r.status === 'invalid')).toBe(true);
    expect(google.calls()).toBe(20);
    expect(v.peakTokenInfoCalls).toBe(3);
  });

  it('a check that gets no turn within the request timeout is unavailable', async () => {
    const { verifier: v, google } = verifier(
      { status: 400, data: { error: 'invalid_token' }, delayMs: 400 },
      { allowedClientIds: ['web'], maxConcurrentTokenInfoCalls: 1 },
      100,
    );
    const first = verify(v, `${TOKEN}-1`);
    const second = verify(v, `${TOKEN}-2`).catch((err: unknown) => err);
    const error = await second;
    expect(error).toBeInstanceOf(TokenVerificationUnavailableError);
    expect(String(error)).toMatch(/no turn among 1 tokeninfo calls/);
    await first.catch(() => undefined);
    expect(google.calls()).toBe(1);
  });

  it('400 from tokeninfo: invalid, remembered', async () => {
    const { verifier: v, google } = verifier({
      status: 400,
      data: { error: 'invalid_token', error_description: 'Invalid Value' },
    });
    expect(await verify(v)).toEqual({ status: 'invalid', reason: 'tokeninfo: invalid_token' });
    await verify(v);
    expect(google.calls()).toBe(1);
  });

  it.each([
    ['a 5xx', { status: 503 }, 2], // tried again once: a caller is waiting
    ['a 429', { status: 429 }, 2],
    ['a 404 (a wrong URL)', { status: 404 }, 1],
    ['a timeout', 'timeout' as const, 1], // the time is used up
  ])('%s: unavailable, not remembered', async (_name, answer, calls) => {
    const { verifier: v, google } = verifier(answer as FakeAnswer);
    await expect(verify(v)).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    expect(google.calls()).toBe(calls);
    await expect(verify(v)).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    expect(google.calls()).toBe(calls * 2);
  });

  it('the error of an outage does not carry the token', async () => {
    const { verifier: v } = verifier({ status: 500, data: { error: 'backend_error' } });
    const error = await verify(v).catch((err: unknown) => err);
    expect(String(error)).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('sends a JWT to tokeninfo as an access token when ID tokens are off', async () => {
    const jwt = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.e30.c2ln`;
    const { verifier: v, google } = verifier({ status: 400, data: { error: 'invalid_token' } });
    expect((await verify(v, jwt)).status).toBe('invalid');
    expect(google.calls()).toBe(1);
  });
});
