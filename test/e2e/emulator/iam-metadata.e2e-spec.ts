/** IAM Credentials and the metadata server: what they refuse, and how. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { CLOUD_PLATFORM, DRIVE_SCOPE, http } from './helpers.js';

describe('GoogleOAuth2Emulator IAM Credentials', () => {
  const emulator = new GoogleOAuth2Emulator();
  let target: ServiceAccountKeyFile;

  beforeAll(async () => {
    await emulator.start();
    target = emulator.createServiceAccount({
      email: 'signer@emulator-project.iam.gserviceaccount.com',
    });
  });
  afterAll(() => emulator.stop());

  function callerToken(scopes: string[] = [CLOUD_PLATFORM], expiresInSeconds = 3600): string {
    return emulator.issueAccessToken({
      email: emulator.defaultServiceAccount.client_email,
      clientId: emulator.defaultServiceAccount.client_id,
      scopes,
      expiresInSeconds,
    });
  }

  function iam(
    method: 'signJwt' | 'generateAccessToken',
    account: string,
    body: unknown,
    token?: string,
  ) {
    return http(
      `${emulator.urls.iamCredentials}/v1/projects/-/serviceAccounts/${account}:${method}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      },
    );
  }

  const claims = JSON.stringify({ iss: 'x', aud: 'y' });

  it('signJwt: keyId and a JWT signed with the account key, exp added', async () => {
    const res = await iam(
      'signJwt',
      target.client_email,
      { payload: claims, delegates: [] },
      callerToken(),
    );
    expect(res.status).toBe(200);
    const { keyId, signedJwt } = res.body as { keyId: string; signedJwt: string };
    expect(keyId).toBe(target.private_key_id);
    const [header, payload] = signedJwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: keyId });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it('the account may be named by its unique id', async () => {
    const res = await iam('signJwt', target.client_id, { payload: claims }, callerToken());
    expect(res.status).toBe(200);
  });

  it('no token: 401 UNAUTHENTICATED; an expired or revoked one: 401 with invalid_token', async () => {
    const none = await iam('signJwt', target.client_email, { payload: claims });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: {
        code: 401,
        message: expect.stringContaining('Request is missing required authentication credential.'),
        status: 'UNAUTHENTICATED',
      },
    });
    const expired = await iam(
      'signJwt',
      target.client_email,
      { payload: claims },
      callerToken([CLOUD_PLATFORM], -1),
    );
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const revoked = callerToken();
    emulator.revokeToken(revoked);
    const res = await iam(
      'generateAccessToken',
      target.client_email,
      { scope: [DRIVE_SCOPE] },
      revoked,
    );
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  it('a token without cloud-platform: 403 PERMISSION_DENIED, insufficient scopes', async () => {
    for (const method of ['signJwt', 'generateAccessToken'] as const) {
      const res = await iam(
        method,
        target.client_email,
        { payload: claims, scope: [DRIVE_SCOPE] },
        callerToken([DRIVE_SCOPE]),
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
          details: [
            expect.objectContaining({
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            }),
          ],
        },
      });
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
  });

  it('unknown service account: 404 NOT_FOUND', async () => {
    const res = await iam(
      'signJwt',
      'ghost@emulator-project.iam.gserviceaccount.com',
      { payload: claims },
      callerToken(),
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: 404,
        message:
          'Not found; Gaia id not found for email ghost@emulator-project.iam.gserviceaccount.com',
        status: 'NOT_FOUND',
      },
    });
  });

  it('bad arguments: 400 INVALID_ARGUMENT', async () => {
    const token = callerToken();
    const notJson = await iam('signJwt', target.client_email, { payload: 'not json' }, token);
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const tooLong = JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 13 * 3600 });
    expect((await iam('signJwt', target.client_email, { payload: tooLong }, token)).status).toBe(
      400,
    );
    expect(
      (await iam('generateAccessToken', target.client_email, { scope: [] }, token)).status,
    ).toBe(400);
    const lifetime = await iam(
      'generateAccessToken',
      target.client_email,
      { scope: [DRIVE_SCOPE], lifetime: '7200s' },
      token,
    );
    expect(lifetime.status).toBe(400);
  });

  it('generateAccessToken: accessToken and an RFC 3339 expireTime', async () => {
    emulator.resetCounts();
    const res = await iam(
      'generateAccessToken',
      target.client_email,
      { scope: [DRIVE_SCOPE], lifetime: '300s' },
      callerToken(),
    );
    expect(res.status).toBe(200);
    const body = res.body as { accessToken: string; expireTime: string };
    expect(body.accessToken).toMatch(/^ya29\./);
    expect(body.expireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(body.expireTime)).toBeLessThanOrEqual(emulator.clock.now() + 300_000);
    expect(emulator.requestCount('generateAccessToken')).toBe(1);
    expect(emulator.requests()).toHaveLength(1);
  });
});

describe('GoogleOAuth2Emulator metadata server', () => {
  const emulator = new GoogleOAuth2Emulator({ projectId: 'meta-project' });
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  const get = (path: string, headers: Record<string, string> = { 'Metadata-Flavor': 'Google' }) =>
    http(`${emulator.url}/computeMetadata/v1/${path}`, { headers });

  it('without Metadata-Flavor: 403, and the answer still carries Metadata-Flavor: Google', async () => {
    const res = await get('instance/service-accounts/default/token', {});
    expect(res.status).toBe(403);
    expect(res.text).toContain('Missing Metadata-Flavor:Google header.');
    expect(res.headers.get('metadata-flavor')).toBe('Google');
    const wrong = await get('project/project-id', { 'Metadata-Flavor': 'google-ish' });
    expect(wrong.status).toBe(403);
  });

  it('with X-Forwarded-For: 403', async () => {
    const res = await get('project/project-id', {
      'Metadata-Flavor': 'Google',
      'X-Forwarded-For': '1.2.3.4',
    });
    expect(res.status).toBe(403);
  });

  it('email, project id, universe, token: every answer with Metadata-Flavor', async () => {
    const email = await get('instance/service-accounts/default/email');
    expect(email.text).toBe(emulator.defaultServiceAccount.client_email);
    expect(email.headers.get('metadata-flavor')).toBe('Google');
    expect((await get('project/project-id')).text).toBe('meta-project');
    expect((await get('universe/universe-domain')).text).toBe('googleapis.com');
    const byEmail = await get(
      `instance/service-accounts/${emulator.defaultServiceAccount.client_email}/email`,
    );
    expect(byEmail.text).toBe(emulator.defaultServiceAccount.client_email);
  });

  it('token: cloud-platform by default; the same token for the same scopes until near expiry', async () => {
    const first = await get('instance/service-accounts/default/token');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const token = (first.body as { access_token: string }).access_token;
    expect(first.body).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    const info = await http(`${emulator.urls.tokenInfo}?access_token=${token}`);
    expect((info.body as { scope: string }).scope).toBe(CLOUD_PLATFORM);
    const again = await get('instance/service-accounts/default/token');
    expect((again.body as { access_token: string }).access_token).toBe(token);
    emulator.clock.advance(56 * 60 * 1000);
    const renewed = await get('instance/service-accounts/default/token');
    expect((renewed.body as { access_token: string }).access_token).not.toBe(token);
    emulator.clock.reset();
  });

  it('pings: GET / and GET /computeMetadata/v1/ answer 200 with Metadata-Flavor: Google', async () => {
    const root = await http(`${emulator.url}/`, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(root.status).toBe(200);
    expect(root.text).toBe('computeMetadata/\n');
    expect(root.headers.get('metadata-flavor')).toBe('Google');
    const v1 = await get('');
    expect(v1.status).toBe(200);
    expect(v1.text).toBe('instance/\nproject/\nuniverse/\n');
    expect(v1.headers.get('content-type')).toBe('application/text');
  });

  it('?recursive=true: a directory as JSON (exactly application/json), camelCase keys, no token or identity', async () => {
    const sa = emulator.defaultServiceAccount.client_email;
    const account = await get('instance/service-accounts/default/?recursive=true');
    expect(account.headers.get('content-type')).toBe('application/json');
    expect(account.body).toEqual({ aliases: ['default'], email: sa, scopes: [CLOUD_PLATFORM] });
    const instance = await get('instance/?recursive=true');
    expect(instance.body).toMatchObject({
      hostname: 'emulator.c.meta-project.internal',
      serviceAccounts: {
        default: { aliases: ['default'], email: sa, scopes: [CLOUD_PLATFORM] },
        [sa]: { email: sa },
      },
    });
    const project = await get('project/?recursive=true');
    expect(project.body).toEqual({
      numericProjectId: Number(emulator.defaultServiceAccount.client_email.split('-')[0]),
      projectId: 'meta-project',
    });
  });

  it('?alt=json and ?alt=text', async () => {
    const id = await get('project/project-id?alt=json');
    expect(id.headers.get('content-type')).toBe('application/json');
    expect(id.text).toBe('"meta-project"');
    const scopes = await get('instance/service-accounts/default/scopes');
    expect(scopes.headers.get('content-type')).toBe('application/text');
    expect(scopes.text).toBe(`${CLOUD_PLATFORM}\n`);
    expect((await get('instance/service-accounts/default/scopes?alt=json')).body).toEqual([
      CLOUD_PLATFORM,
    ]);
    const text = await get('instance/service-accounts/default/?recursive=true&alt=text');
    expect(text.headers.get('content-type')).toBe('application/text');
    expect(text.text).toBe(
      `aliases default\nemail ${emulator.defaultServiceAccount.client_email}\nscopes ${CLOUD_PLATFORM}\n`,
    );
    const token = await get('instance/service-accounts/default/token?alt=text');
    expect(token.text).toMatch(/^access_token ya29\.\S+\nexpires_in \d+\ntoken_type Bearer\n$/);
    const listing = await get('instance/service-accounts/default/?alt=json');
    expect(listing.body).toEqual(['aliases', 'email', 'identity', 'scopes', 'token']);
  });

  it('unknown paths and accounts: 404', async () => {
    expect((await get('instance/nothing-here')).status).toBe(404);
    expect(
      (await get('instance/service-accounts/other@x.iam.gserviceaccount.com/token')).status,
    ).toBe(404);
  });
});
