import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredToken } from '../stores/token-store.js';
import { GuardedTokenStore, NO_LOCK } from './guarded-token-store.js';
import { SingleFlight } from './single-flight.js';
import { tokenCacheKey } from './token-cache-key.js';
import type { TokenRequest, TokenSource } from './token-source.js';

export interface CachedTokenSourceOptions {
  /** A stored token with less than this left is refreshed, never handed out. */
  refreshMarginMs: number;
  /** How long a fleet-wide mint lock lives; a holder that dies blocks no one past it. */
  lockTtlMs: number;
}

/**
 * Tokens through the store: a stored token while it has more than the margin left, otherwise
 * one mint per key per process (single flight) and, when the store offers a lock, one per key
 * across the fleet: the lock holder mints and writes; the others wait and read what it wrote.
 */
export class CachedTokenSource {
  private readonly flights = new SingleFlight<StoredToken>();

  constructor(
    private readonly source: TokenSource,
    private readonly store: GuardedTokenStore,
    private readonly options: CachedTokenSourceOptions,
  ) {}

  async token(request: TokenRequest): Promise<StoredToken> {
    const key = await this.key(request);
    return this.flights.run(key, async () => {
      const stored = await this.store.get(key);
      return this.usable(stored) ? stored : this.refresh(key, request);
    });
  }

  /** Drops `accessToken` (Google refused it) unless the store already holds a newer one. */
  async invalidate(request: TokenRequest, accessToken: string): Promise<void> {
    const key = await this.key(request);
    const stored = await this.store.get(key);
    if (!stored || stored.accessToken === accessToken) await this.store.delete(key);
  }

  private async key(request: TokenRequest): Promise<string> {
    return tokenCacheKey(await this.source.serviceAccountEmail(), request);
  }

  private usable(token: StoredToken | undefined): token is StoredToken {
    return token !== undefined && token.expiresAt - this.options.refreshMarginMs > Date.now();
  }

  private async refresh(key: string, request: TokenRequest): Promise<StoredToken> {
    // Waits are timed on the monotonic clock: wall-clock time may jump (or be faked in tests).
    const giveUpAt = performance.now() + 2 * this.options.lockTtlMs;
    for (;;) {
      const lock = await this.store.lock(key, this.options.lockTtlMs);
      if (lock === NO_LOCK) return this.mintAndStore(key, request);
      if (lock !== null) {
        try {
          // Another instance may have written between our miss and our lock.
          const stored = await this.store.get(key);
          return this.usable(stored) ? stored : await this.mintAndStore(key, request);
        } finally {
          await this.store.release(lock);
        }
      }
      const written = await this.waitForHolder(key);
      if (written) return written;
      // The holder wrote nothing within the lock's TTL (it died, or Google is slow): take the
      // now-expired lock ourselves, and past twice the TTL mint without it.
      if (performance.now() >= giveUpAt) return this.mintAndStore(key, request);
    }
  }

  /** Polls the store while another instance holds the lock, up to the lock's TTL. */
  private async waitForHolder(key: string): Promise<StoredToken | undefined> {
    const until = performance.now() + this.options.lockTtlMs;
    for (let delay = 20; performance.now() < until; delay = Math.min(delay * 2, 250)) {
      await sleep(delay);
      const stored = await this.store.get(key);
      if (this.usable(stored)) return stored;
    }
    return undefined;
  }

  private async mintAndStore(key: string, request: TokenRequest): Promise<StoredToken> {
    const minted = await this.source.mint(request);
    const token: StoredToken = {
      accessToken: minted.accessToken,
      expiresAt: minted.expiresAt,
      scopes: request.scopes,
      ...(request.subject ? { subject: request.subject } : {}),
    };
    await this.store.set(key, token);
    return token;
  }
}
