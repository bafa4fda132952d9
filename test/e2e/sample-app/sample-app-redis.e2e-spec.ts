import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { createClient } from '@keyv/redis';
import type { Cache } from 'cache-manager';
import request from 'supertest';
import { describeWithServer } from '../../support/describe-with-server.js';
import { startRedis, type ManagedServer } from '../../support/servers.js';
import { bootSampleApp, restoreSampleEnvAfterAll } from './support.js';

const CLOUD_PLATFORM_TOKEN =
  '/service-account/token?scope=https://www.googleapis.com/auth/cloud-platform';

restoreSampleEnvAfterAll();

describeWithServer('redis', 'the sample app with REDIS_URL', () => {
  let redis: ManagedServer;
  let raw: ReturnType<typeof createClient>;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    raw.on('error', () => {}); // reconnects by itself after the test that stops Redis
    await raw.connect();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (!redis.running) await redis.start();
    await raw.flushAll();
  });
  afterAll(async () => {
    await raw?.close();
    await redis?.stop();
  });

  it('keeps minted tokens in Redis: one entry, the same token for the next call', async () => {
    app = await bootSampleApp({ REDIS_URL: redis.url });
    const first = await request(app.getHttpServer()).get(CLOUD_PLATFORM_TOKEN).expect(200);
    const second = await request(app.getHttpServer()).get(CLOUD_PLATFORM_TOKEN).expect(200);
    expect(second.body).toEqual(first.body);
    const keys = await raw.keys('oauth2:*');
    expect(keys).toEqual([expect.stringMatching(/^oauth2:sa-token:/)]);
  });

  it('a second instance on the same Redis uses the first one’s token', async () => {
    app = await bootSampleApp({ REDIS_URL: redis.url });
    const first = await request(app.getHttpServer()).get(CLOUD_PLATFORM_TOKEN).expect(200);
    // Each instance runs its own emulator, so a token minted by one is only checked by its
    // expiry here: the same expiry means the second instance did not mint.
    const [key] = await raw.keys('oauth2:sa-token:*');
    const stored = await raw.get(key!);
    const other = await bootSampleApp({ REDIS_URL: redis.url });
    try {
      const res = await request(other.getHttpServer()).get(CLOUD_PLATFORM_TOKEN).expect(200);
      expect(res.body.expiresAt).toBe(first.body.expiresAt);
      expect(await raw.get(key!)).toBe(stored);
    } finally {
      await other.close();
    }
  });

  it('Redis down: still answers (mints without the store), and the app still closes', async () => {
    app = await bootSampleApp({ REDIS_URL: redis.url });
    await redis.stop();
    const res = await request(app.getHttpServer()).get(CLOUD_PLATFORM_TOKEN).expect(200);
    expect(res.body.scopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
    const closing = app;
    app = undefined;
    // A Redis client that queues commands while offline waits for them in close(): forever.
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closing.close().then(() => 'closed'),
      new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'hung'))),
    ]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      const cache = closing.get<Cache>(CACHE_MANAGER, { strict: false });
      for (const store of cache.stores)
        await (store.store as { client: { destroy(): unknown } }).client.destroy();
    }
    expect(outcome).toBe('closed');
  }, 20_000);
});
