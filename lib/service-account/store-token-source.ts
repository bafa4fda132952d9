import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredToken } from '../stores/token-store.js';
import type { InvalidatingTokenSource } from './cached-token-source.js';
import type { GuardedTokenStore, LockOutcome } from './guarded-token-store.js';
import { hasMarginLeft } from './refresh-margin.js';
import type { TokenRequest, TokenSource } from './token-source.js';

export interface StoreTokenSourceOptions {
  /** A stored token with less than this left is refreshed, never handed out. */
  refreshMarginMs: number;
  /** How long a fleet-wide mint lock lives; a holder that dies blocks no one past it. */
  lockTtlMs: number;
  /** How long to wait for the answer of a lock call that outlived the store timeout. */
  slowLockWaitMs: number;
  /** How often to try again to write the tokens minted while the store was failing. */
  shareRetryMs: number;
}

/**
 * Tokens through the shared store: a stored token while it has more than the margin left,
 * otherwise a mint and a write. When the store offers a lock, one instance of the fleet mints
 * per key: the lock holder re-reads, mints and writes; the others wait and read what it wrote.
 * It expects one call per key at a time from this process (`CachedTokenSource` sees to that).
 */
export class StoreTokenSource<
  R extends { readonly key: string } = TokenRequest,
> implements InvalidatingTokenSource<R> {
  /** Tokens minted here that the store did not take, by key: written when it answers again. */
  private readonly unshared = new Map<string, StoredToken>();
  private shareTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: TokenSource<R>,
    private readonly store: GuardedTokenStore,
    private readonly options: StoreTokenSourceOptions,
  ) {}

  async token(request: R): Promise<StoredToken> {
    const stored = await this.store.get(request.key);
    if (hasMarginLeft(stored, this.options.refreshMarginMs)) return stored;
    return this.mintOnce(request, stored);
  }

  async invalidate(request: R, accessToken: string): Promise<void> {
    const stored = await this.store.get(request.key);
    if (!stored || stored.accessToken === accessToken) await this.store.delete(request.key);
  }

  /** One mint per key across the fleet when the store can lock; `stale` is what the store held. */
  private async mintOnce(request: R, stale: StoredToken | undefined): Promise<StoredToken> {
    const { key } = request;
    // Waits are timed on the monotonic clock: wall-clock time may jump (or be faked in tests).
    const giveUpAt = performance.now() + 2 * this.options.lockTtlMs;
    for (;;) {
      let lock: LockOutcome = await this.store.lock(key, this.options.lockTtlMs);
      if (lock.kind === 'slow') {
        // A slow store is not a dead one: the lock may yet be ours, or another instance's.
        // Minting now could make a second mint beside its holder; wait for the answer instead.
        lock = await this.store.settle(lock.answer, this.options.slowLockWaitMs);
        if (lock.kind === 'none') {
          const written = await this.store.get(key);
          if (this.isWritten(written, stale)) return written;
        }
      }
      if (lock.kind === 'none') return this.mintAndStore(request);
      if (lock.kind === 'held') {
        try {
          // Another instance may have written between our miss and our lock.
          const written = await this.store.get(key);
          return this.isWritten(written, stale) ? written : await this.mintAndStore(request);
        } finally {
          await this.store.release(lock.lock);
        }
      }
      const written = await this.waitForHolder(key, stale);
      if (written) return written;
      // The holder wrote nothing within the lock's TTL (it died, or Google is slow): take the
      // now-expired lock ourselves, and past twice the TTL mint without it.
      if (performance.now() >= giveUpAt) return this.mintAndStore(request);
    }
  }

  /** Polls the store while another instance holds the lock, up to the lock's TTL. */
  private async waitForHolder(key: string, stale: StoredToken | undefined) {
    const until = performance.now() + this.options.lockTtlMs;
    for (let delay = 20; performance.now() < until; delay = Math.min(delay * 2, 250)) {
      await sleep(delay);
      const written = await this.store.get(key);
      if (this.isWritten(written, stale)) return written;
    }
    return undefined;
  }

  /**
   * Whether a token read after our miss can be handed out: it has the margin left, or it is a
   * new one (not what we found stale), which another instance has just minted: fresh from
   * Google, even if it arrived with less than the margin left (see refresh-margin.ts).
   */
  private isWritten(
    token: StoredToken | undefined,
    stale: StoredToken | undefined,
  ): token is StoredToken {
    if (token === undefined || !(token.expiresAt > Date.now())) return false;
    return (
      token.accessToken !== stale?.accessToken || hasMarginLeft(token, this.options.refreshMarginMs)
    );
  }

  private async mintAndStore(request: R): Promise<StoredToken> {
    const token = await this.source.token(request);
    if (await this.store.set(request.key, token)) this.unshared.delete(request.key);
    else this.keepUnshared(request.key, token);
    return token;
  }

  /**
   * A token the store did not take is served from this process (`CachedTokenSource`), which
   * asks nothing of the store on a warm call; so the other instances get it, it is written
   * again in the background, every `shareRetryMs`, until the store takes it or it is stale.
   */
  private keepUnshared(key: string, token: StoredToken): void {
    this.unshared.set(key, token);
    if (this.shareTimer) return;
    this.shareTimer = setTimeout(() => {
      this.shareTimer = undefined;
      void this.shareAgain();
    }, this.options.shareRetryMs);
    this.shareTimer.unref(); // never what keeps a process alive
  }

  /** Stops offering unshared tokens to the store (the app is shutting down). */
  close(): void {
    clearTimeout(this.shareTimer);
    this.shareTimer = undefined;
    this.unshared.clear();
  }

  private async shareAgain(): Promise<void> {
    for (const [key, token] of [...this.unshared]) {
      if (this.unshared.get(key) !== token) continue; // replaced meanwhile
      if (!hasMarginLeft(token, this.options.refreshMarginMs)) {
        this.unshared.delete(key);
      } else if (await this.store.set(key, token)) {
        if (this.unshared.get(key) === token) this.unshared.delete(key);
      } else {
        this.keepUnshared(key, token);
        return; // still failing: the rest waits for the next try
      }
    }
  }
}
