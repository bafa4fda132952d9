import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithServer } from '../../support/describe-with-server.js';
import {
  datastoreClientOptions,
  startDatastoreEmulator,
  startMemcached,
  startRedis,
  type ManagedServer,
} from '../../support/servers.js';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import { runFleet, type WorkerResult } from './fleet.js';
import type { StoreSpec } from './store-spec.js';

const PROCESSES = 4;
const CONCURRENCY = 250;
const SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/drive',
];

describe('one mint per fleet', () => {
  const emulator = new GoogleOAuth2Emulator();
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    await emulator.start();
    dir = await mkdtemp(join(tmpdir(), 'fleet-'));
    ({ path: keyFile } = await emulator.writeServiceAccountFile(dir, {
      email: 'fleet@demo.iam.gserviceaccount.com',
    }));
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the fleet on a cold store; checks every request got a token; answers the reports. */
  async function coldRun(
    store: StoreSpec,
    orders: { idTokenAudience?: string } = {},
  ): Promise<WorkerResult[]> {
    emulator.resetCounts();
    const results = await runFleet(PROCESSES, {
      store,
      google: emulator.urls,
      keyFile,
      scopes: SCOPES,
      ...orders,
      concurrency: CONCURRENCY,
      // The race under test is the lock's; a loaded machine must not turn it into timeouts.
      storeTimeoutMs: 5000,
    });
    expect(results).toHaveLength(PROCESSES);
    for (const result of results) {
      expect({ pid: result.pid, ok: result.ok, failures: result.failures }).toEqual({
        pid: result.pid,
        ok: CONCURRENCY,
        failures: [],
      });
      expect(result.logs).toEqual([]);
    }
    return results;
  }

  const distinctTokens = (results: WorkerResult[]) =>
    new Set(results.flatMap((result) => result.tokens));

  describeWithServer('redis', 'on Redis', () => {
    let server: ManagedServer;
    beforeAll(async () => void (server = await startRedis()));
    afterAll(() => server?.stop());

    it(`${PROCESSES} processes × ${CONCURRENCY} concurrent requests: Google is asked once`, async () => {
      const results = await coldRun({ kind: 'redis', url: server.url });
      expect(emulator.requestCount('token')).toBe(1);
      expect(distinctTokens(results).size).toBe(1);
    }, 180_000);

    it(`${PROCESSES} processes × ${CONCURRENCY} concurrent getIdToken(audience): Google is asked once`, async () => {
      const audience = 'https://receiver-abc123-uc.a.run.app';
      const results = await coldRun(
        { kind: 'redis', url: server.url },
        { idTokenAudience: audience },
      );
      expect(emulator.requestCount('token')).toBe(1);
      const tokens = distinctTokens(results);
      expect(tokens.size).toBe(1);
      const [idToken] = [...tokens] as [string];
      const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({ aud: audience, email: 'fleet@demo.iam.gserviceaccount.com' });
    }, 180_000);
  });

  describeWithServer('datastore', 'on Datastore', () => {
    let server: Awaited<ReturnType<typeof startDatastoreEmulator>>;
    beforeAll(async () => void (server = await startDatastoreEmulator()), 90_000);
    afterAll(() => server?.stop());

    it(`${PROCESSES} processes × ${CONCURRENCY} concurrent requests: Google is asked once`, async () => {
      const results = await coldRun({ kind: 'datastore', ...datastoreClientOptions(server) });
      expect(emulator.requestCount('token')).toBe(1);
      expect(distinctTokens(results).size).toBe(1);
    }, 180_000);
  });

  describeWithServer('memcached', 'on memcached (no lock)', () => {
    let server: ManagedServer;
    beforeAll(async () => void (server = await startMemcached()));
    afterAll(() => server?.stop());

    it(`${PROCESSES} processes × ${CONCURRENCY} concurrent requests: at most one mint per process`, async () => {
      const results = await coldRun({ kind: 'memcached', url: server.url });
      const mints = emulator.requestCount('token');
      expect(mints).toBeGreaterThanOrEqual(1);
      expect(mints).toBeLessThanOrEqual(PROCESSES);
      for (const result of results) expect(result.tokens).toHaveLength(1);
    }, 180_000);
  });
});
