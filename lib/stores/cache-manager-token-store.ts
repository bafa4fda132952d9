import type { Cache } from 'cache-manager';
import {
  commandClientRunner,
  keyvRedisRunner,
  takeRedisLock,
  type RedisCommandClient,
  type RedisCommandRunner,
} from './redis-lock.js';
import { backendTtlMs, checkKey, isLive } from './stored-token.js';
import { TokenCodec } from './token-codec.js';
import { TokenCipher, type TokenEncryptionOptions } from './token-encryption.js';
import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.js';

export interface CacheManagerTokenStoreOptions extends TokenEncryptionOptions {
  /** Put before every key this store writes, tokens and locks alike. Default `'oauth2:'`. */
  keyPrefix?: string;
  /**
   * The Redis client that takes the fleet's mint lock (`SET … NX PX`, released by its owner).
   * Default: the client of the cache's `@keyv/redis` store, if it has one; with no Redis store
   * (memcached, memory) the store has no lock. `false`: no lock.
   */
  redis?: RedisCommandClient | false;
}

/** The parts of a Keyv instance this store uses (cache-manager 7 holds its stores as Keyv). */
type KeyvLike = Cache['stores'][number];

const NAME = 'CacheManagerTokenStore';

/**
 * Tokens in a cache-manager 7 `Cache`: the app's own (`CACHE_MANAGER` of `@nestjs/cache-manager`)
 * or one made for it, on Keyv stores such as `@keyv/redis` or `@keyv/memcache`. Each entry lives
 * as long as its token. On Redis it also offers the fleet's mint lock.
 *
 * It works on the cache's Keyv stores directly: reads them in order (first hit wins), writes and
 * deletes all of them. Keyv hides a failing backend by default (it reports `error` events and
 * answers "not found"); this store listens to those events and throws instead, so that the module
 * sees the outage, warns, and mints without the cache until it answers again.
 */
export class CacheManagerTokenStore implements TokenStore {
  /** Present when the store can lock (a Redis client was found or given). */
  readonly lock?: (key: string, ttlMs: number) => Promise<TokenStoreLock | null>;

  private readonly stores: readonly KeyvLike[];
  private readonly prefix: string;
  private readonly codec: TokenCodec;
  private errors = 0;
  private lastError: unknown;

  constructor(cache: Cache, options: CacheManagerTokenStoreOptions = {}) {
    if (!cache || !Array.isArray(cache.stores) || cache.stores.length === 0) {
      throw new TypeError(`${NAME}: expected a cache-manager 7 Cache (createCache({ stores }))`);
    }
    this.stores = [...cache.stores];
    this.prefix = options.keyPrefix ?? 'oauth2:';
    if (typeof this.prefix !== 'string') {
      throw new TypeError(`${NAME}: "keyPrefix" must be a string`);
    }
    this.codec = new TokenCodec(TokenCipher.fromOptions(NAME, options.encryptionKey));
    for (const store of this.stores) {
      store.on('error', (error: unknown) => {
        this.errors++;
        this.lastError = error;
      });
    }
    const runner = lockRunner(this.stores, options.redis);
    if (runner) {
      this.lock = (key, ttlMs) => {
        checkKey(NAME, key);
        return takeRedisLock(runner, `${this.prefix}lock:${key}`, ttlMs);
      };
    }
  }

  async get(key: string): Promise<StoredToken | undefined> {
    checkKey(NAME, key);
    const storeKey = this.prefix + key;
    for (const store of this.stores) {
      const value = await this.watch('get', () => store.get<unknown>(storeKey));
      if (value === undefined || value === null) continue;
      const token = this.codec.decode(key, value);
      if (token && isLive(token)) return token;
    }
    return undefined;
  }

  async set(key: string, token: StoredToken): Promise<void> {
    checkKey(NAME, key);
    const storeKey = this.prefix + key;
    const remaining = token.expiresAt - Date.now();
    if (!(remaining > 0)) {
      await this.delete(key);
      return;
    }
    const value = this.codec.encode(key, token);
    const ttl = backendTtlMs(remaining);
    await this.all('set', async (store) => {
      if ((await store.set(storeKey, value, ttl)) === false) {
        throw new CacheStoreError('set', 'the store did not take the value');
      }
    });
  }

  async delete(key: string): Promise<void> {
    checkKey(NAME, key);
    const storeKey = this.prefix + key;
    await this.all('delete', async (store) => {
      await store.delete(storeKey);
    });
  }

  /** Runs `call` on every store at once; throws the first failure once all have settled. */
  private async all(operation: string, call: (store: KeyvLike) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(
      this.stores.map((store) => this.watch(operation, () => call(store))),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs `call`, and throws if the Keyv stores reported an error meanwhile. */
  private async watch<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const before = this.errors;
    let result: T;
    try {
      result = await call();
    } catch (error) {
      throw this.errors !== before ? new CacheStoreError(operation, this.lastError) : error;
    }
    if (this.errors !== before) throw new CacheStoreError(operation, this.lastError);
    return result;
  }
}

/** A failure that Keyv reported as an event rather than threw. */
export class CacheStoreError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`cache store ${operation} failed: ${describe(cause)}`);
    this.name = 'CacheStoreError';
  }
}

/** The error's kind and message, short: never the value that was being written. */
function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${cause.name}${code ? ` ${code}` : ''}: ${cause.message}`.slice(0, 160);
  }
  return typeof cause === 'string' ? cause.slice(0, 160) : 'unknown error';
}

function lockRunner(
  stores: readonly KeyvLike[],
  redis: RedisCommandClient | false | undefined,
): RedisCommandRunner | undefined {
  if (redis === false) return undefined;
  if (redis !== undefined) return commandClientRunner(redis);
  // The most durable tier is usually last: look for Redis from the end.
  for (const store of [...stores].reverse()) {
    const runner = keyvRedisRunner(store.store);
    if (runner) return runner;
  }
  return undefined;
}
