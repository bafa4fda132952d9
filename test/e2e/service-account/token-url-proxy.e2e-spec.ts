import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';

const DRIVE = 'https://www.googleapis.com/auth/drive';

/**
 * A forwarding proxy (an egress proxy, a Private Service Connect endpoint) in front of the
 * emulator: every request goes on to `target` unchanged but for its Host; `seen` lists them.
 */
async function startProxy(target: URL): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

describe('the assertion names Google, wherever it is sent', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'proxied@demo.iam.gserviceaccount.com' });
    proxy = await startProxy(new URL(emulator.url));
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    emulator.resetCounts();
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    proxy.server.closeAllConnections();
    proxy.server.close();
    await emulator.stop();
  });

  async function mint(options: Partial<OAuth2ModuleOptions>): Promise<Record<string, unknown>> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        OAuth2Module.forRoot({
          serviceAccount: key,
          ...options,
          google: { ...emulator.urls, ...options.google },
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    const { token } = await app.get(ServiceAccountCredentialsFactory).getAccessToken(DRIVE);
    expect(token).toMatch(/^ya29\./);
    const body = new URLSearchParams(emulator.requests('token').at(-1)!.body);
    return JSON.parse(Buffer.from(body.get('assertion')!.split('.')[1]!, 'base64url').toString());
  }

  it('google.token pointed at a proxy in front of the emulator: minting works, through the proxy', async () => {
    const claims = await mint({ google: { token: `${proxy.url}/token` } });
    expect(proxy.seen).toEqual(['POST /token']);
    expect(emulator.requestCount('token')).toBe(1);
    expect(claims.aud).toBe('https://oauth2.googleapis.com/token');
  });

  it("uses the key file's own token_uri as aud when it is one of Google's", async () => {
    const claims = await mint({
      serviceAccount: { ...key, token_uri: 'https://accounts.google.com/o/oauth2/token' },
      google: { token: `${proxy.url}/token` },
    });
    expect(claims.aud).toBe('https://accounts.google.com/o/oauth2/token');
  });

  it("never a token_uri that is not Google's", async () => {
    const claims = await mint({
      serviceAccount: { ...key, token_uri: `${proxy.url}/token` },
    });
    expect(claims.aud).toBe('https://oauth2.googleapis.com/token');
    expect(proxy.seen).toEqual([]); // and the key's token_uri does not move where it is sent
  });
});
