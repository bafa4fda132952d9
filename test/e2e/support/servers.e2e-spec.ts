// The test harness's own test: each real server starts on a free port, answers a real client,
// stops with its port closed, and starts again on the same port.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Datastore } from '@google-cloud/datastore';
import { KeyvMemcache } from '@keyv/memcache';
import { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { connect, createServer } from 'node:net';
import { describeWithServer } from '../../support/describe-with-server.js';
import {
  datastoreClientOptions,
  closeDatastoreClient,
  startDatastoreEmulator,
  startMemcached,
  startRedis,
  type ManagedDatastore,
  type ManagedServer,
  type ServerKind,
} from '../../support/servers.js';

const START_TIMEOUT_MS = 90_000;

/** Resolves to 'open' when something accepts a TCP connection on the port, else 'closed'. */
function portState(port: number): Promise<'open' | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' ? resolve('closed') : reject(error),
    );
  });
}

/** Writes `value` under `key` and reads it back through a real client of the server. */
type RoundTrip<S extends ManagedServer> = (
  server: S,
  key: string,
  value: string,
) => Promise<unknown>;

const redisRoundTrip: RoundTrip<ManagedServer> = async (server, key, value) => {
  const client = createClient({ url: server.url });
  client.on('error', () => undefined); // failures surface through the awaited commands
  await client.connect();
  try {
    await client.set(key, value);
    return await client.get(key);
  } finally {
    client.destroy();
  }
};

const memcachedRoundTrip: RoundTrip<ManagedServer> = async (server, key, value) => {
  const store = new KeyvMemcache(server.url);
  const keyv = new Keyv<string>({ store });
  try {
    await keyv.set(key, value, 60_000);
    return await keyv.get(key);
  } finally {
    store.client.close();
  }
};

const datastoreRoundTrip: RoundTrip<ManagedDatastore> = async (server, key, value) => {
  const datastore = new Datastore(datastoreClientOptions(server));
  try {
    const entityKey = datastore.key(['HarnessCheck', key]);
    await datastore.save({ key: entityKey, data: { value } });
    const [entity] = await datastore.get(entityKey);
    return (entity as { value?: string } | undefined)?.value;
  } finally {
    await closeDatastoreClient(datastore);
  }
};

/** The life of one server; returns a getter for it, for further tests in the same describe. */
function lifecycle<S extends ManagedServer>(
  kind: ServerKind,
  start: () => Promise<S>,
  expectedUrl: (port: number) => string,
  roundTrip: RoundTrip<S>,
): () => S {
  let server: S;

  beforeAll(async () => {
    server = await start();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
  }, START_TIMEOUT_MS);

  it('runs on a free port of 127.0.0.1 and answers a real client', async () => {
    expect(server.kind).toBe(kind);
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(expectedUrl(server.port));
    expect(server.running).toBe(true);
    expect(await roundTrip(server, 'first', 'one')).toBe('one');
  });

  it(
    'stops, leaving its port closed; a second stop() is harmless',
    async () => {
      await server.stop();
      expect(server.running).toBe(false);
      expect(await portState(server.port)).toBe('closed');
      await server.stop();
      expect(server.running).toBe(false);
    },
    START_TIMEOUT_MS,
  );

  it(
    'starts again on the same port and answers again',
    async () => {
      const port = server.port;
      await server.start();
      expect(server.port).toBe(port);
      expect(server.running).toBe(true);
      expect(await portState(port)).toBe('open');
      expect(await roundTrip(server, 'second', 'two')).toBe('two');
    },
    START_TIMEOUT_MS,
  );

  return () => server;
}

describeWithServer('redis', 'startRedis', () => {
  const server = lifecycle(
    'redis',
    startRedis,
    (port) => `redis://127.0.0.1:${port}`,
    redisRoundTrip,
  );

  it(
    'fails to restart, with the server output, when another process took its port',
    async () => {
      await server().stop();
      const squatter = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => squatter.listen(server().port, '127.0.0.1', resolve));
      try {
        await expect(server().start()).rejects.toThrow(
          /exited .* before it was ready[\s\S]*Address already in use/,
        );
        expect(server().running).toBe(false);
      } finally {
        await new Promise((resolve) => squatter.close(resolve));
      }
      await server().start();
      expect(await redisRoundTrip(server(), 'third', 'three')).toBe('three');
    },
    START_TIMEOUT_MS,
  );
});

describeWithServer('memcached', 'startMemcached', () => {
  lifecycle('memcached', startMemcached, (port) => `127.0.0.1:${port}`, memcachedRoundTrip);
});

describeWithServer('datastore', 'startDatastoreEmulator', () => {
  const server = lifecycle(
    'datastore',
    () => startDatastoreEmulator({ projectId: 'harness-check' }),
    (port) => `http://127.0.0.1:${port}`,
    datastoreRoundTrip,
  );

  it('gives its project id and the DATASTORE_EMULATOR_HOST value to clients', () => {
    const { port } = server();
    expect(server().projectId).toBe('harness-check');
    expect(server().emulatorHost).toBe(`127.0.0.1:${port}`);
    expect(datastoreClientOptions(server())).toEqual({
      projectId: 'harness-check',
      apiEndpoint: `127.0.0.1:${port}`,
    });
  });
});
