/**
 * curl against the emulator: every example of test/conformance/curl/examples.sh, which
 * docs/emulator.md shows. Under CI=true a missing curl fails this suite.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { describeWithRequirement } from '../../support/describe-with-server.js';
import { assertionClaims, signAssertion } from '../emulator/helpers.js';
import { CONFORMANCE_DIR } from './external-clients.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const AUDIENCE = 'https://receiver-abc123-uc.a.run.app';
const CLIENT_ID = '1234-web.apps.googleusercontent.com';

const curl = {
  name: 'curl',
  available: spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0,
  missing: "curl is not on PATH (Debian's curl)",
};

describeWithRequirement(curl, 'curl against the emulator', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    emulator.addUser({ email: 'carol@example.com', name: 'Carol C' });
    env = {
      ...process.env,
      EMULATOR: emulator.url,
      ACCESS_TOKEN: emulator.issueAccessToken({
        email: key.client_email,
        clientId: key.client_id,
        scopes: [CLOUD_PLATFORM, 'email'],
      }),
      ID_TOKEN: emulator.issueIdToken({ email: 'carol@example.com', audience: CLIENT_ID }),
      ASSERTION: signAssertion(assertionClaims(key), key.private_key),
      SERVICE_ACCOUNT: key.client_email,
      AUDIENCE,
    };
  });
  afterAll(() => emulator.stop());

  async function example(name: string): Promise<string> {
    const { stdout } = await promisify(execFile)(
      'bash',
      [join(CONFORMANCE_DIR, 'curl', 'examples.sh'), name],
      { env, timeout: 30_000 },
    );
    return stdout;
  }
  const json = async (name: string) => JSON.parse(await example(name)) as Record<string, unknown>;
  const claims = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('token: the jwt-bearer grant with a signed assertion', async () => {
    expect(await json('token')).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      expires_in: 3599,
      token_type: 'Bearer',
    });
  });

  it('tokeninfo: an access token and an ID token', async () => {
    expect(await json('tokeninfo')).toMatchObject({ azp: key.client_id, email: key.client_email });
    expect(await json('tokeninfo-id-token')).toMatchObject({
      aud: CLIENT_ID,
      email: 'carol@example.com',
      email_verified: 'true',
    });
  });

  it('userinfo with a Bearer token', async () => {
    expect(await json('userinfo')).toMatchObject({ email: key.client_email, verified_email: true });
  });

  it('certs: the JWK set of the ID-token signing keys', async () => {
    const { keys } = (await json('certs')) as { keys: { kid: string }[] };
    expect(keys.length).toBeGreaterThanOrEqual(2);
  });

  it('metadata: token, the account directory recursively, identity', async () => {
    expect(await json('metadata-token')).toMatchObject({ token_type: 'Bearer' });
    expect(await json('metadata-account')).toEqual({
      aliases: ['default'],
      email: emulator.defaultServiceAccount.client_email,
      scopes: [CLOUD_PLATFORM],
    });
    expect(claims(await example('metadata-identity'))).toMatchObject({
      aud: AUDIENCE,
      email: emulator.defaultServiceAccount.client_email,
    });
  });

  it('IAM generateIdToken', async () => {
    const { token } = (await json('generate-id-token')) as { token: string };
    expect(claims(token)).toMatchObject({ aud: AUDIENCE, email: key.client_email });
  });

  it("IAP's keys", async () => {
    const { keys } = (await json('iap-keys')) as { keys: { alg: string }[] };
    expect(keys.map((k) => k.alg)).toEqual(['ES256', 'ES256']);
  });
});
