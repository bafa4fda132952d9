/**
 * Python's google-auth (Debian's python3-google-auth) against the emulator: every flow of
 * test/conformance/python/flows.py, which docs/emulator.md shows. Under CI=true a missing Python
 * client fails this suite.
 */
import { expect, it } from '@jest/globals';
import { join } from 'node:path';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { describeWithRequirement } from '../../support/describe-with-server.js';
import {
  CONFORMANCE_DIR,
  pythonClient,
  runFlow,
  setUpConformance,
  SUBJECT,
  USERINFO_EMAIL,
  type FlowResult,
} from './external-clients.js';

const python = pythonClient();
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const AUDIENCE = 'https://receiver-abc123-uc.a.run.app';
const CLIENT_ID = '1234-web.apps.googleusercontent.com';

describeWithRequirement(python.requirement, "Python's google-auth against the emulator", () => {
  const setup = setUpConformance(({ emulator, dir }) => ({
    PYTHONDONTWRITEBYTECODE: '1',
    AUDIENCE,
    CLIENT_ID,
    // google-auth 1.x reads GCE_METADATA_ROOT, later ones GCE_METADATA_HOST; both ping
    // GCE_METADATA_IP.
    GCE_METADATA_ROOT: emulator.metadataHost,
    GCE_METADATA_IP: emulator.metadataHost,
    // No gcloud credentials for google.auth.default() to find before the metadata server.
    CLOUDSDK_CONFIG: join(dir, 'gcloud'),
  }));
  const { emulator, tokenInfo } = setup;

  const flow = (name: string, extra: NodeJS.ProcessEnv = {}): Promise<FlowResult> =>
    runFlow(
      python.command!,
      ['flows.py', name],
      { ...setup.env, ...extra },
      {
        cwd: join(CONFORMANCE_DIR, 'python'),
      },
    );

  it('service_account.Credentials: a token for the key’s account, its padded assertion accepted', async () => {
    emulator.resetCounts();
    const { code, output } = await flow('service_account_token');
    expect(output).toEqual({ token: expect.stringMatching(/^ya29\./) });
    expect(code).toBe(0);
    expect(await tokenInfo(output.token)).toMatchObject({
      azp: setup.key.client_id,
      scope: CLOUD_PLATFORM,
    });
    expect(emulator.requestCount('token')).toBe(1);
    // google-auth 1.x pads base64url: a 256-byte signature ends in '=='.
    const assertion = new URLSearchParams(emulator.requests('token')[0]?.body).get('assertion');
    expect(assertion).toMatch(/^[\w-]+=*\.[\w-]+=*\.[\w-]+==$/);
  });

  it('with_subject: a domain user’s token when delegation is granted', async () => {
    const { output } = await flow('delegated_token');
    expect(await tokenInfo(output.token)).toMatchObject({
      azp: setup.key.client_id,
      email: SUBJECT,
      scope: USERINFO_EMAIL,
    });
  });

  it('with_subject: RefreshError unauthorized_client when delegation is not granted', async () => {
    const { code, output } = await flow('delegated_token', { KEY_FILE: setup.undelegatedKeyFile });
    expect(code).toBe(1);
    expect(output).toEqual({
      error: 'RefreshError',
      message: expect.stringContaining('unauthorized_client: Client is unauthorized'),
    });
  });

  it('AuthorizedSession: userinfo as the domain user', async () => {
    const { output } = await flow('userinfo_as_user');
    expect(output).toEqual({
      id: expect.stringMatching(/^\d{21}$/),
      email: SUBJECT,
      verified_email: true,
      hd: 'corp.example',
    });
  });

  it('IDTokenCredentials (service_account): an ID token for the audience, verified by verify_oauth2_token', async () => {
    const { output } = await flow('id_token_for_audience');
    expect(output.claims).toEqual({
      iss: 'https://accounts.google.com',
      aud: AUDIENCE,
      azp: setup.key.client_id,
      sub: setup.key.client_id,
      email: setup.key.client_email,
      email_verified: true,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
  });

  it('id_token.verify_token with the emulator’s certs URL; a token Google never signed is refused', async () => {
    const user = emulator.addUser({ email: 'bob@example.com' });
    const idToken = emulator.issueIdToken({ email: user.email, audience: CLIENT_ID });
    const { output } = await flow('verify_id_token', { ID_TOKEN: idToken });
    expect(output.claims).toMatchObject({ sub: user.id, email: 'bob@example.com', aud: CLIENT_ID });

    const foreign = new GoogleOAuth2Emulator().issueIdToken({
      email: user.email,
      audience: CLIENT_ID,
    });
    const refused = await flow('verify_id_token', { ID_TOKEN: foreign });
    expect(refused.code).toBe(1);
    expect(refused.output).toEqual({
      error: 'ValueError',
      message: expect.stringMatching(/key id/i),
    });
  });

  it('id_token.verify_oauth2_token (Google’s certs URL, redirected); a wrong audience is refused', async () => {
    const idToken = emulator.issueIdToken({ email: 'bob@example.com', audience: CLIENT_ID });
    const { output } = await flow('verify_oauth2_token', { ID_TOKEN: idToken });
    expect(output.claims).toMatchObject({ email: 'bob@example.com', aud: CLIENT_ID });
    const other = await flow('verify_oauth2_token', {
      ID_TOKEN: idToken,
      CLIENT_ID: 'someone-else',
    });
    expect(other.output).toEqual({
      error: 'ValueError',
      message: expect.stringMatching(/audience/i),
    });
  });

  it('compute_engine.Credentials: the metadata server’s account and token', async () => {
    const { output } = await flow('compute_engine_token');
    expect(output.email).toBe(emulator.defaultServiceAccount.client_email);
    expect(await tokenInfo(output.token)).toMatchObject({
      azp: emulator.defaultServiceAccount.client_id,
      scope: CLOUD_PLATFORM,
    });
  });

  it('google.auth.default() finds the metadata server and its project', async () => {
    emulator.resetCounts();
    const { output } = await flow('application_default');
    expect(output.project_id).toBe(emulator.defaultServiceAccount.project_id);
    expect(await tokenInfo(output.token)).toMatchObject({
      azp: emulator.defaultServiceAccount.client_id,
    });
    // The ping: GET / with Metadata-Flavor.
    expect(emulator.requests('metadata').map((r) => r.path)).toContain('/');
  });

  it('compute_engine.IDTokenCredentials: IAM signBlob, then the token endpoint’s ID token', async () => {
    emulator.resetCounts();
    const { output } = await flow('compute_engine_id_token');
    expect(output.claims).toMatchObject({
      aud: AUDIENCE,
      email: emulator.defaultServiceAccount.client_email,
      sub: emulator.defaultServiceAccount.client_id,
    });
    expect(emulator.requestCount('signBlob')).toBe(1);
    expect(emulator.requestCount('token')).toBe(1);
  });
});
