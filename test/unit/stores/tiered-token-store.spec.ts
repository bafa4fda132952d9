import { describe, expect, it } from '@jest/globals';
import {
  MemoryTokenStore,
  TieredTokenStore,
  type StoredToken,
  type TokenStoreLock,
} from 'nestjs-google-oauth2';
import { tokenStoreContract } from 'nestjs-google-oauth2/testing';

/** A memory store with an in-process lock that honours owners and TTLs, and a failure switch. */
class LockingMemoryStore extends MemoryTokenStore {
  failing = false;
  readonly calls: string[] = [];
  private readonly locks = new Map<string, { owner: symbol; until: number }>();

  override async get(key: string) {
    this.calls.push(`get ${key}`);
    if (this.failing) throw new Error('down');
    return super.get(key);
  }
  override async set(key: string, token: StoredToken) {
    this.calls.push(`set ${key}`);
    if (this.failing) throw new Error('down');
    return super.set(key, token);
  }
  override async delete(key: string) {
    this.calls.push(`delete ${key}`);
    if (this.failing) throw new Error('down');
    return super.delete(key);
  }
  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | null> {
    const held = this.locks.get(key);
    if (held && held.until > Date.now()) return null;
    const owner = Symbol(key);
    this.locks.set(key, { owner, until: Date.now() + ttlMs });
    return {
      release: async () => {
        if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
      },
    };
  }
}

const token = (accessToken = 'ya29.a'): StoredToken => ({
  accessToken,
  expiresAt: Date.now() + 60_000,
  scopes: ['s'],
});

tokenStoreContract(
  'TieredTokenStore (memory in front of a locking store)',
  () => new TieredTokenStore([new MemoryTokenStore(), new LockingMemoryStore()]),
  { supportsLock: true },
);
tokenStoreContract(
  'TieredTokenStore (no tier locks)',
  () => new TieredTokenStore([new MemoryTokenStore(), new MemoryTokenStore()]),
);
tokenStoreContract('LockingMemoryStore (the fake itself)', () => new LockingMemoryStore(), {
  supportsLock: true,
});

describe('TieredTokenStore', () => {
  it('reads the fast tier first and does not touch the durable one on a hit', async () => {
    const [fast, durable] = [new LockingMemoryStore(), new LockingMemoryStore()];
    const store = new TieredTokenStore([fast, durable]);
    await fast.set('k', token());
    durable.calls.length = 0;
    expect((await store.get('k'))?.accessToken).toBe('ya29.a');
    expect(durable.calls).toEqual([]);
  });

  it('falls back to the durable tier and fills the fast one', async () => {
    const [fast, durable] = [new MemoryTokenStore(), new MemoryTokenStore()];
    const store = new TieredTokenStore([fast, durable]);
    await durable.set('k', token('ya29.durable'));
    expect((await store.get('k'))?.accessToken).toBe('ya29.durable');
    expect((await fast.get('k'))?.accessToken).toBe('ya29.durable');
  });

  it('fills every faster tier of a three-tier store', async () => {
    const tiers = [new MemoryTokenStore(), new MemoryTokenStore(), new MemoryTokenStore()];
    await tiers[2]!.set('k', token('ya29.deep'));
    expect((await new TieredTokenStore(tiers).get('k'))?.accessToken).toBe('ya29.deep');
    expect((await tiers[0]!.get('k'))?.accessToken).toBe('ya29.deep');
    expect((await tiers[1]!.get('k'))?.accessToken).toBe('ya29.deep');
  });

  it('writes and deletes every tier; deletes the durable tier first', async () => {
    const [fast, durable] = [new LockingMemoryStore(), new LockingMemoryStore()];
    const order: string[] = [];
    const record = (name: string, store: LockingMemoryStore) => {
      const original = store.delete.bind(store);
      store.delete = async (key: string) => {
        order.push(name);
        return original(key);
      };
    };
    record('fast', fast);
    record('durable', durable);
    const store = new TieredTokenStore([fast, durable]);
    await store.set('k', token());
    expect(await fast.get('k')).toBeDefined();
    expect(await durable.get('k')).toBeDefined();
    await store.delete('k');
    expect(order).toEqual(['durable', 'fast']);
    expect(await fast.get('k')).toBeUndefined();
    expect(await durable.get('k')).toBeUndefined();
  });

  it('takes the lock of the most durable tier that has one', async () => {
    const [fast, durable] = [new LockingMemoryStore(), new LockingMemoryStore()];
    const store = new TieredTokenStore([fast, durable]);
    const lock = await store.lock!('k', 1000);
    expect(lock).not.toBeNull();
    expect(await durable.lock('k', 1000)).toBeNull();
    expect(await fast.lock('k', 1000)).not.toBeNull();
    const onlyFastLocks = new TieredTokenStore([new LockingMemoryStore(), new MemoryTokenStore()]);
    expect(typeof onlyFastLocks.lock).toBe('function');
    expect(new TieredTokenStore([new MemoryTokenStore(), new MemoryTokenStore()]).lock).toBe(
      undefined,
    );
  });

  it("throws a tier's failure rather than hiding it, after every tier has settled", async () => {
    const [fast, durable] = [new LockingMemoryStore(), new LockingMemoryStore()];
    const store = new TieredTokenStore([fast, durable]);
    durable.failing = true;
    await expect(store.get('k')).rejects.toThrow('down');
    await expect(store.set('k', token())).rejects.toThrow('down');
    expect(await fast.get('k')).toBeDefined(); // the healthy tier was still written
    await expect(store.delete('k')).rejects.toThrow('down');
    expect(await fast.get('k')).toBeUndefined(); // and still deleted
    durable.failing = false;
    fast.failing = true;
    await expect(store.get('k')).rejects.toThrow('down');
  });

  it('needs two tiers or more, each a TokenStore', () => {
    expect(() => new TieredTokenStore([new MemoryTokenStore()])).toThrow(/at least two/);
    expect(() => new TieredTokenStore([new MemoryTokenStore(), {} as MemoryTokenStore])).toThrow(
      /tier 1 is not a TokenStore/,
    );
  });
});
