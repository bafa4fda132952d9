import { copyStoredToken } from './stored-token.js';
import type { StoredToken, TokenStore } from './token-store.js';

/** Options of {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /** At most this many tokens are kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
}

/**
 * The default store: tokens in this process's memory, bounded, least recently used out first.
 * Shares nothing between instances; see the shared stores for a fleet.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly entries = new Map<string, StoredToken>();
  private readonly maxEntries: number;

  constructor(options: MemoryTokenStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new TypeError('MemoryTokenStore: "maxEntries" must be an integer ≥ 1');
    }
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const token = this.entries.get(key);
    if (!token) return undefined;
    this.entries.delete(key);
    if (token.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, token); // most recently used is last in the map's order
    return copyStoredToken(token);
  }

  async set(key: string, token: StoredToken): Promise<void> {
    this.entries.delete(key);
    if (token.expiresAt <= Date.now()) return;
    this.entries.set(key, copyStoredToken(token));
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** How many entries are held (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.entries.size;
  }
}
