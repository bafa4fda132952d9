/**
 * Real servers for tests: redis-server, memcached and the Cloud Datastore emulator, each started
 * as a child process on a free port of 127.0.0.1 and stopped again by the test that started it.
 * Works in any Node script (benchmarks too); describeWithServer (describe-with-server.ts) is the
 * Jest side. See docs/development.md.
 *
 * The harness, one job a file: server-binaries.ts (can it start here?), server-specs.ts (how
 * each kind starts and answers), child-server.ts (one server's life), process-groups.ts (no
 * server outlives the test process), net-probes.ts (ports and probes).
 */
import { ChildServer, DatastoreServer, launch } from './child-server.js';
import { DATASTORE, MEMCACHED, REDIS } from './server-specs.js';

export type ServerKind = 'redis' | 'memcached' | 'datastore';

export interface ManagedServer {
  readonly kind: ServerKind;
  readonly host: string;
  /** Fixed for the server's life, also across stop()/start(). */
  readonly port: number;
  /** redis: `redis://127.0.0.1:PORT`; memcached: `127.0.0.1:PORT`; datastore: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly running: boolean;
  /** (Re)starts on the same port and waits until the server answers. */
  start(): Promise<void>;
  /** Stops the server and waits until its port is closed. Idempotent. */
  stop(): Promise<void>;
}

export interface ManagedDatastore extends ManagedServer {
  readonly projectId: string;
  /** `127.0.0.1:PORT`, the value for DATASTORE_EMULATOR_HOST. */
  readonly emulatorHost: string;
}

/** redis-server on a free port: no persistence, in a temporary directory. */
export function startRedis(): Promise<ManagedServer> {
  return launch((port) => new ChildServer(REDIS, port));
}

/** memcached on a free port, TCP only (`-U 0`), as the current user when that is root. */
export function startMemcached(): Promise<ManagedServer> {
  return launch((port) => new ChildServer(MEMCACHED, port));
}

/** The Cloud Datastore emulator on a free port, in memory, with consistency 1.0. */
export function startDatastoreEmulator(
  options: { projectId?: string } = {},
): Promise<ManagedDatastore> {
  const projectId = options.projectId ?? 'test-project';
  return launch((port) => new DatastoreServer(DATASTORE, port, projectId));
}

/**
 * Options for `new Datastore(...)` (@google-cloud/datastore 10) that reach the emulator. An
 * apiEndpoint on 127.0.0.1 makes the client use a plain-text gRPC channel and no Google credentials,
 * as DATASTORE_EMULATOR_HOST would, without touching the process's environment.
 */
export function datastoreClientOptions(server: ManagedDatastore): {
  projectId: string;
  apiEndpoint: string;
} {
  return { projectId: server.projectId, apiEndpoint: server.emulatorHost };
}

/**
 * Closes what a `new Datastore(...)` client opened, so that the test process can end: version 10
 * has no close() of its own; its gRPC clients (one per API, each with close()) sit in `clients_`.
 */
export async function closeDatastoreClient(
  datastore: { clients_: Map<string, unknown> } | undefined,
): Promise<void> {
  // oxlint-disable-next-line no-underscore-dangle -- the client's own name for its gRPC clients
  const clients = [...(datastore?.clients_.values() ?? [])] as { close?: () => Promise<void> }[];
  await Promise.all(clients.map((client) => client.close?.()));
}
