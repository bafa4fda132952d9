import { describe, expect, it } from '@jest/globals';
import type { EndpointsOptions } from 'nestjs-google-oauth2';
import { GoogleTokenVerifier } from '../../../lib/endpoints/google-token-verifier.js';
import { TokenVerificationUnavailableError } from '../../../lib/endpoints/token-verification.js';
import { resolveOAuth2Config } from '../../../lib/oauth2.config.js';
import { fakeGoogle, type FakeAnswer } from './fake-google.js';

const TOKEN = 'ya29.secret';
const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

function verifier(
  answer: FakeAnswer | ((call: number) => FakeAnswer),
  endpoints: EndpointsOptions = { allowedClientIds: ['web'] },
) {
  const google = fakeGoogle((call) => (typeof answer === 'function' ? answer(call) : answer));
  const config = resolveOAuth2Config({
    endpoints,
    google: { tokenInfo: 'http://google/tokeninfo' },
  });
  return { verifier: new GoogleTokenVerifier(config, google.http), google };
}

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
    const result = await v.verify(TOKEN);
    expect(result).toEqual({
      valid: true,
      identity: {
        tokenType: 'access_token',
        email: 'alice@example.com',
        emailVerified: true,
        userId: '42',
        clientId: 'web',
        scopes: ['openid', EMAIL],
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
    const result = await v.verify(TOKEN);
    expect(result.valid && result.identity.clientId).toBe('web');
    expect(result.valid && result.identity.expiresAt).toBeGreaterThan(Date.now() + 3_590_000);
  });

  it('accepts any client only with allowAnyClient', async () => {
    const other = { status: 200, data: info({ azp: 'other', aud: 'other' }) };
    expect((await verifier(other).verifier.verify(TOKEN)).valid).toBe(false);
    expect((await verifier(other, {}).verifier.verify(TOKEN)).valid).toBe(false);
    expect((await verifier(other, { allowAnyClient: true }).verifier.verify(TOKEN)).valid).toBe(
      true,
    );
  });

  it.each([
    ['expired', info({ exp: String(Math.floor(Date.now() / 1000) - 1) })],
    ['no expiry', info({ exp: undefined, expires_in: undefined })],
    ['no email', info({ email: undefined })],
    ['no sub', info({ sub: undefined })],
    ['not an object', 'ok'],
  ])('refuses an answer with %s', async (_name, data) => {
    expect((await verifier({ status: 200, data }).verifier.verify(TOKEN)).valid).toBe(false);
  });

  it('400 from tokeninfo: invalid, remembered', async () => {
    const { verifier: v, google } = verifier({
      status: 400,
      data: { error: 'invalid_token', error_description: 'Invalid Value' },
    });
    expect(await v.verify(TOKEN)).toEqual({ valid: false, reason: 'tokeninfo: invalid_token' });
    await v.verify(TOKEN);
    expect(google.calls()).toBe(1);
  });

  it.each([
    ['a 5xx', { status: 503 }, 2], // tried again once: a caller is waiting
    ['a 429', { status: 429 }, 2],
    ['a 404 (a wrong URL)', { status: 404 }, 1],
    ['a timeout', 'timeout' as const, 1], // the time is used up
  ])('%s: unavailable, not remembered', async (_name, answer, calls) => {
    const { verifier: v, google } = verifier(answer as FakeAnswer);
    await expect(v.verify(TOKEN)).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    expect(google.calls()).toBe(calls);
    await expect(v.verify(TOKEN)).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    expect(google.calls()).toBe(calls * 2);
  });

  it('the error of an outage does not carry the token', async () => {
    const { verifier: v } = verifier({ status: 500, data: { error: 'backend_error' } });
    const error = await v.verify(TOKEN).catch((err: unknown) => err);
    expect(String(error)).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('sends a JWT to tokeninfo as an access token when ID tokens are off', async () => {
    const jwt = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.e30.c2ln`;
    const { verifier: v, google } = verifier({ status: 400, data: { error: 'invalid_token' } });
    expect((await v.verify(jwt)).valid).toBe(false);
    expect(google.calls()).toBe(1);
  });
});
