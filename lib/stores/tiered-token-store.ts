import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.js';

const NAME = 'TieredTokenStore';

/**
 * Stores in front of one another, fastest first: `new TieredTokenStore([fast, durable])`, e.g.
 * memory or memcached in front of Datastore. Reads try each tier in turn and copy a hit into the
 * tiers before it; writes and deletes go to every tier; the lock is the one of the last (most
 * durable) tier that has one. A tier's failure is the whole store's: it throws, and the module
 * mints without the store until it answers again.
 */
export class TieredTokenStore implements TokenStore {
  /** Present when a tier offers a lock. */
  readonly lock?: (key: string, ttlMs: number) => Promise<TokenStoreLock | null>;

  private readonly tiers: readonly TokenStore[];

  constructor(tiers: readonly TokenStore[]) {
    if (!Array.isArray(tiers) || tiers.length < 2) {
      throw new TypeError(`${NAME}: give at least two stores, fastest first: [fast, durable]`);
    }
    tiers.forEach((tier, index) => {
      if (
        !tier ||
        typeof tier.get !== 'function' ||
        typeof tier.set !== 'function' ||
        typeof tier.delete !== 'function'
      ) {
        throw new TypeError(`${NAME}: tier ${index} is not a TokenStore`);
      }
    });
    this.tiers = [...tiers];
    const locking = [...this.tiers].reverse().find((tier) => typeof tier.lock === 'function');
    if (locking?.lock) {
      const lock = locking.lock.bind(locking);
      this.lock = (key, ttlMs) => lock(key, ttlMs);
    }
  }

  async get(key: string): Promise<StoredToken | undefined> {
    for (let index = 0; index < this.tiers.length; index++) {
      const token = await this.tiers[index]!.get(key);
      if (token === undefined) continue;
      if (index > 0)
        await settleAll(this.tiers.slice(0, index).map((tier) => tier.set(key, token)));
      return token;
    }
    return undefined;
  }

  async set(key: string, token: StoredToken): Promise<void> {
    await settleAll(this.tiers.map((tier) => tier.set(key, token)));
  }

  /** Most durable tier first, so that a concurrent read cannot copy the old token back in front. */
  async delete(key: string): Promise<void> {
    let failure: { reason: unknown } | undefined;
    for (const tier of [...this.tiers].reverse()) {
      try {
        await tier.delete(key);
      } catch (reason) {
        failure ??= { reason };
      }
    }
    if (failure) throw failure.reason;
  }
}

/** Waits for every call, then throws the first failure, so that none is left unobserved. */
async function settleAll(calls: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
