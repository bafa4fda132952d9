import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createClient, createKeyv } from '@keyv/redis';
import type { Cache } from 'cache-manager';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { OAuth2Module, ServiceAccountCredentialsFactory, TokenStore } from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { describeWithServer } from '../../support/describe-with-server.js';
import { startRedis, type ManagedServer } from '../../support/servers.js';

const DRIVE = 'https://www.googleapis.com/auth/drive';

describeWithServer('redis', "the app's own cache (CACHE_MANAGER) as the token store", () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let server: ManagedServer;
  let raw: ReturnType<typeof createClient>;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    server = await startRedis();
    raw = createClient({ url: server.url });
    await raw.connect();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await raw?.close();
    await server?.stop();
    await emulator.stop();
  });

  /** One instance of the app: CacheModule on Redis, and OAuth2Module storing tokens in it. */
  async function instance() {
    const moduleRef = await Test.createTestingModule({
      imports: [
        OAuth2Module.forRootAsync({
          imports: [CacheModule.register({ stores: [createKeyv(server.url)] })],
          inject: [CACHE_MANAGER],
          useFactory: (cache: Cache) => ({
            serviceAccount: key,
            google: emulator.urls,
            endpoints: { allowedClientIds: ['test-client'] },
            tokenStore: new CacheManagerTokenStore(cache, { keyPrefix: 'tokens:' }),
          }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app;
  }

  it('stores tokens in Redis through the cache, shared by a second instance, with the lock', async () => {
    const first = await instance();
    const store = first.get<CacheManagerTokenStore>(TokenStore);
    expect(store).toBeInstanceOf(CacheManagerTokenStore);
    expect(typeof store.lock).toBe('function'); // found the Redis client under the Keyv store

    const { token } = await first.get(ServiceAccountCredentialsFactory).getAccessToken(DRIVE);
    const names = await raw.keys('tokens:*');
    expect(names).toHaveLength(1);
    expect(await raw.get(names[0]!)).toContain(token);

    const second = await instance();
    const again = await second.get(ServiceAccountCredentialsFactory).getAccessToken(DRIVE);
    expect(again.token).toBe(token);
    expect(emulator.requestCount('token')).toBe(1);
  });
});
