/**
 * The real Google clients, unmodified but for their URLs or transport, against the emulator:
 * google-auth-library (JWT, OAuth2Client, Compute, Impersonated, IdTokenClient), gcp-metadata and
 * @googleapis/oauth2. No nock, no mocks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Compute, Impersonated, JWT, OAuth2Client } from 'google-auth-library';
import * as gcpMetadata from 'gcp-metadata';
import { oauth2 } from '@googleapis/oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { GOOGLE_TOKEN_URL, redirectingTransporter } from '../../support/google-transport.js';
import { CLOUD_PLATFORM, DRIVE_SCOPE, EMAIL_SCOPE, http } from './helpers.js';

const CLIENT_ID = '123456789012-web.apps.googleusercontent.com';

describe('GoogleOAuth2Emulator with the real Google clients', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({
      email: 'minter@emulator-project.iam.gserviceaccount.com',
    });
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clock.reset());

  function jwtClient(options: { subject?: string; scopes?: string[] } = {}): JWT {
    return new JWT({
      email: key.client_email,
      key: key.private_key,
      scopes: options.scopes ?? [CLOUD_PLATFORM],
      ...(options.subject ? { subject: options.subject } : {}),
      transporter: redirectingTransporter({ [GOOGLE_TOKEN_URL]: emulator.urls.token }),
    });
  }

  describe('google-auth-library JWT', () => {
    it('gets a service-account token that tokeninfo knows', async () => {
      const before = emulator.requestCount('token');
      const { token } = await jwtClient().getAccessToken();
      expect(token).toMatch(/^ya29\.[A-Za-z0-9_-]+$/);
      expect(emulator.requestCount('token')).toBe(before + 1);

      const info = await http(`${emulator.urls.tokenInfo}?access_token=${token}`);
      expect(info.status).toBe(200);
      expect(info.body).toEqual({
        azp: key.client_id,
        aud: key.client_id,
        scope: CLOUD_PLATFORM,
        exp: expect.stringMatching(/^\d+$/),
        expires_in: expect.stringMatching(/^35\d\d$/),
        access_type: 'online',
      });
    });

    it('gets a token as a domain user after domain-wide delegation', async () => {
      const user = emulator.addUser({ email: 'alice@example.com', hostedDomain: 'example.com' });
      emulator.grantDomainWideDelegation(key.client_id, [DRIVE_SCOPE, EMAIL_SCOPE]);
      const client = jwtClient({ subject: user.email, scopes: [DRIVE_SCOPE, EMAIL_SCOPE] });
      const { token } = await client.getAccessToken();
      const assertion = new URLSearchParams(emulator.requests('token').at(-1)?.body).get(
        'assertion',
      );
      expect(assertion?.split('.')).toHaveLength(3);

      const info = await new OAuth2Client({
        endpoints: { tokenInfoUrl: emulator.urls.tokenInfo },
      }).getTokenInfo(token as string);
      expect(info).toMatchObject({
        email: 'alice@example.com',
        email_verified: 'true',
        sub: user.id,
        azp: key.client_id,
        scopes: [DRIVE_SCOPE, EMAIL_SCOPE],
      });
    });

    it('fails as google-auth-library reports Google errors when delegation is missing', async () => {
      emulator.addUser({ email: 'bob@example.com' });
      const client = jwtClient({
        subject: 'bob@example.com',
        scopes: ['https://mail.google.com/'],
      });
      await expect(client.getAccessToken()).rejects.toMatchObject({
        message: expect.stringContaining('unauthorized_client'),
        status: 401,
      });
    });
  });

  describe('OAuth2Client', () => {
    it('getTokenInfo posts the token as a Bearer header and reads the string values', async () => {
      const token = emulator.issueAccessToken({
        email: 'carol@example.com',
        clientId: CLIENT_ID,
        scopes: ['openid', 'email'],
      });
      const client = new OAuth2Client({ endpoints: { tokenInfoUrl: emulator.urls.tokenInfo } });
      const info = await client.getTokenInfo(token);
      expect(info.aud).toBe(CLIENT_ID);
      expect(info.email).toBe('carol@example.com');
      expect(info.scopes).toEqual(['openid', EMAIL_SCOPE]);
      expect(info.expiry_date).toBeGreaterThan(Date.now() + 3500_000);
      const recorded = emulator.requests('tokeninfo').at(-1);
      expect(recorded?.method).toBe('POST');
      expect(recorded?.headers.authorization).toBe(`Bearer ${token}`);
    });

    it('getTokenInfo rejects a revoked token with invalid_token', async () => {
      const token = emulator.issueAccessToken({
        email: 'carol@example.com',
        clientId: CLIENT_ID,
        scopes: ['email'],
      });
      emulator.revokeToken(token);
      const client = new OAuth2Client({ endpoints: { tokenInfoUrl: emulator.urls.tokenInfo } });
      await expect(client.getTokenInfo(token)).rejects.toMatchObject({
        status: 400,
        response: { data: { error: 'invalid_token', error_description: 'Invalid Value' } },
      });
    });

    function verifier(): OAuth2Client {
      return new OAuth2Client({
        endpoints: {
          oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs`,
          oauth2FederatedSignonJwkCertsUrl: `${emulator.url}/oauth2/v3/certs`,
        },
      });
    }

    it('verifyIdToken checks an emulator ID token against the PEM certificates', async () => {
      emulator.addUser({
        email: 'dave@corp.example',
        hostedDomain: 'corp.example',
        name: 'Dave D',
      });
      const idToken = emulator.issueIdToken({ email: 'dave@corp.example', audience: CLIENT_ID });
      const before = emulator.requestCount('certs');
      const ticket = await verifier().verifyIdToken({ idToken, audience: CLIENT_ID });
      expect(emulator.requestCount('certs')).toBe(before + 1);
      expect(emulator.requests('certs').at(-1)?.path).toBe('/oauth2/v1/certs');
      expect(ticket.getPayload()).toMatchObject({
        iss: 'https://accounts.google.com',
        aud: CLIENT_ID,
        azp: CLIENT_ID,
        email: 'dave@corp.example',
        email_verified: true,
        hd: 'corp.example',
      });
    });

    it('verifyIdToken rejects a wrong audience and a token signed by a key Google does not publish', async () => {
      const idToken = emulator.issueIdToken({
        email: 'dave@corp.example',
        audience: 'someone-else',
      });
      await expect(verifier().verifyIdToken({ idToken, audience: CLIENT_ID })).rejects.toThrow(
        /Wrong recipient/,
      );
      const other = new GoogleOAuth2Emulator();
      const foreign = other.issueIdToken({ email: 'dave@corp.example', audience: CLIENT_ID });
      await expect(
        verifier().verifyIdToken({ idToken: foreign, audience: CLIENT_ID }),
      ).rejects.toThrow(/No pem found/);
    });

    it('verifyIdToken works across rotateSigningKeys(): the previous key stays published once', async () => {
      const before = emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID });
      emulator.rotateSigningKeys();
      const after = emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID });
      const kid = (jwt: string): unknown =>
        JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString()).kid;
      expect(kid(after)).not.toBe(kid(before));

      const client = verifier();
      await expect(
        client.verifyIdToken({ idToken: after, audience: CLIENT_ID }),
      ).resolves.toBeDefined();
      await expect(
        client.verifyIdToken({ idToken: before, audience: CLIENT_ID }),
      ).resolves.toBeDefined();

      emulator.rotateSigningKeys();
      await expect(
        verifier().verifyIdToken({ idToken: before, audience: CLIENT_ID }),
      ).rejects.toThrow(/No pem found/);
      await expect(
        verifier().verifyIdToken({ idToken: after, audience: CLIENT_ID }),
      ).resolves.toBeDefined();
    });

    it('a verifier that cached the certs knows the key a Google-style rotation brings in', async () => {
      const client = verifier();
      await client.verifyIdToken({
        idToken: emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID }),
        audience: CLIENT_ID,
      });
      const certsCalls = emulator.requestCount('certs');
      emulator.rotateSigningKeys();
      const fresh = emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID });
      await expect(
        client.verifyIdToken({ idToken: fresh, audience: CLIENT_ID }),
      ).resolves.toBeDefined();
      expect(emulator.requestCount('certs')).toBe(certsCalls);
    });

    it('a verifier that cached the certs honours max-age and misses a key rotated in abruptly', async () => {
      const client = verifier();
      await client.verifyIdToken({
        idToken: emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID }),
        audience: CLIENT_ID,
      });
      const certsCalls = emulator.requestCount('certs');
      emulator.rotateSigningKeys({ abrupt: true });
      const fresh = emulator.issueIdToken({ email: 'erin@example.com', audience: CLIENT_ID });
      await expect(client.verifyIdToken({ idToken: fresh, audience: CLIENT_ID })).rejects.toThrow(
        /No pem found/,
      );
      expect(emulator.requestCount('certs')).toBe(certsCalls);
    });
  });

  describe('gcp-metadata and Compute through GCE_METADATA_HOST', () => {
    const saved = process.env.GCE_METADATA_HOST;
    beforeAll(() => {
      process.env.GCE_METADATA_HOST = emulator.metadataHost;
      gcpMetadata.resetIsAvailableCache();
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.GCE_METADATA_HOST;
      else process.env.GCE_METADATA_HOST = saved;
      gcpMetadata.resetIsAvailableCache();
    });

    it('isAvailable() finds the emulator, and instance/project answer', async () => {
      await expect(gcpMetadata.isAvailable()).resolves.toBe(true);
      await expect(gcpMetadata.instance('service-accounts/default/email')).resolves.toBe(
        emulator.defaultServiceAccount.client_email,
      );
      await expect(gcpMetadata.project('project-id')).resolves.toBe(
        emulator.defaultServiceAccount.project_id,
      );
      const token = (await gcpMetadata.instance({
        property: 'service-accounts/default/token',
        params: { scopes: `${CLOUD_PLATFORM},${EMAIL_SCOPE}` },
      })) as { access_token: string; expires_in: number; token_type: string };
      expect(token).toEqual({
        access_token: expect.stringMatching(/^ya29\./),
        expires_in: expect.any(Number),
        token_type: 'Bearer',
      });
      const info = await http(`${emulator.urls.tokenInfo}?access_token=${token.access_token}`);
      expect(info.body).toMatchObject({
        email: emulator.defaultServiceAccount.client_email,
        scope: `${CLOUD_PLATFORM} ${EMAIL_SCOPE}`,
      });
      for (const request of emulator.requests('metadata')) {
        expect(request.headers['metadata-flavor']).toBe('Google');
      }
    });

    it("google-auth-library's Compute client gets the default account's token", async () => {
      const compute = new Compute({ scopes: [CLOUD_PLATFORM] });
      const { token } = await compute.getAccessToken();
      const info = await http(`${emulator.urls.tokenInfo}?access_token=${token}`);
      expect(info.body).toMatchObject({
        azp: emulator.defaultServiceAccount.client_id,
        scope: CLOUD_PLATFORM,
      });
    });

    it('Compute.fetchIdToken gets an ID token that verifyIdToken accepts', async () => {
      const idToken = await new Compute().fetchIdToken('https://my-service.example');
      const ticket = await new OAuth2Client({
        endpoints: { oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs` },
      }).verifyIdToken({ idToken, audience: 'https://my-service.example' });
      expect(ticket.getPayload()?.email).toBe(emulator.defaultServiceAccount.client_email);
    });
  });

  describe('IAM Credentials', () => {
    it('Impersonated (generateAccessToken) mints a token for another service account', async () => {
      const target = emulator.createServiceAccount({
        email: 'target@emulator-project.iam.gserviceaccount.com',
      });
      const impersonated = new Impersonated({
        sourceClient: jwtClient(),
        targetPrincipal: target.client_email,
        targetScopes: [DRIVE_SCOPE],
        lifetime: 600,
        endpoint: emulator.urls.iamCredentials,
      });
      const { token } = await impersonated.getAccessToken();
      expect(emulator.requestCount('generateAccessToken')).toBe(1);
      const info = await http(`${emulator.urls.tokenInfo}?access_token=${token}`);
      expect(info.body).toMatchObject({ azp: target.client_id, scope: DRIVE_SCOPE });
      expect(Number((info.body as { expires_in: string }).expires_in)).toBeLessThanOrEqual(600);
    });

    it('signJwt signs an assertion the token endpoint accepts (keyless domain-wide delegation)', async () => {
      const caller = await jwtClient().getAccessToken();
      const user = emulator.addUser({ email: 'frank@example.com' });
      emulator.grantDomainWideDelegation(key.client_id, [DRIVE_SCOPE]);
      const iat = Math.floor(Date.now() / 1000);
      const signed = await http(
        `${emulator.urls.iamCredentials}/v1/projects/-/serviceAccounts/${key.client_email}:signJwt`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            payload: JSON.stringify({
              iss: key.client_email,
              sub: user.email,
              scope: DRIVE_SCOPE,
              aud: GOOGLE_TOKEN_URL,
              iat,
              exp: iat + 3600,
            }),
          }),
        },
      );
      expect(signed.status).toBe(200);
      const { keyId, signedJwt } = signed.body as { keyId: string; signedJwt: string };
      expect(keyId).toMatch(/^[0-9a-f]{40}$/);
      const client = new OAuth2Client();
      const res = await redirectingTransporter({
        [GOOGLE_TOKEN_URL]: emulator.urls.token,
      }).request<{
        access_token: string;
      }>({
        url: GOOGLE_TOKEN_URL,
        method: 'POST',
        data: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: signedJwt,
        }),
      });
      client.setCredentials({ access_token: res.data.access_token });
      const info = await http(`${emulator.urls.tokenInfo}?access_token=${res.data.access_token}`);
      expect(info.body).toMatchObject({ azp: key.client_id, scope: DRIVE_SCOPE });
    });
  });

  describe('@googleapis/oauth2', () => {
    it('userinfo.get with rootUrl on the emulator', async () => {
      emulator.addUser({
        email: 'gina@example.com',
        name: 'Gina Gee',
        hostedDomain: 'example.com',
      });
      const token = emulator.issueAccessToken({
        email: 'gina@example.com',
        clientId: CLIENT_ID,
        scopes: ['openid', 'email', 'profile'],
      });
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: token });
      const api = oauth2({ version: 'v2', auth });
      const { data } = await api.userinfo.get({}, { rootUrl: emulator.urls.apiRoot });
      expect(data).toEqual({
        id: expect.stringMatching(/^\d{21}$/),
        email: 'gina@example.com',
        verified_email: true,
        name: 'Gina Gee',
        given_name: 'Gina',
        family_name: 'Gee',
        hd: 'example.com',
      });
    });

    it('tokeninfo (v2) with rootUrl on the emulator', async () => {
      const token = emulator.issueAccessToken({
        email: 'gina@example.com',
        clientId: CLIENT_ID,
        scopes: ['email'],
      });
      const { data } = await oauth2({ version: 'v2' }).tokeninfo(
        { access_token: token },
        { rootUrl: emulator.urls.apiRoot },
      );
      expect(data).toMatchObject({
        issued_to: CLIENT_ID,
        email: 'gina@example.com',
        verified_email: true,
      });
    });
  });
});
