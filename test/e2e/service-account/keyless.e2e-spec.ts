import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { OAuth2Client } from 'google-auth-library';
import { OAuth2Module, ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** No private key: Application Default Credentials fall through to the metadata server. */
describe('keyless minting (metadata server, IAM signJwt for domain-wide delegation)', () => {
  const emulator = new GoogleOAuth2Emulator();
  const saved = {
    adc: process.env.GOOGLE_APPLICATION_CREDENTIALS,
    host: process.env.GCE_METADATA_HOST,
  };
  let app: INestApplicationContext;
  let factory: ServiceAccountCredentialsFactory;

  beforeAll(async () => {
    await emulator.start();
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    // The metadata server is found as gcp-metadata finds it: through GCE_METADATA_HOST.
    process.env.GCE_METADATA_HOST = emulator.metadataHost;
    const { metadata: _, ...urls } = emulator.urls;
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ google: urls })],
    }).compile();
    app = await moduleRef.init();
    factory = app.get(ServiceAccountCredentialsFactory);
    emulator.addUser({ email: 'ann@example.com' });
  });
  afterEach(() => emulator.resetCounts());
  afterAll(async () => {
    await app.close();
    await emulator.stop();
    for (const [name, value] of [
      ['GOOGLE_APPLICATION_CREDENTIALS', saved.adc],
      ['GCE_METADATA_HOST', saved.host],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('mints a plain token from the metadata server', async () => {
    const { token } = await factory.getAccessToken(GMAIL);
    expect(token).toMatch(/^ya29\./);
    const tokenCalls = emulator.requests('metadata').filter((r) => r.path.includes('/token'));
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.path).toContain(encodeURIComponent(GMAIL));
    expect(emulator.requestCount('token')).toBe(0);
    expect((await factory.getAccessToken(GMAIL)).token).toBe(token);
  });

  it("mints ID tokens from the metadata server's identity entry, with the email in them", async () => {
    const audience = 'https://receiver-abc123-uc.a.run.app';
    const { token, expiresAt } = await factory.getIdToken(audience);
    const verifier = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs` },
    });
    const payload = (await verifier.verifyIdToken({ idToken: token, audience })).getPayload()!;
    expect(payload).toMatchObject({
      aud: audience,
      email: emulator.defaultServiceAccount.client_email,
      email_verified: true,
    });
    expect(expiresAt.getTime()).toBe(payload.exp * 1000);
    const identityCalls = emulator.requests('metadata').filter((r) => r.path.includes('/identity'));
    expect(identityCalls).toHaveLength(1);
    const url = new URL(identityCalls[0]!.path, emulator.url);
    expect(url.pathname).toBe('/computeMetadata/v1/instance/service-accounts/default/identity');
    expect(Object.fromEntries(url.searchParams)).toEqual({ audience, format: 'full' });
    expect(emulator.requestCount('token')).toBe(0);

    emulator.resetCounts();
    expect((await factory.getIdToken(audience)).token).toBe(token);
    expect(emulator.requests()).toHaveLength(0);
  });

  it('acts as a user through IAM signJwt and the token endpoint', async () => {
    emulator.grantDomainWideDelegation(emulator.defaultServiceAccount.client_id, [GMAIL]);
    const { token } = await factory.getAccessToken(GMAIL, 'ann@example.com');
    expect(token).toMatch(/^ya29\./);
    expect(emulator.requestCount('signJwt')).toBe(1);
    expect(emulator.requestCount('token')).toBe(1);
    const signRequest = emulator.requests('signJwt')[0]!;
    expect(signRequest.path).toContain(
      encodeURIComponent(emulator.defaultServiceAccount.client_email),
    );
    const payload = JSON.parse(JSON.parse(String(signRequest.body)).payload);
    expect(payload).toMatchObject({
      iss: emulator.defaultServiceAccount.client_email,
      sub: 'ann@example.com',
      scope: GMAIL,
    });

    // The token for IAM itself (cloud-platform) is cached like any other.
    await factory.getAccessToken(GMAIL, 'ann@example.com');
    await factory
      .getAccessToken(['https://www.googleapis.com/auth/drive'], 'ann@example.com')
      .catch(() => undefined);
    const cloudPlatformMints = emulator
      .requests('metadata')
      .filter(
        (r) => r.path.includes('/token') && r.path.includes(encodeURIComponent(CLOUD_PLATFORM)),
      );
    expect(cloudPlatformMints).toHaveLength(1);
  });

  describe('a metadata server answering with less than the refresh margin left', () => {
    /** The metadata server's own cached token, handed out 280 s before it expires. */
    const SHORT = { access_token: 'ya29.metadata-cached', expires_in: 280, token_type: 'Bearer' };
    const metadataTokenCalls = () =>
      emulator.requests('metadata').filter((r) => r.path.includes('/token')).length;

    it.each([
      ['the default margin (225 s without a key)', {}],
      ['a margin of 300 s', { refreshMarginSeconds: 300 }],
    ])('with %s: 20 sequential calls make 1 metadata request', async (_, options) => {
      const { metadata: __, ...urls } = emulator.urls;
      const moduleRef = await Test.createTestingModule({
        imports: [OAuth2Module.forRoot({ google: urls, ...options })],
      }).compile();
      const short = await moduleRef.init();
      try {
        const tokens = short.get(ServiceAccountCredentialsFactory);
        await tokens.getAccessToken(GMAIL); // the account's email is asked for once, first
        emulator.resetCounts();
        emulator.failNext('metadata', { status: 200, body: SHORT }); // one answer only
        const scope = 'https://www.googleapis.com/auth/drive.readonly';
        for (let i = 0; i < 20; i++) {
          const { token, expiresAt } = await tokens.getAccessToken(scope);
          expect(token).toBe(SHORT.access_token);
          expect(expiresAt.getTime() - Date.now()).toBeLessThan(281_000);
        }
        expect(metadataTokenCalls()).toBe(1);
      } finally {
        await short.close();
      }
    });
  });

  it('impersonating without a key: IAM called with a metadata-server token, tokens the target’s', async () => {
    const target = emulator.createServiceAccount({
      email: 'target@emulator-project.iam.gserviceaccount.com',
    });
    const { metadata: _, ...urls } = emulator.urls;
    const moduleRef = await Test.createTestingModule({
      imports: [
        OAuth2Module.forRoot({ google: urls, impersonateServiceAccount: target.client_email }),
      ],
    }).compile();
    const impersonating = await moduleRef.init();
    try {
      const targetFactory = impersonating.get(ServiceAccountCredentialsFactory);
      const audience = 'https://receiver-abc123-uc.a.run.app';
      const { token: idToken } = await targetFactory.getIdToken(audience);
      const verifier = new OAuth2Client({
        endpoints: { oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs` },
      });
      const payload = (await verifier.verifyIdToken({ idToken, audience })).getPayload()!;
      expect(payload).toMatchObject({ aud: audience, email: target.client_email });

      const { token } = await targetFactory.getAccessToken(GMAIL);
      const info = await (
        await fetch(`${emulator.urls.tokenInfo}?access_token=${encodeURIComponent(token)}`)
      ).json();
      expect(info).toMatchObject({ azp: target.client_id, scope: GMAIL });

      // The app's own credentials: one cloud-platform token from the metadata server, no key.
      const ownTokens = emulator.requests('metadata').filter((r) => r.path.includes('/token'));
      expect(ownTokens).toHaveLength(1);
      expect(ownTokens[0]!.path).toContain(encodeURIComponent(CLOUD_PLATFORM));
      expect(emulator.requestCount('generateIdToken')).toBe(1);
      expect(emulator.requestCount('generateAccessToken')).toBe(1);
      expect(emulator.requestCount('token')).toBe(0);
    } finally {
      await impersonating.close();
    }
  });

  it("gives Google's refusal when delegation was not granted for the scope", async () => {
    const err = await factory
      .getAccessToken('https://www.googleapis.com/auth/calendar', 'ann@example.com')
      .catch((e) => e);
    expect(err).toMatchObject({ endpoint: 'token', error: 'unauthorized_client' });
  });
});
