import type { StoredToken } from '../stores/token-store.js';

/** One key's entry in this process: its token, until when to hand it out, its refresh in flight. */
export interface TokenSlot {
  readonly key: string;
  token: StoredToken | undefined;
  /** `token` is handed out while `Date.now()` is below this (0: never). */
  reuseUntil: number;
  /** The refresh under way, which every caller of this key shares (single flight). */
  pending: Promise<StoredToken> | undefined;
  /** Neighbours in the use order (intrusive list: a hit moves a slot with no allocation). */
  newer: TokenSlot | undefined;
  older: TokenSlot | undefined;
}

/**
 * The process-local fast path in front of the token store: per cache key, the token this
 * process minted or read. A lookup is one `Map.get` and a time check; no hash, timer or promise.
 * Bounded: past `maxEntries` keys, the least recently used goes.
 */
export class LocalTokenCache {
  private readonly slots = new Map<string, TokenSlot>();
  private newest: TokenSlot | undefined;
  private oldest: TokenSlot | undefined;

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('LocalTokenCache: "maxEntries" must be an integer ≥ 1');
    }
  }

  /** The token held for `key` while it may be handed out, else `undefined`; marks it used. */
  fresh(key: string, now = Date.now()): StoredToken | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || !(now < slot.reuseUntil)) return undefined;
    if (slot !== this.newest) this.touch(slot);
    return slot.token;
  }

  /** The slot of `key`, made if new (the least recently used goes past the bound); marks it used. */
  slot(key: string): TokenSlot {
    let slot = this.slots.get(key);
    if (slot !== undefined) {
      if (slot !== this.newest) this.touch(slot);
      return slot;
    }
    slot = {
      key,
      token: undefined,
      reuseUntil: 0,
      pending: undefined,
      newer: undefined,
      older: undefined,
    };
    this.slots.set(key, slot);
    this.pushNewest(slot);
    if (this.slots.size > this.maxEntries) this.evict(this.oldest!);
    return slot;
  }

  /** Forgets `key`'s token if it is `accessToken` (Google refused it); a newer one stays. */
  drop(key: string, accessToken: string): void {
    const slot = this.slots.get(key);
    if (slot?.token?.accessToken === accessToken) {
      slot.token = undefined;
      slot.reuseUntil = 0;
    }
  }

  /** How many keys are held. */
  get size(): number {
    return this.slots.size;
  }

  private touch(slot: TokenSlot): void {
    this.unlink(slot);
    this.pushNewest(slot);
  }

  private pushNewest(slot: TokenSlot): void {
    slot.older = this.newest;
    slot.newer = undefined;
    if (this.newest) this.newest.newer = slot;
    this.newest = slot;
    this.oldest ??= slot;
  }

  private unlink(slot: TokenSlot): void {
    if (slot.newer) slot.newer.older = slot.older;
    else this.newest = slot.older;
    if (slot.older) slot.older.newer = slot.newer;
    else this.oldest = slot.newer;
    slot.newer = slot.older = undefined;
  }

  private evict(slot: TokenSlot): void {
    this.unlink(slot);
    this.slots.delete(slot.key);
  }
}
