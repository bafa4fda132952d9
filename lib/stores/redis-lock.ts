import { randomBytes } from 'node:crypto';
import { lockTtl } from './stored-token.js';
import type { TokenStoreLock } from './token-store.js';

/**
 * What the Redis lock needs of a client: one command, given as strings. A node-redis 4/5 client
 * (`createClient()`, what `@keyv/redis` uses) fits as it is; for ioredis pass
 * `{ sendCommand: ([command, ...args]) => redis.call(command, ...args) }`.
 */
export interface RedisCommandClient {
  /** Sends one command (`['SET', key, value, 'NX', 'PX', '30000']`) and resolves to Redis's reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** Runs one command whose (only) key is `key`; a cluster routes it by that key. */
export type RedisCommandRunner = (key: string, args: string[]) => Promise<unknown>;

/** Deletes the lock only if it still holds this owner's token: a late release frees nothing else. */
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * `SET key owner NX PX ttl`: taken only if free, gone after its TTL even if its holder dies.
 * Resolves to the lock, or `null` when someone else holds it. Errors propagate.
 */
export async function takeRedisLock(
  run: RedisCommandRunner,
  lockKey: string,
  ttlMs: number,
): Promise<TokenStoreLock | null> {
  const owner = randomBytes(16).toString('base64url');
  const reply = await run(lockKey, ['SET', lockKey, owner, 'NX', 'PX', String(lockTtl(ttlMs))]);
  if (reply === null || reply === undefined) return null;
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      await run(lockKey, ['EVAL', RELEASE_SCRIPT, '1', lockKey, owner]);
      released = true;
    },
  };
}

/** A node-redis client, cluster or sentinel, as `@keyv/redis` holds it. */
interface NodeRedisLike {
  sendCommand(...args: unknown[]): Promise<unknown>;
}

/** The parts of a `@keyv/redis` adapter (`KeyvRedis`) that the lock uses. */
interface KeyvRedisLike {
  client: NodeRedisLike;
  getClient(): Promise<NodeRedisLike>;
  isCluster?(): boolean;
}

function isKeyvRedis(adapter: unknown): adapter is KeyvRedisLike {
  if (typeof adapter !== 'object' || adapter === null) return false;
  const candidate = adapter as Partial<KeyvRedisLike>;
  return (
    typeof candidate.getClient === 'function' &&
    typeof candidate.client === 'object' &&
    candidate.client !== null &&
    typeof candidate.client.sendCommand === 'function'
  );
}

/**
 * The command runner of a `@keyv/redis` adapter's own client (connected on first use, as the
 * adapter does), or `undefined` when `adapter` is not one. Clusters route by key; a sentinel
 * sends to the master.
 */
export function keyvRedisRunner(adapter: unknown): RedisCommandRunner | undefined {
  if (!isKeyvRedis(adapter)) return undefined;
  const cluster = typeof adapter.isCluster === 'function' && adapter.isCluster();
  const sentinel = !cluster && isSentinel(adapter.client);
  return async (key, args) => {
    const client = await adapter.getClient();
    if (cluster) return client.sendCommand(key, false, args);
    if (sentinel) return client.sendCommand(false, args);
    return client.sendCommand(args);
  };
}

/** node-redis's sentinel client takes `(isReadonly, args)`; it is told apart by its methods. */
function isSentinel(client: NodeRedisLike): boolean {
  const candidate = client as NodeRedisLike & { getSentinelNode?: unknown };
  return typeof candidate.getSentinelNode === 'function';
}

/** The runner of a client the user gave. */
export function commandClientRunner(client: RedisCommandClient): RedisCommandRunner {
  if (typeof client?.sendCommand !== 'function') {
    throw new TypeError(
      'the Redis client for locks must have sendCommand(args) (node-redis); wrap others (see docs/token-stores.md)',
    );
  }
  return (_key, args) => client.sendCommand(args);
}
