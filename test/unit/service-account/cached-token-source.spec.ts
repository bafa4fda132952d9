import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  MemoryTokenStore,
  type StoredToken,
  type TokenStore,
  type TokenStoreLock,
} from 'nestjs-google-oauth2';
import { CachedTokenSource } from '../../../lib/service-account/cached-token-source.js';
import { GuardedTokenStore } from '../../../lib/service-account/guarded-token-store.js';
import { LocalTokenCache } from '../../../lib/service-account/local-token-cache.js';
import { StoreTokenSource } from '../../../lib/service-account/store-token-source.js';
import {
  tokenRequest,
  type TokenRequest,
  type TokenSource,
} from '../../../lib/service-account/token-source.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A minting source that counts its mints; the real ones are tested against the emulator. */
class CountingSource implements TokenSource {
  mints = 0;
  lifetimeMs = 3_600_000;
  failWith?: Error;
  delayMs = 5;
  async token(request: TokenRequest): Promise<StoredToken> {
    this.mints++;
    const n = this.mints;
    await sleep(this.delayMs);
    if (this.failWith) throw this.failWith;
    return {
      accessToken: `ya29.t${n}`,
      expiresAt: Date.now() + this.lifetimeMs,
      scopes: [...request.scopes],
      ...(request.subject ? { subject: request.subject } : {}),
    };
  }
}

/** Counts the calls a store gets, to show what a warm call does not do. */
class CountingStore extends MemoryTokenStore {
  gets = 0;
  sets = 0;
  override get(key: string) {
    this.gets++;
    return super.get(key);
  }
  override set(key: string, token: StoredToken) {
    this.sets++;
    return super.set(key, token);
  }
}

/** A store whose lock another instance may be holding: `heldElsewhere` simulates that peer. */
class LockingStore extends CountingStore {
  heldElsewhere = false;
  locks = 0;
  lockDelayMs = 0;
  private held = new Set<string>();
  async lock(key: string): Promise<TokenStoreLock | null> {
    if (this.lockDelayMs) await sleep(this.lockDelayMs);
    if (this.heldElsewhere || this.held.has(key)) return null;
    this.locks++;
    this.held.add(key);
    return { release: async () => void this.held.delete(key) };
  }
}

const EMAIL = 'svc@p.iam.gserviceaccount.com';
const request = tokenRequest(EMAIL, ['https://www.googleapis.com/auth/drive']);
const other = tokenRequest(EMAIL, ['https://www.googleapis.com/auth/gmail.readonly']);
const MARGIN_MS = 300_000;

/** What another instance writes after minting: `accessToken`, with `leftMs` to live. */
function writeAsPeer(store: TokenStore, accessToken: string, leftMs = 3_600_000): Promise<void> {
  return store.set(request.key, {
    accessToken,
    expiresAt: Date.now() + leftMs,
    scopes: [...request.scopes],
  });
}

interface Pipeline {
  tokens: CachedTokenSource;
  local: LocalTokenCache;
}

function pipeline(
  source: TokenSource,
  store: TokenStore,
  options: {
    timeoutMs?: number;
    lockTtlMs?: number;
    slowLockWaitMs?: number;
    local?: LocalTokenCache;
  } = {},
): Pipeline {
  const local = options.local ?? new LocalTokenCache(100);
  const guarded = new GuardedTokenStore(store, options.timeoutMs ?? 200);
  const shared = new StoreTokenSource(source, guarded, {
    refreshMarginMs: MARGIN_MS,
    lockTtlMs: options.lockTtlMs ?? 1_000,
    slowLockWaitMs: options.slowLockWaitMs ?? 2_000,
    shareRetryMs: 100,
  });
  return { tokens: new CachedTokenSource(shared, local, MARGIN_MS), local };
}

