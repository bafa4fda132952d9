import { hash } from 'node:crypto';

export interface VerificationCacheOptions<T> {
  /** At most this many results are kept; the least recently used goes first. */
  maxEntries: number;
  /** Until when (epoch ms) a result may be reused; at or before now: not kept. */
  keepUntil(result: T, nowMs: number): number;
}

/** The cache key of a caller's token: its SHA-256, so that the token itself is never a key. */
export function callerTokenKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

/**
 * Results of checking tokens, keyed by a hash of the token, each kept as long as `keepUntil`
 * says, in a bounded LRU. Concurrent checks of one token share one call (single flight). A
 * check that throws (Google unreachable) is shared by the callers waiting on it and not kept.
 */
export class VerificationCache<T> {
  private readonly entries = new Map<string, { result: T; until: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly options: VerificationCacheOptions<T>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new TypeError('VerificationCache: "maxEntries" must be an integer ≥ 1');
    }
  }

  /** The kept result for `token`, else the result of `check()` (shared with concurrent callers). */
  get(token: string, check: () => Promise<T>): Promise<T> {
    const key = callerTokenKey(token);
    const kept = this.read(key);
    if (kept) return Promise.resolve(kept.result);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const flight = (async () => {
      try {
        const result = await check();
        this.write(key, result);
        return result;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, flight);
    return flight;
  }

  /** Whether a result for `token` is kept (and still fresh). */
  has(token: string): boolean {
    return this.read(callerTokenKey(token)) !== undefined;
  }

  /** Forgets the result for `token`. */
  delete(token: string): void {
    this.entries.delete(callerTokenKey(token));
  }

  clear(): void {
    this.entries.clear();
  }

  /** Results held (stale ones included until read or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** The keys held, least recently used first (hashes: for tests and diagnostics). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private read(key: string): { result: T; until: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry;
  }

  private write(key: string, result: T): void {
    this.entries.delete(key);
    const until = this.options.keepUntil(result, Date.now());
    if (!(until > Date.now())) return;
    this.entries.set(key, { result, until });
    while (this.entries.size > this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
