import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { startForwardingProxy, type ForwardingProxy } from '../../support/forwarding-proxy.js';

const DRIVE = 'https://www.googleapis.com/auth/drive';

describe('the assertion names Google, wherever it is sent', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let proxy: ForwardingProxy;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount({ email: 'proxied@demo.iam.gserviceaccount.com' });
    proxy = await startForwardingProxy(emulator.url);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    emulator.resetCounts();
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    await proxy.close();
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
