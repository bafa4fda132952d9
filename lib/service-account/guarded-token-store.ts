import { Logger } from '@nestjs/common';
import type { StoredToken, TokenStore, TokenStoreLock } from '../stores/token-store.js';

/** What `lock()` gives when the store has no lock or cannot be reached: go ahead alone. */
export const NO_LOCK = 'no-lock' as const;

/**
 * The token store as minting sees it: every call bounded by a timeout, and a store that is
 * down, slow or failing treated as empty, so that a request that could be served never fails
 * because of the cache. One warning per outage, one notice when the store answers again.
 */
export class GuardedTokenStore {
  private readonly logger = new Logger('TokenStore');
  private outage = false;

  constructor(
    private readonly store: TokenStore,
    private readonly timeoutMs: number,
  ) {}

  get supportsLock(): boolean {
    return typeof this.store.lock === 'function';
  }

  get(key: string): Promise<StoredToken | undefined> {
    return this.guard('get', () => this.store.get(key), undefined);
  }

  set(key: string, token: StoredToken): Promise<void> {
    return this.guard('set', () => this.store.set(key, token), undefined, token.accessToken);
  }

  delete(key: string): Promise<void> {
    return this.guard('delete', () => this.store.delete(key), undefined);
  }

  /** The lock, `null` when another instance holds it, or `NO_LOCK` to mint without one. */
  lock(key: string, ttlMs: number): Promise<TokenStoreLock | null | typeof NO_LOCK> {
    if (!this.store.lock) return Promise.resolve(NO_LOCK);
    const pending = this.store.lock(key, ttlMs);
    return this.guard('lock', () => pending, NO_LOCK).then((result) => {
      // Given up on (too slow), the lock may still be granted later: free it then, or the
      // rest of the fleet would wait a whole TTL for a holder that is not minting.
      if (result === NO_LOCK) pending.then((late) => late?.release()).catch(() => undefined);
      return result;
    });
  }

  /** Releases a lock; a failure only means the lock lives until its TTL. */
  release(lock: TokenStoreLock): Promise<void> {
    return this.guard('release', () => lock.release(), undefined);
  }

  private async guard<T, F>(
    operation: string,
    call: () => Promise<T>,
    fallback: F,
    secret?: string,
  ): Promise<T | F> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      if (this.outage) {
        this.outage = false;
        this.logger.log('token store is answering again; tokens are shared through it again');
      }
      return result;
    } catch (err) {
      if (!this.outage) {
        this.outage = true;
        this.logger.warn(
          `token store ${operation} failed (${describe(err, secret)}); minting directly until it answers again`,
        );
      }
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error's kind and message, without the token: a store's error could echo what it was sent. */
function describe(err: unknown, secret?: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const text =
    err instanceof Error ? `${err.name}${code ? ` ${code}` : ''}: ${err.message}` : String(err);
  return (secret ? text.split(secret).join('[redacted]') : text).slice(0, 200);
}
