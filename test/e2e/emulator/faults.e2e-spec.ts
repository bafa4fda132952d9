/** failNext (status, timeout, reset), request counts and the request log, start/stop. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JWT, OAuth2Client } from 'google-auth-library';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { GOOGLE_TOKEN_URL, redirectingTransporter } from '../../support/google-transport.js';
import { CLOUD_PLATFORM, http } from './helpers.js';

/** A GET that reports how it ended: an answer, a socket error, or nothing within `ms`. */
function probe(
  url: string,
  ms: number,
): Promise<{ status?: number; error?: string; timedOut?: true }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    const timer = setTimeout(() => {
      resolve({ timedOut: true });
      req.destroy();
    }, ms);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: error.code ?? error.message });
    });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

describe('GoogleOAuth2Emulator faults and request log', () => {
  const emulator = new GoogleOAuth2Emulator();
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  it("a status fault answers with that status and Google's JSON error, then normal answers resume", async () => {
    emulator.resetCounts();
    emulator.failNext('certs', { status: 503 }, 2);
    for (let i = 0; i < 2; i += 1) {
      const res = await http(emulator.urls.certs);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          code: 503,
          message: 'The service is currently unavailable.',
          status: 'UNAVAILABLE',
        },
      });
    }
    expect((await http(emulator.urls.certs)).status).toBe(200);
    expect(emulator.requestCount('certs')).toBe(3);
  });

  it('a status fault with its own body and headers; faults queue in order', async () => {
    emulator.failNext('tokeninfo', {
      status: 429,
      body: { error: 'rate_limited' },
      headers: { 'Retry-After': '7' },
    });
    emulator.failNext('tokeninfo', { status: 500, body: 'plain text' });
    const first = await http(`${emulator.urls.tokenInfo}?access_token=x`);
    expect(first.status).toBe(429);
    expect(first.body).toEqual({ error: 'rate_limited' });
    expect(first.headers.get('retry-after')).toBe('7');
    const second = await http(`${emulator.urls.tokenInfo}?access_token=x`);
    expect(second.status).toBe(500);
    expect(second.text).toBe('plain text');
    expect((await http(`${emulator.urls.tokenInfo}?access_token=x`)).status).toBe(400);
  });

  it('a metadata status fault keeps Metadata-Flavor on the answer', async () => {
    emulator.failNext('metadata', { status: 500 });
    const res = await http(`${emulator.url}/computeMetadata/v1/project/project-id`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('metadata-flavor')).toBe('Google');
  });

  it('google-auth-library retries a 503 from the token endpoint: both requests are counted', async () => {
    const key = emulator.createServiceAccount();
    emulator.resetCounts();
    emulator.failNext('token', { status: 503 });
    const client = new JWT({
      email: key.client_email,
      key: key.private_key,
      scopes: [CLOUD_PLATFORM],
      transporter: redirectingTransporter({ [GOOGLE_TOKEN_URL]: emulator.urls.token }),
    });
    const { token } = await client.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect(emulator.requestCount('token')).toBe(2);
  });

  it("'reset' destroys the socket", async () => {
    emulator.failNext('userinfo', 'reset');
    const result = await probe(emulator.urls.userInfo, 2000);
    expect(result.error).toMatch(/ECONNRESET|socket hang up/);
    expect((await probe(emulator.urls.userInfo, 2000)).status).toBe(401);
  });

  it("'timeout' never answers (a client timeout fires), and is counted", async () => {
    emulator.resetCounts();
    emulator.failNext('tokeninfo', 'timeout');
    const client = new OAuth2Client({ endpoints: { tokenInfoUrl: emulator.urls.tokenInfo } });
    const token = emulator.issueAccessToken({
      email: 'kim@example.com',
      clientId: 'c',
      scopes: ['email'],
    });
    const timedOut = await probe(`${emulator.urls.tokenInfo}?access_token=${token}`, 300);
    expect(timedOut).toEqual({ timedOut: true });
    await expect(client.getTokenInfo(token)).resolves.toMatchObject({ email: 'kim@example.com' });
    expect(emulator.requestCount('tokeninfo')).toBe(2);
  });

  it('stop() closes sockets held by a timeout fault, and start() can follow again', async () => {
    const other = await new GoogleOAuth2Emulator().start();
    other.failNext('certs', 'timeout');
    const pending = probe(other.urls.certs, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await pending).error).toMatch(/ECONNRESET|socket hang up/);
    expect(() => other.url).toThrow(/not started/);
    await other.start();
    expect((await http(other.urls.certs)).status).toBe(200);
    await other.stop();
  });

  it('start({ port }) binds that port on 127.0.0.1; urls all point at it', async () => {
    const first = await new GoogleOAuth2Emulator().start();
    const port = Number(new URL(first.url).port);
    await first.stop();
    const fixed = await new GoogleOAuth2Emulator().start({ port });
    try {
      expect(fixed.url).toBe(`http://127.0.0.1:${port}`);
      expect(fixed.metadataHost).toBe(`127.0.0.1:${port}`);
      expect(fixed.urls).toEqual({
        token: `http://127.0.0.1:${port}/token`,
        tokenInfo: `http://127.0.0.1:${port}/tokeninfo`,
        userInfo: `http://127.0.0.1:${port}/v1/userinfo`,
        certs: `http://127.0.0.1:${port}/oauth2/v3/certs`,
        iamCredentials: `http://127.0.0.1:${port}`,
        metadata: `http://127.0.0.1:${port}`,
        apiRoot: `http://127.0.0.1:${port}/`,
        iapPublicKeys: `http://127.0.0.1:${port}/iap/verify/public_key-jwk`,
      });
      await expect(fixed.start()).rejects.toThrow(/already started/);
    } finally {
      await fixed.stop();
    }
  });

  it('requests() records endpoint, method, path, headers, body and time; resetCounts() clears', async () => {
    emulator.resetCounts();
    await http(`${emulator.urls.tokenInfo}?access_token=abc`, {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access_token=def',
    });
    await http(`${emulator.url}/nowhere`);
    const [recorded] = emulator.requests();
    expect(emulator.requests()).toHaveLength(1);
    expect(recorded).toEqual({
      endpoint: 'tokeninfo',
      method: 'POST',
      path: '/tokeninfo?access_token=abc',
      headers: expect.objectContaining({ 'x-test': 'yes' }),
      body: 'access_token=def',
      at: expect.any(Number),
    });
    expect(Math.abs((recorded?.at ?? 0) - emulator.clock.now())).toBeLessThan(5000);
    expect(emulator.requests('certs')).toEqual([]);
    emulator.resetCounts();
    expect(emulator.requestCount('tokeninfo')).toBe(0);
    expect(emulator.requests()).toEqual([]);
  });

  it('the request log is bounded', async () => {
    const small = await new GoogleOAuth2Emulator({ maxRecordedRequests: 3 }).start();
    try {
      for (let i = 0; i < 5; i += 1) await http(`${small.urls.tokenInfo}?access_token=${i}`);
      expect(small.requests().map((r) => r.path)).toEqual([
        '/tokeninfo?access_token=2',
        '/tokeninfo?access_token=3',
        '/tokeninfo?access_token=4',
      ]);
      expect(small.requestCount('tokeninfo')).toBe(5);
    } finally {
      await small.stop();
    }
  });

  it('failNext refuses nonsense', () => {
    expect(() => emulator.failNext('token', { status: 42 })).toThrow(TypeError);
    expect(() => emulator.failNext('token', 'reset', 0)).toThrow(RangeError);
  });

  it('writeServiceAccountFile writes a 0600 key file that the token endpoint accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-key-'));
    try {
      const { path, key } = await emulator.writeServiceAccountFile(dir, {
        email: 'file@p.iam.gserviceaccount.com',
      });
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(key);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(key).toMatchObject({
        type: 'service_account',
        project_id: 'emulator-project',
        client_email: 'file@p.iam.gserviceaccount.com',
        private_key: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----\n/),
        private_key_id: expect.stringMatching(/^[0-9a-f]{40}$/),
        client_id: expect.stringMatching(/^\d{21}$/),
        token_uri: 'https://oauth2.googleapis.com/token',
        universe_domain: 'googleapis.com',
      });
      const jwt = new JWT({
        keyFile: path,
        scopes: [CLOUD_PLATFORM],
        transporter: redirectingTransporter({ [GOOGLE_TOKEN_URL]: emulator.urls.token }),
      });
      await expect(jwt.getAccessToken()).resolves.toMatchObject({
        token: expect.stringMatching(/^ya29\./),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
