/**
 * Service-to-service identity: Google-signed ID tokens of service accounts from the token
 * endpoint, the metadata server and IAM `generateIdToken`, and Identity-Aware Proxy's keys and
 * assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { JWT } from 'google-auth-library';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { emulatorTransporter, verifyIdToken } from '../../conformance/node/google-auth-library.js';
import { CLOUD_PLATFORM, http } from './helpers.js';

const AUDIENCE = 'https://receiver-abc123-uc.a.run.app';

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = jwt
    .split('.')
    .slice(0, 2)
    .map(
      (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
    );
  return { header: header!, claims: claims! };
}

describe('GoogleOAuth2Emulator: service accounts’ ID tokens', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({
      email: 'caller@emulator-project.iam.gserviceaccount.com',
    });
  });
  afterAll(() => emulator.stop());

  /** Verifies as a receiving service would: Google's certs (the emulator's), this audience. */
  async function verified(idToken: string): Promise<Record<string, unknown>> {
    return (await verifyIdToken(emulator, idToken, AUDIENCE)) ?? {};
  }

  /** The claims Google puts in a service account's ID token for AUDIENCE. */
  function serviceAccountClaims(
    account: { client_id: string; client_email: string },
    withEmail: boolean,
  ): Record<string, unknown> {
    return {
      iss: 'https://accounts.google.com',
      aud: AUDIENCE,
      azp: account.client_id,
      sub: account.client_id,
      ...(withEmail ? { email: account.client_email, email_verified: true } : {}),
      iat: expect.any(Number),
      exp: expect.any(Number),
    };
  }

  /** Verified, and one hour long. */
  async function claimsOf(idToken: string): Promise<Record<string, unknown>> {
    const claims = await verified(idToken);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    return claims;
  }

  // google-auth-library's getIdTokenClient, with a key and on the metadata server, is in
  // test/e2e/conformance/node.e2e-spec.ts (the examples of docs/emulator.md).
  it('token endpoint: a scope beside target_audience (a JWT client with scopes) still gets an ID token', async () => {
    const jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      scopes: [CLOUD_PLATFORM],
      transporter: emulatorTransporter(emulator.url),
    });
    const idToken = await jwt.fetchIdToken(AUDIENCE);
    expect(await claimsOf(idToken)).toEqual(serviceAccountClaims(key, true));
    const assertion = new URLSearchParams(emulator.requests('token').at(-1)?.body).get('assertion');
    expect(decode(assertion!).claims).toMatchObject({
      scope: CLOUD_PLATFORM,
      target_audience: AUDIENCE,
    });
  });

  describe('metadata server: instance/service-accounts/default/identity', () => {
    it('without format=full: no email; without an audience: 400', async () => {
      const base = `${emulator.url}/computeMetadata/v1/instance/service-accounts/default/identity`;
      const headers = { 'Metadata-Flavor': 'Google' };
      const plain = await http(`${base}?audience=${encodeURIComponent(AUDIENCE)}`, { headers });
      expect(plain.status).toBe(200);
      expect(await claimsOf(plain.text)).toEqual(
        serviceAccountClaims(emulator.defaultServiceAccount, false),
      );
      expect((await http(base, { headers })).status).toBe(400);
    });
  });

  describe('IAM Credentials: generateIdToken and signBlob', () => {
    const caller = () =>
      emulator.issueAccessToken({
        email: emulator.defaultServiceAccount.client_email,
        clientId: emulator.defaultServiceAccount.client_id,
        scopes: [CLOUD_PLATFORM],
      });
    const iam = (method: string, account: string, body: unknown, token?: string) =>
      http(`${emulator.urls.iamCredentials}/v1/projects/-/serviceAccounts/${account}:${method}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });

    it('generateIdToken {audience, includeEmail} → {token}, email only when asked for', async () => {
      const withEmail = await iam(
        'generateIdToken',
        key.client_email,
        { audience: AUDIENCE, includeEmail: true, delegates: [] },
        caller(),
      );
      expect(withEmail.status).toBe(200);
      expect(Object.keys(withEmail.body as object)).toEqual(['token']);
      expect(await claimsOf((withEmail.body as { token: string }).token)).toEqual(
        serviceAccountClaims(key, true),
      );
      const without = await iam('generateIdToken', key.client_id, { audience: AUDIENCE }, caller());
      expect(await claimsOf((without.body as { token: string }).token)).toEqual(
        serviceAccountClaims(key, false),
      );
      expect(emulator.requestCount('generateIdToken')).toBe(2);
    });

    it('generateIdToken refuses no audience (400), no caller token (401), an unknown account (404)', async () => {
      const noAudience = await iam('generateIdToken', key.client_email, {}, caller());
      expect(noAudience.status).toBe(400);
      expect(noAudience.body).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
      expect((await iam('generateIdToken', key.client_email, { audience: AUDIENCE })).status).toBe(
        401,
      );
      const unknown = await iam(
        'generateIdToken',
        'nobody@emulator-project.iam.gserviceaccount.com',
        { audience: AUDIENCE },
        caller(),
      );
      expect(unknown.status).toBe(404);
    });

    it('signBlob: IAM Credentials {payload} → {keyId, signedBlob}; IAM v1 {bytesToSign} → {keyId, signature}', async () => {
      const blob = Buffer.from('bytes to sign');
      const publicKey = createPublicKey(key.private_key);
      const current = await iam(
        'signBlob',
        key.client_email,
        { payload: blob.toString('base64') },
        caller(),
      );
      expect(current.status).toBe(200);
      const { keyId, signedBlob } = current.body as { keyId: string; signedBlob: string };
      expect(keyId).toBe(key.private_key_id);
      expect(verify('sha256', blob, publicKey, Buffer.from(signedBlob, 'base64'))).toBe(true);

      const legacy = await iam(
        'signBlob',
        key.client_email,
        { bytesToSign: blob.toString('base64') },
        caller(),
      );
      const { signature } = legacy.body as { signature: string };
      expect(Object.keys(legacy.body as object).sort()).toEqual(['keyId', 'signature']);
      expect(verify('sha256', blob, publicKey, Buffer.from(signature, 'base64'))).toBe(true);

      const bad = await iam('signBlob', key.client_email, { payload: 'not base64!' }, caller());
      expect(bad.status).toBe(400);
      expect(emulator.requestCount('signBlob')).toBe(3);
    });
  });
});

describe('GoogleOAuth2Emulator: Identity-Aware Proxy', () => {
  const emulator = new GoogleOAuth2Emulator();
  const IAP_AUDIENCE = '/projects/123456789012/global/backendServices/987654321';

  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  async function iapJwks(): Promise<JsonWebKey[]> {
    const res = await http(emulator.urls.iapPublicKeys);
    expect(res.status).toBe(200);
    return (res.body as { keys: JsonWebKey[] }).keys;
  }

  /** ES256 verification by the published key named by `kid`, as a receiving app would do. */
  async function verifiesWithIapKeys(jwt: string): Promise<boolean> {
    const { header } = decode(jwt);
    const jwk = (await iapJwks()).find((k) => k.kid === header.kid);
    if (!jwk || header.alg !== 'ES256') return false;
    const [h, p, s] = jwt.split('.') as [string, string, string];
    return verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    );
  }

  it('publishes ES256 P-256 keys as a JWK set (and as PEM), with the certs’ caching headers', async () => {
    expect(emulator.urls.iapPublicKeys).toBe(`${emulator.url}/iap/verify/public_key-jwk`);
    const keys = await iapJwks();
    expect(keys).toHaveLength(2); // the current key and the next one
    for (const jwk of keys) {
      expect(jwk).toEqual({
        kty: 'EC',
        alg: 'ES256',
        use: 'sig',
        crv: 'P-256',
        kid: expect.stringMatching(/^[A-Za-z0-9_-]{6}$/),
        x: expect.any(String),
        y: expect.any(String),
      });
    }
    const pem = await http(`${emulator.url}/iap/verify/public_key`);
    expect(Object.keys(pem.body as object).sort()).toEqual(keys.map((k) => k.kid).sort());
    expect(Object.values(pem.body as object)[0]).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(pem.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(emulator.requestCount('iapKeys')).toBe(2);
  });

  it('issueIapAssertion: ES256 by the current IAP key; iss, aud, sub, email, hd, iat, exp', async () => {
    const user = emulator.addUser({ email: 'ivy@corp.example', hostedDomain: 'corp.example' });
    const assertion = emulator.issueIapAssertion({ email: user.email, audience: IAP_AUDIENCE });
    const { header, claims } = decode(assertion);
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    expect(claims).toEqual({
      iss: 'https://cloud.google.com/iap',
      aud: IAP_AUDIENCE,
      sub: `accounts.google.com:${user.id}`,
      email: 'ivy@corp.example',
      hd: 'corp.example',
      iat: expect.any(Number),
      exp: (claims.iat as number) + 600,
    });
    await expect(verifiesWithIapKeys(assertion)).resolves.toBe(true);
  });

  it('for a service account: its unique id in sub, no hd', () => {
    const sa = emulator.createServiceAccount();
    const { claims } = decode(
      emulator.issueIapAssertion({ email: sa.client_email, audience: IAP_AUDIENCE }),
    );
    expect(claims).toMatchObject({
      sub: `accounts.google.com:${sa.client_id}`,
      email: sa.client_email,
    });
    expect(claims).not.toHaveProperty('hd');
  });

  it('bad ones for negative tests: an unknown key, RS256 by a Google key, expired, overridden claims and header', async () => {
    const issue = (options: Partial<Parameters<GoogleOAuth2Emulator['issueIapAssertion']>[0]>) =>
      emulator.issueIapAssertion({ email: 'ivy@corp.example', audience: IAP_AUDIENCE, ...options });

    const unknown = issue({ signedWith: 'unknownKey' });
    expect(decode(unknown).header.alg).toBe('ES256');
    const published = (await iapJwks()).map((k) => k.kid);
    expect(published).not.toContain(decode(unknown).header.kid);
    await expect(verifiesWithIapKeys(unknown)).resolves.toBe(false);

    const rs256 = issue({ signedWith: 'rs256' });
    const certs = (await http(emulator.urls.certs)).body as { keys: JsonWebKey[] };
    expect(decode(rs256).header.alg).toBe('RS256');
    expect(certs.keys.map((k) => k.kid)).toContain(decode(rs256).header.kid);
    await expect(verifiesWithIapKeys(rs256)).resolves.toBe(false);

    const expired = decode(issue({ expiresInSeconds: -60 })).claims;
    expect(expired.exp as number).toBeLessThan(Date.now() / 1000);

    const changed = issue({
      claims: { iss: 'https://evil.example', hd: undefined },
      header: { kid: undefined },
    });
    expect(decode(changed).claims.iss).toBe('https://evil.example');
    expect(decode(changed).claims).not.toHaveProperty('hd');
    expect(decode(changed).header).not.toHaveProperty('kid');
  });

  it('rotateIapKeys: Google-style publishes the next key first; abrupt signs with an unpublished one', async () => {
    const before = (await iapJwks()).map((k) => k.kid);
    emulator.rotateIapKeys();
    const fresh = emulator.issueIapAssertion({ email: 'ivy@corp.example', audience: IAP_AUDIENCE });
    expect(before).toContain(decode(fresh).header.kid);
    const cached = (await iapJwks()).map((k) => k.kid);
    emulator.rotateIapKeys({ abrupt: true });
    const abrupt = emulator.issueIapAssertion({
      email: 'ivy@corp.example',
      audience: IAP_AUDIENCE,
    });
    expect(cached).not.toContain(decode(abrupt).header.kid);
    await expect(verifiesWithIapKeys(abrupt)).resolves.toBe(true); // once fetched again
  });
});
