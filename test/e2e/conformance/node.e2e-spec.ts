/**
 * Node's google-auth-library against the emulator: every example of
 * test/conformance/node/google-auth-library.ts, which docs/emulator.md shows.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as gcpMetadata from 'gcp-metadata';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import {
  idTokenClientWithKey,
  onTheMetadataServer,
  serviceAccountToken,
  verifyIdToken,
} from '../../conformance/node/google-auth-library.js';
import { http } from '../emulator/helpers.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const AUDIENCE = 'https://receiver-abc123-uc.a.run.app';

describe("Node's google-auth-library against the emulator", () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    emulator.addUser({ email: 'alice@corp.example', hostedDomain: 'corp.example' });
    emulator.grantDomainWideDelegation(key.client_id, [USERINFO_EMAIL]);
  });
  afterAll(() => emulator.stop());

  const tokenInfo = async (token: unknown) =>
    (await http(`${emulator.urls.tokenInfo}?access_token=${String(token)}`)).body;
  const bearerOf = async (client: { getRequestHeaders(): Promise<Headers> }) =>
    /^Bearer (.+)$/.exec((await client.getRequestHeaders()).get('authorization') ?? '')?.[1] ?? '';

  it('JWT: a service account’s token, and a domain user’s; refused without delegation', async () => {
    const own = await serviceAccountToken(emulator, key, [CLOUD_PLATFORM]);
    expect(await tokenInfo(own)).toMatchObject({ azp: key.client_id, scope: CLOUD_PLATFORM });
    const delegated = await serviceAccountToken(
      emulator,
      key,
      [USERINFO_EMAIL],
      'alice@corp.example',
    );
    expect(await tokenInfo(delegated)).toMatchObject({ email: 'alice@corp.example' });
    const other = emulator.createServiceAccount();
    await expect(
      serviceAccountToken(emulator, other, [USERINFO_EMAIL], 'alice@corp.example'),
    ).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('unauthorized_client'),
    });
  });

  it('GoogleAuth.getIdTokenClient with a key: a Bearer ID token for the audience (jwt-bearer, target_audience)', async () => {
    emulator.resetCounts();
    const client = await idTokenClientWithKey(emulator, key, AUDIENCE);
    const claims = await verifyIdToken(emulator, await bearerOf(client), AUDIENCE);
    expect(claims).toMatchObject({
      aud: AUDIENCE,
      azp: key.client_id,
      sub: key.client_id,
      email: key.client_email,
      email_verified: true,
    });
    expect(emulator.requestCount('token')).toBe(1);
  });

  describe('on the metadata server (GCE_METADATA_HOST)', () => {
    const saved = {
      GCE_METADATA_HOST: process.env.GCE_METADATA_HOST,
      GOOGLE_APPLICATION_CREDENTIALS: process.env.GOOGLE_APPLICATION_CREDENTIALS,
      HOME: process.env.HOME,
    };
    let home: string;
    beforeAll(async () => {
      // Application Default Credentials with nothing but the metadata server to find.
      home = await mkdtemp(join(tmpdir(), 'conformance-node-'));
      process.env.HOME = home;
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.GCE_METADATA_HOST = emulator.metadataHost;
      gcpMetadata.resetIsAvailableCache();
    });
    afterAll(async () => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      gcpMetadata.resetIsAvailableCache();
      await rm(home, { recursive: true, force: true });
    });

    it('GoogleAuth: the default account’s access token and ID tokens (identity, format=full)', async () => {
      emulator.resetCounts();
      const { accessToken, idTokenClient } = await onTheMetadataServer(AUDIENCE);
      expect(await tokenInfo(accessToken)).toMatchObject({
        azp: emulator.defaultServiceAccount.client_id,
        scope: CLOUD_PLATFORM,
      });
      const claims = await verifyIdToken(emulator, await bearerOf(idTokenClient), AUDIENCE);
      expect(claims).toMatchObject({
        aud: AUDIENCE,
        sub: emulator.defaultServiceAccount.client_id,
        email: emulator.defaultServiceAccount.client_email,
      });
      const paths = emulator.requests('metadata').map((r) => r.path);
      expect(paths.some((p) => p.includes('/identity?') && p.includes('format=full'))).toBe(true);
      expect(emulator.requestCount('token')).toBe(0);
    });
  });

  it('verifyIdToken: a token signed by a key Google does not publish is refused', async () => {
    const foreign = new GoogleOAuth2Emulator().issueIdToken({
      email: 'alice@corp.example',
      audience: AUDIENCE,
    });
    await expect(verifyIdToken(emulator, foreign, AUDIENCE)).rejects.toThrow(/No pem found/);
  });
});