describe('CachedTokenSource over StoreTokenSource', () => {
  let warn: ReturnType<typeof jest.spyOn>;
  let log: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    log.mockRestore();
  });

  it('mints once for concurrent callers, then serves from this process without the store', async () => {
    const source = new CountingSource();
    const store = new CountingStore();
    const { tokens } = pipeline(source, store);
    const results = await Promise.all(Array.from({ length: 200 }, () => tokens.token(request)));
    expect(new Set(results.map((t) => t.accessToken))).toEqual(new Set(['ya29.t1']));
    expect([source.mints, store.gets, store.sets]).toEqual([1, 1, 1]);

    for (let i = 0; i < 1000; i++)
      expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    expect(tokens.cached(request)?.accessToken).toBe('ya29.t1'); // synchronous
    expect([source.mints, store.gets, store.sets]).toEqual([1, 1, 1]);
  });

  it('keeps the scopes and the subject with the token', async () => {
    const store = new MemoryTokenStore();
    const { tokens } = pipeline(new CountingSource(), store);
    const delegated = tokenRequest(EMAIL, ['a'], 'ann@example.com');
    await tokens.token(delegated);
    expect(await store.get(delegated.key)).toMatchObject({
      scopes: ['a'],
      subject: 'ann@example.com',
    });
  });

  it('reads a token another instance stored, and keeps it here', async () => {
    const store = new CountingStore();
    const peer = pipeline(new CountingSource(), store);
    await peer.tokens.token(request);
    const source = new CountingSource();
    const { tokens } = pipeline(source, store);
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    await tokens.token(request);
    expect(source.mints).toBe(0);
    expect(store.gets).toBe(2); // the peer's miss, and this one's first call
  });

  it('does not read a token with less than the margin left from the store', async () => {
    const store = new MemoryTokenStore();
    await writeAsPeer(store, 'ya29.old', MARGIN_MS - 1_000);
    const source = new CountingSource();
    const { tokens } = pipeline(source, store);
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
  });

  it('uses a fresh token that arrives with less than the margin left for half of that', async () => {
    const source = new CountingSource();
    source.lifetimeMs = 2_000; // less than the 300 s margin, as a metadata server's "expires_in: 280"
    const { tokens } = pipeline(source, new MemoryTokenStore());
    for (let i = 0; i < 20; i++) await tokens.token(request);
    expect(source.mints).toBe(1);
    await sleep(1_200); // past half of the 2 s it had
    await tokens.token(request);
    expect(source.mints).toBe(2);
  });

  it('gives a mint failure to every waiter and tries again on the next call', async () => {
    const source = new CountingSource();
    source.failWith = new Error('refused');
    const { tokens } = pipeline(source, new MemoryTokenStore());
    const callers = Array.from({ length: 10 }, () => tokens.token(request));
    for (const caller of callers) await expect(caller).rejects.toThrow('refused');
    expect(source.mints).toBe(1);
    source.failWith = undefined;
    await expect(tokens.token(request)).resolves.toMatchObject({ accessToken: 'ya29.t2' });
  });

  it('drops a refused token here and in the store, but not a newer one', async () => {
    const source = new CountingSource();
    const store = new MemoryTokenStore();
    const { tokens } = pipeline(source, store);
    await tokens.token(request);
    await tokens.invalidate(request, 'ya29.other');
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    await tokens.invalidate(request, 'ya29.t1');
    expect(tokens.cached(request)).toBeUndefined();
    expect(await store.get(request.key)).toBeUndefined();
    expect((await tokens.token(request)).accessToken).toBe('ya29.t2');
  });

  it('shares one slot per key between sources over one local cache', async () => {
    const local = new LocalTokenCache(10);
    const first = new CountingSource();
    const second = new CountingSource();
    const a = pipeline(first, new MemoryTokenStore(), { local });
    const b = pipeline(second, new MemoryTokenStore(), { local });
    const [x, y] = await Promise.all([a.tokens.token(request), b.tokens.token(request)]);
    expect(y).toBe(x);
    expect(first.mints + second.mints).toBe(1);
  });

  it('holds at most maxEntries keys; a key pushed out is read from the store again', async () => {
    const source = new CountingSource();
    const store = new CountingStore();
    const { tokens, local } = pipeline(source, store, { local: new LocalTokenCache(1) });
    await tokens.token(request);
    await tokens.token(other);
    expect(local.size).toBe(1);
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    expect(source.mints).toBe(2);
    expect(store.gets).toBe(3);
  });

  describe('with a store that locks', () => {
    it('takes the lock, mints and releases it', async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      const { tokens } = pipeline(source, store);
      await tokens.token(request);
      await tokens.invalidate(request, 'ya29.t1');
      await tokens.token(request);
      expect(store.locks).toBe(2);
      expect(source.mints).toBe(2);
    });

    it('waits for the holder and uses what it wrote, without minting', async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      store.heldElsewhere = true;
      const { tokens } = pipeline(source, store);
      const pending = tokens.token(request);
      await sleep(60);
      await writeAsPeer(store, 'ya29.peer');
      expect((await pending).accessToken).toBe('ya29.peer');
      expect(source.mints).toBe(0);
    });

    it("takes the holder's fresh token even with less than the margin left", async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      store.heldElsewhere = true;
      const { tokens } = pipeline(source, store, { lockTtlMs: 5_000 });
      const started = performance.now();
      const pending = tokens.token(request);
      await sleep(60);
      await writeAsPeer(store, 'ya29.short', 200_000); // the metadata server's own token, near its end
      expect((await pending).accessToken).toBe('ya29.short');
      expect(performance.now() - started).toBeLessThan(2_000); // not the lock's 5 s TTL
      expect(source.mints).toBe(0);
    });

    it('mints after the lock TTL when the holder never writes', async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      store.heldElsewhere = true;
      const { tokens } = pipeline(source, store);
      const started = performance.now();
      setTimeout(() => (store.heldElsewhere = false), 1_000); // the dead holder's lock expires
      expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(source.mints).toBe(1);
    });

    describe('whose lock answers after the store timeout', () => {
      it('waits for the answer: granted late, this process mints once and releases', async () => {
        const source = new CountingSource();
        const store = new LockingStore();
        store.lockDelayMs = 150;
        const { tokens } = pipeline(source, store, { timeoutMs: 50 });
        expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
        expect(source.mints).toBe(1);
        expect(store.locks).toBe(1);
        await tokens.invalidate(request, 'ya29.t1');
        await tokens.token(request); // the lock was released: taken again
        expect(store.locks).toBe(2);
        expect(warn).not.toHaveBeenCalled(); // slow is not down
      });

      it('waits for the answer: held elsewhere, it reads what the holder writes, no mint', async () => {
        const source = new CountingSource();
        const store = new LockingStore();
        store.lockDelayMs = 150;
        store.heldElsewhere = true;
        const { tokens } = pipeline(source, store, { timeoutMs: 50 });
        const pending = tokens.token(request);
        await sleep(300);
        await writeAsPeer(store, 'ya29.peer');
        expect((await pending).accessToken).toBe('ya29.peer');
        expect(source.mints).toBe(0);
      });

      it('past the wait, re-reads then mints, and frees a lock granted even later', async () => {
        let released = 0;
        let grant: (lock: TokenStoreLock) => void = () => undefined;
        const store: TokenStore = Object.assign(new MemoryTokenStore(), {
          lock: () =>
            new Promise<TokenStoreLock>((resolve) => {
              grant = resolve;
            }),
        });
        const source = new CountingSource();
        const { tokens } = pipeline(source, store, { timeoutMs: 50, slowLockWaitMs: 200 });
        const started = performance.now();
        expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
        expect(performance.now() - started).toBeGreaterThanOrEqual(240);
        expect(warn).toHaveBeenCalledTimes(1);
        grant({ release: async () => void released++ });
        await sleep(20);
        expect(released).toBe(1);
      });
    });
  });

  describe('with a store that is down', () => {
    function downStore() {
      const inner = new MemoryTokenStore();
      const state = { down: false, locks: 0 };
      const store: TokenStore = {
        get: (k) => (state.down ? Promise.reject(new Error('ECONNREFUSED')) : inner.get(k)),
        set: (k, t) =>
          state.down ? Promise.reject(new Error(`cannot store ${t.accessToken}`)) : inner.set(k, t),
        delete: (k) => (state.down ? Promise.reject(new Error('down')) : inner.delete(k)),
        lock: async () => {
          state.locks++;
          if (state.down) throw new Error('ECONNREFUSED');
          return { release: async () => undefined };
        },
      };
      return { store, inner, state };
    }

    it('a key held here costs no mint; a new key one mint, for 20 calls each', async () => {
      const { store, state } = downStore();
      const source = new CountingSource();
      const { tokens } = pipeline(source, store);
      await tokens.token(request);
      expect(source.mints).toBe(1);
      state.down = true;
      for (let i = 0; i < 20; i++)
        expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
      expect(source.mints).toBe(1);
      const together = await Promise.all(Array.from({ length: 10 }, () => tokens.token(other)));
      for (let i = 0; i < 10; i++) await tokens.token(other);
      expect(new Set(together.map((t) => t.accessToken))).toEqual(new Set(['ya29.t2']));
      expect(source.mints).toBe(2);
    });

    it('warns once without the token, skips the lock, and shares through the store again after', async () => {
      const { store, inner, state } = downStore();
      const source = new CountingSource();
      const { tokens } = pipeline(source, store);
      state.down = true;
      await tokens.token(request);
      await tokens.token(other);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/token store get failed .*ECONNREFUSED/);
      expect(String(warn.mock.calls[0]![0])).not.toContain('ya29.');
      expect(state.locks).toBe(0); // no lock tried during the outage

      state.down = false;
      const third = tokenRequest(EMAIL, ['c']);
      const token = await tokens.token(third);
      expect((await inner.get(third.key))?.accessToken).toBe(token.accessToken);
      expect(log).toHaveBeenCalledWith(expect.stringContaining('answering again'));
      expect(source.mints).toBe(3);
    });

    it('writes what it minted during the outage once the store answers again, minting nothing', async () => {
      const { store, inner, state } = downStore();
      const source = new CountingSource();
      const { tokens } = pipeline(source, store);
      state.down = true;
      const minted = await tokens.token(request);
      await sleep(250); // two tries, both refused
      expect(await inner.get(request.key)).toBeUndefined();
      state.down = false;
      await sleep(250);
      expect((await inner.get(request.key))?.accessToken).toBe(minted.accessToken);
      expect(log).toHaveBeenCalledWith(expect.stringContaining('answering again'));
      expect(source.mints).toBe(1);
    });

    it('stops offering them to the store once closed (the app shut down)', async () => {
      const { store, state } = downStore();
      let writes = 0;
      const counted: TokenStore = { ...store, set: (k, t) => (writes++, store.set(k, t)) };
      const source = new CountingSource();
      const guarded = new GuardedTokenStore(counted, 200);
      const shared = new StoreTokenSource(source, guarded, {
        refreshMarginMs: MARGIN_MS,
        lockTtlMs: 1_000,
        slowLockWaitMs: 1_000,
        shareRetryMs: 50,
      });
      state.down = true;
      await shared.token(request);
      await sleep(120);
      expect(writes).toBeGreaterThanOrEqual(2); // the mint's write, and at least one more try
      shared.close();
      const after = writes;
      await sleep(200);
      expect(writes).toBe(after);
    });

    it('skips a store that does not answer in time', async () => {
      const hanging: TokenStore = {
        get: () => new Promise(() => undefined),
        set: () => new Promise(() => undefined),
        delete: () => new Promise(() => undefined),
      };
      const source = new CountingSource();
      const { tokens } = pipeline(source, hanging, { timeoutMs: 50 });
      const started = performance.now();
      expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
      expect(performance.now() - started).toBeLessThan(2_000);
      for (let i = 0; i < 5; i++) await tokens.token(request);
      expect(source.mints).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
    });
  });
});
