/** The token endpoint's checks, each failure asserted by status and Google's body. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import {
  assertionClaims,
  DRIVE_SCOPE,
  JWT_BEARER,
  postAssertion,
  postForm,
  signAssertion,
} from './helpers.js';

const BAD_TIME = {
  error: 'invalid_grant',
  error_description:
    'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
};

describe('GoogleOAuth2Emulator token endpoint', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let tokenUrl: string;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    tokenUrl = emulator.urls.token;
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clock.reset());

  function assertion(overrides: Record<string, unknown> = {}): string {
    return signAssertion(assertionClaims(key, overrides), key.private_key);
  }

  it('answers a good assertion with a Bearer token, uncacheable', async () => {
    const res = await postAssertion(tokenUrl, assertion());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^ya29\.[A-Za-z0-9_-]{100,}$/),
      expires_in: 3599,
      token_type: 'Bearer',
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('accepts its own token URL as aud, a matching kid, a JSON body, and the legacy paths', async () => {
    expect((await postAssertion(tokenUrl, assertion({ aud: tokenUrl }))).status).toBe(200);
    const withKid = signAssertion(assertionClaims(key), key.private_key, {
      alg: 'RS256',
      typ: 'JWT',
      kid: key.private_key_id,
    });
    expect((await postAssertion(tokenUrl, withKid)).status).toBe(200);
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: JWT_BEARER, assertion: assertion() }),
    });
    expect(json.status).toBe(200);
    expect((await postAssertion(`${emulator.url}/oauth2/v4/token`, assertion())).status).toBe(200);
  });

  it('any key of the account verifies (createServiceAccount with a known email adds a key)', async () => {
    const second = emulator.createServiceAccount({ email: key.client_email });
    expect(second.client_id).toBe(key.client_id);
    expect(second.private_key_id).not.toBe(key.private_key_id);
    const signed = signAssertion(assertionClaims(second), second.private_key);
    expect((await postAssertion(tokenUrl, signed)).status).toBe(200);
  });

  it('bad signature: 400 invalid_grant "Invalid JWT Signature."', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const forged = signAssertion(assertionClaims(key), String(stranger));
    const res = await postAssertion(tokenUrl, forged);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid JWT Signature.',
    });

    const tampered = assertion().replace(
      /\.[^.]+\./,
      `.${Buffer.from(JSON.stringify(assertionClaims(key, { scope: DRIVE_SCOPE }))).toString('base64url')}.`,
    );
    expect((await postAssertion(tokenUrl, tampered)).body).toEqual(res.body);
  });

  it('a kid that is not the signing key: "Invalid JWT Signature."', async () => {
    const wrongKid = signAssertion(assertionClaims(key), key.private_key, {
      alg: 'RS256',
      kid: 'f'.repeat(40),
    });
    const res = await postAssertion(tokenUrl, wrongKid);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid JWT Signature.',
    });
  });

  it('expired assertion: 400 invalid_grant, short-lived token message', async () => {
    const iat = Math.floor(Date.now() / 1000) - 7200;
    const res = await postAssertion(tokenUrl, assertion({ iat, exp: iat + 3600 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(BAD_TIME);
  });

  it('a window longer than one hour: 400 invalid_grant, same message', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const res = await postAssertion(tokenUrl, assertion({ iat, exp: iat + 3601 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(BAD_TIME);
  });

  it('tolerates 5 minutes of skew, not more (by the emulator clock)', async () => {
    const iat = Math.floor(Date.now() / 1000) + 240;
    expect((await postAssertion(tokenUrl, assertion({ iat, exp: iat + 3600 }))).status).toBe(200);
    const later = Math.floor(Date.now() / 1000) + 400;
    expect(
      (await postAssertion(tokenUrl, assertion({ iat: later, exp: later + 3600 }))).body,
    ).toEqual(BAD_TIME);
    emulator.clock.advance(2 * 60 * 60 * 1000);
    expect((await postAssertion(tokenUrl, assertion())).body).toEqual(BAD_TIME);
  });

  it('wrong aud: 400 invalid_grant audience check', async () => {
    const res = await postAssertion(tokenUrl, assertion({ aud: 'https://example.com/token' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description:
        'Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token',
    });
  });

  it('no scope: 400 invalid_scope', async () => {
    const res = await postAssertion(tokenUrl, assertion({ scope: undefined }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_scope',
      error_description: 'Invalid OAuth scope or ID token audience provided.',
    });
  });

  it('target_audience instead of scope: an ID token for the service account', async () => {
    const res = await postAssertion(
      tokenUrl,
      assertion({ scope: undefined, target_audience: 'https://run.example' }),
    );
    expect(res.status).toBe(200);
    const idToken = (res.body as { id_token: string }).id_token;
    const info = await fetch(`${emulator.urls.tokenInfo}?id_token=${idToken}`);
    expect(await info.json()).toMatchObject({
      aud: 'https://run.example',
      email: key.client_email,
      email_verified: 'true',
      iss: 'https://accounts.google.com',
    });
  });

  it('unknown account (iss): 400 invalid_grant account not found', async () => {
    const res = await postAssertion(
      tokenUrl,
      assertion({ iss: 'nobody@emulator-project.iam.gserviceaccount.com' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid grant: account not found',
    });
  });

  it('sub without domain-wide delegation: 401 unauthorized_client', async () => {
    emulator.addUser({ email: 'henry@example.com' });
    const res = await postAssertion(
      tokenUrl,
      assertion({ sub: 'henry@example.com', scope: DRIVE_SCOPE }),
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description:
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    });
  });

  it('sub with delegation for fewer scopes than asked: 401 unauthorized_client; grants add up', async () => {
    const other = emulator.createServiceAccount();
    emulator.addUser({ email: 'henry@example.com' });
    emulator.grantDomainWideDelegation(other.client_id, [DRIVE_SCOPE]);
    const both = `${DRIVE_SCOPE} https://mail.google.com/`;
    const claims = assertionClaims(other, { sub: 'henry@example.com', scope: both });
    expect((await postAssertion(tokenUrl, signAssertion(claims, other.private_key))).status).toBe(
      401,
    );
    emulator.grantDomainWideDelegation(other.client_id, ['https://mail.google.com/']);
    expect((await postAssertion(tokenUrl, signAssertion(claims, other.private_key))).status).toBe(
      200,
    );
  });

  it('sub for an unknown user (delegation granted): 400 invalid_grant "Invalid email or User ID"', async () => {
    emulator.grantDomainWideDelegation(key.client_id, [DRIVE_SCOPE]);
    const res = await postAssertion(
      tokenUrl,
      assertion({ sub: 'ghost@example.com', scope: DRIVE_SCOPE }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid email or User ID',
    });
  });

  it('sub equal to the account itself needs no delegation', async () => {
    const res = await postAssertion(tokenUrl, assertion({ sub: key.client_email }));
    expect(res.status).toBe(200);
  });

  it('wrong grant_type, missing assertion, a malformed assertion, GET', async () => {
    const grant = await postForm(tokenUrl, { grant_type: 'client_credentials' });
    expect(grant.status).toBe(400);
    expect(grant.body).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Invalid grant_type: client_credentials',
    });
    const missing = await postForm(tokenUrl, { grant_type: JWT_BEARER });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    const malformed = await postAssertion(tokenUrl, 'not.a-jwt');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'invalid_grant' });
    const get = await fetch(tokenUrl);
    expect(get.status).toBe(405);
  });

  it('every issued token is remembered with its principal, client and scopes', async () => {
    const res = await postAssertion(tokenUrl, assertion({ scope: `openid email ${DRIVE_SCOPE}` }));
    const token = (res.body as { access_token: string }).access_token;
    const info = await fetch(`${emulator.urls.tokenInfo}?access_token=${token}`);
    expect(await info.json()).toEqual({
      azp: key.client_id,
      aud: key.client_id,
      sub: key.client_id,
      scope: `openid https://www.googleapis.com/auth/userinfo.email ${DRIVE_SCOPE}`,
      exp: expect.any(String),
      expires_in: expect.any(String),
      email: key.client_email,
      email_verified: 'true',
      access_type: 'online',
    });
  });
});

describe('GoogleOAuth2Emulator accessTokenLifetimeSeconds', () => {
  const emulator = new GoogleOAuth2Emulator({ accessTokenLifetimeSeconds: 120 });
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  it('the token endpoint and the metadata server mint tokens that short, and say so in expires_in', async () => {
    const key = emulator.createServiceAccount();
    const minted = await postAssertion(
      emulator.urls.token,
      signAssertion(assertionClaims(key), key.private_key),
    );
    expect(minted.body).toMatchObject({ expires_in: 119 });
    const metadata = await fetch(
      `${emulator.url}/computeMetadata/v1/instance/service-accounts/default/token`,
      { headers: { 'Metadata-Flavor': 'Google' } },
    );
    const fromMetadata = (await metadata.json()) as { access_token: string; expires_in: number };
    expect(fromMetadata.expires_in).toBe(119);
    const token = (minted.body as { access_token: string }).access_token;
    emulator.clock.advance(121_000);
    for (const t of [token, fromMetadata.access_token]) {
      const info = await fetch(`${emulator.urls.tokenInfo}?access_token=${t}`);
      expect(info.status).toBe(400);
    }
  });

  it('refuses a lifetime that is not a positive integer', () => {
    expect(() => new GoogleOAuth2Emulator({ accessTokenLifetimeSeconds: 0 })).toThrow(
      /accessTokenLifetimeSeconds must be a positive integer/,
    );
  });
});
