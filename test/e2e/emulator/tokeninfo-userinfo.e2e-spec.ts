/** tokeninfo, userinfo and certs: shapes, failures, and the clock. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { DRIVE_SCOPE, EMAIL_SCOPE, http, postForm } from './helpers.js';

const CLIENT_ID = '99999-app.apps.googleusercontent.com';
const INVALID = { error: 'invalid_token', error_description: 'Invalid Value' };

describe('GoogleOAuth2Emulator tokeninfo, userinfo, certs', () => {
  const emulator = new GoogleOAuth2Emulator({ certsMaxAgeSeconds: 1234 });

  beforeAll(async () => {
    await emulator.start();
    emulator.addUser({ email: 'ivy@example.com', id: '111111111111111111111', name: 'Ivy Jones' });
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clock.reset());

  function userToken(scopes: string[], expiresInSeconds?: number): string {
    return emulator.issueAccessToken({
      email: 'ivy@example.com',
      clientId: CLIENT_ID,
      scopes,
      ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}),
    });
  }

  describe('tokeninfo', () => {
    it('answers an access token with string values, as google-endpoints.md shows', async () => {
      const token = userToken(['openid', EMAIL_SCOPE]);
      const res = await http(`${emulator.urls.tokenInfo}?access_token=${token}`);
      expect(res.status).toBe(200);
      const body = res.body as Record<string, unknown>;
      expect(body).toEqual({
        azp: CLIENT_ID,
        aud: CLIENT_ID,
        sub: '111111111111111111111',
        scope: `openid ${EMAIL_SCOPE}`,
        exp: expect.any(String),
        expires_in: '3599',
        email: 'ivy@example.com',
        email_verified: 'true',
        access_type: 'online',
      });
      expect(Object.values(body).every((value) => typeof value === 'string')).toBe(true);
      expect(Number(body.exp)).toBe(Math.floor(emulator.clock.now() / 1000) + 3600);
    });

    it('tells who only with identity scopes: no sub or email for a drive-only token', async () => {
      const res = await http(`${emulator.urls.tokenInfo}?access_token=${userToken([DRIVE_SCOPE])}`);
      expect(res.body).toEqual({
        azp: CLIENT_ID,
        aud: CLIENT_ID,
        scope: DRIVE_SCOPE,
        exp: expect.any(String),
        expires_in: expect.any(String),
        access_type: 'online',
      });
    });

    it('takes the token from the query, a form body, or a Bearer header, at both paths', async () => {
      const token = userToken(['email']);
      const viaForm = await postForm(`${emulator.url}/oauth2/v3/tokeninfo`, {
        access_token: token,
      });
      const viaHeader = await http(emulator.urls.tokenInfo, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(viaForm.status).toBe(200);
      expect(viaHeader.status).toBe(200);
      expect(viaForm.body).toEqual(viaHeader.body);
    });

    it('400 invalid_token "Invalid Value" for unknown, revoked and expired tokens', async () => {
      const unknown = await http(`${emulator.urls.tokenInfo}?access_token=ya29.nothing`);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual(INVALID);

      const revoked = userToken(['email']);
      emulator.revokeToken(revoked);
      expect((await http(`${emulator.urls.tokenInfo}?access_token=${revoked}`)).body).toEqual(
        INVALID,
      );

      const expired = userToken(['email'], 0);
      const res = await http(`${emulator.urls.tokenInfo}?access_token=${expired}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(INVALID);
    });

    it('a token past its expiry by clock.advance fails; clock.set and reset move it back', async () => {
      const token = userToken(['email'], 600);
      const url = `${emulator.urls.tokenInfo}?access_token=${token}`;
      emulator.clock.advance(599_000);
      const nearlyDone = await http(url);
      expect(nearlyDone.status).toBe(200);
      expect((nearlyDone.body as { expires_in: string }).expires_in).toMatch(/^[01]$/);
      emulator.clock.advance(2_000);
      expect((await http(url)).body).toEqual(INVALID);
      emulator.clock.set(Date.now());
      expect((await http(url)).status).toBe(200);
      emulator.clock.set(Date.now() + 3_600_000);
      expect((await http(url)).status).toBe(400);
      emulator.clock.reset();
      expect((await http(url)).status).toBe(200);
    });

    it('id_token: the claims as strings plus alg, kid, typ; an expired or forged one is invalid', async () => {
      const idToken = emulator.issueIdToken({
        email: 'ivy@example.com',
        audience: CLIENT_ID,
        authorizedParty: 'web-client',
      });
      const res = await http(`${emulator.urls.tokenInfo}?id_token=${idToken}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        iss: 'https://accounts.google.com',
        azp: 'web-client',
        aud: CLIENT_ID,
        sub: '111111111111111111111',
        email: 'ivy@example.com',
        email_verified: 'true',
        iat: expect.stringMatching(/^\d+$/),
        exp: expect.stringMatching(/^\d+$/),
        alg: 'RS256',
        kid: expect.stringMatching(/^[0-9a-f]{40}$/),
        typ: 'JWT',
      });
      const expired = emulator.issueIdToken({
        email: 'ivy@example.com',
        audience: CLIENT_ID,
        expiresInSeconds: -10,
      });
      expect((await http(`${emulator.urls.tokenInfo}?id_token=${expired}`)).body).toEqual(INVALID);
      const [h, p] = idToken.split('.');
      const forged = `${h}.${p}.${Buffer.from('nope').toString('base64url')}`;
      expect((await http(`${emulator.urls.tokenInfo}?id_token=${forged}`)).status).toBe(400);
    });

    it('issueIdToken claims override or remove standard ones (for negative tests)', async () => {
      const idToken = emulator.issueIdToken({
        email: 'ivy@example.com',
        audience: CLIENT_ID,
        claims: { iss: 'https://evil.example', email_verified: undefined, custom: 1 },
      });
      const payload = JSON.parse(
        Buffer.from(idToken.split('.')[1] as string, 'base64url').toString(),
      );
      expect(payload.iss).toBe('https://evil.example');
      expect(payload).not.toHaveProperty('email_verified');
      expect(payload.custom).toBe(1);
    });

    it('no token at all: 400 invalid_request', async () => {
      const res = await http(emulator.urls.tokenInfo);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('userinfo', () => {
    it('v2: id, email, verified_email, names by scope', async () => {
      const token = userToken(['email', 'profile']);
      const res = await http(`${emulator.url}/oauth2/v2/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: '111111111111111111111',
        email: 'ivy@example.com',
        verified_email: true,
        name: 'Ivy Jones',
        given_name: 'Ivy',
        family_name: 'Jones',
      });
    });

    it('OpenID (urls.userInfo): sub and email_verified; email only with the email scope', async () => {
      const openidOnly = await http(emulator.urls.userInfo, {
        headers: { authorization: `Bearer ${userToken(['openid'])}` },
      });
      expect(openidOnly.body).toEqual({ sub: '111111111111111111111' });
      const withEmail = await http(emulator.urls.userInfo, {
        headers: { authorization: `Bearer ${userToken(['openid', 'email'])}` },
      });
      expect(withEmail.body).toEqual({
        sub: '111111111111111111111',
        email: 'ivy@example.com',
        email_verified: true,
      });
    });

    it('401 UNAUTHENTICATED with WWW-Authenticate for a missing or invalid token', async () => {
      const missing = await http(emulator.urls.userInfo);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
      const invalid = await http(emulator.urls.userInfo, {
        headers: { authorization: 'Bearer ya29.bogus' },
      });
      expect(invalid.status).toBe(401);
      expect(invalid.headers.get('www-authenticate')).toBe(
        'Bearer realm="https://accounts.google.com/", error="invalid_token"',
      );
      expect(invalid.body).toEqual({
        error: {
          code: 401,
          message: expect.stringContaining('Request had invalid authentication credentials.'),
          status: 'UNAUTHENTICATED',
        },
      });
    });

    it('403 insufficient scope for a token without openid/email/profile', async () => {
      const res = await http(`${emulator.url}/oauth2/v2/userinfo`, {
        headers: { authorization: `Bearer ${userToken([DRIVE_SCOPE])}` },
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    });
  });

  describe('certs', () => {
    it('v1: a self-signed X.509 PEM certificate per kid; v3: the same keys as JWKs; both cacheable', async () => {
      const v1 = await http(`${emulator.url}/oauth2/v1/certs`);
      const v3 = await http(emulator.urls.certs);
      expect(v1.headers.get('cache-control')).toMatch(/^public, max-age=1234\b/);
      expect(v3.headers.get('cache-control')).toMatch(/^public, max-age=1234\b/);
      const pems = v1.body as Record<string, string>;
      const { keys } = v3.body as { keys: Record<string, string>[] };
      expect(Object.keys(pems)).toEqual(keys.map((k) => k.kid));
      for (const jwk of keys) {
        expect(jwk).toEqual({
          kty: 'RSA',
          alg: 'RS256',
          use: 'sig',
          kid: expect.any(String),
          n: expect.any(String),
          e: 'AQAB',
        });
        const cert = new X509Certificate(pems[jwk.kid as string] as string);
        expect(cert.verify(cert.publicKey)).toBe(true);
        expect(cert.subject).toBe('CN=federated-signon.system.gserviceaccount.com');
        expect(cert.publicKey.export({ format: 'jwk' })).toEqual({
          kty: 'RSA',
          n: jwk.n,
          e: jwk.e,
        });
        expect(
          createPublicKey({
            key: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string },
            format: 'jwk',
          }).asymmetricKeyType,
        ).toBe('rsa');
      }
    });

    it("a service account's public certs at its key file's client_x509_cert_url path", async () => {
      const key = emulator.createServiceAccount();
      const path = new URL(key.client_x509_cert_url).pathname;
      const res = await http(`${emulator.url}${path}`);
      expect(res.status).toBe(200);
      const cert = new X509Certificate(
        (res.body as Record<string, string>)[key.private_key_id] as string,
      );
      expect(cert.checkPrivateKey(createPrivateKey(key.private_key))).toBe(true);
      expect(
        (await http(`${emulator.url}/robot/v1/metadata/x509/nobody%40x.iam.gserviceaccount.com`))
          .status,
      ).toBe(404);
    });
  });
});
