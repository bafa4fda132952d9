import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  MemoryTokenStore,
  type StoredToken,
  type TokenStore,
  type TokenStoreLock,
} from 'nestjs-google-oauth2';
import { CachedTokenSource } from '../../../lib/service-account/cached-token-source.js';
import { GuardedTokenStore } from '../../../lib/service-account/guarded-token-store.js';
import { tokenCacheKey } from '../../../lib/service-account/token-cache-key.js';
import type {
  MintedToken,
  TokenRequest,
  TokenSource,
} from '../../../lib/service-account/token-source.js';

/** A minting source that counts its mints; the real ones are tested against the emulator. */
class CountingSource implements TokenSource {
  mints = 0;
  lifetimeMs = 3_600_000;
  failWith?: Error;
  delayMs = 5;
  async serviceAccountEmail() {
    return 'svc@p.iam.gserviceaccount.com';
  }
  async mint(): Promise<MintedToken> {
    this.mints++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    return { accessToken: `ya29.t${this.mints}`, expiresAt: Date.now() + this.lifetimeMs };
  }
}

/** A store whose lock another instance may be holding: `heldElsewhere` simulates that peer. */
class LockingStore extends MemoryTokenStore {
  heldElsewhere = false;
  locks = 0;
  private held = new Set<string>();
  async lock(key: string): Promise<TokenStoreLock | null> {
    if (this.heldElsewhere || this.held.has(key)) return null;
    this.locks++;
    this.held.add(key);
    return { release: async () => void this.held.delete(key) };
  }
}

const request: TokenRequest = { scopes: ['https://www.googleapis.com/auth/drive'] };
const options = { refreshMarginMs: 300_000, lockTtlMs: 1_000 };

function cached(source: TokenSource, store: TokenStore, timeoutMs = 200) {
  return new CachedTokenSource(source, new GuardedTokenStore(store, timeoutMs), options);
}

describe('CachedTokenSource', () => {
  it('mints once for concurrent callers, then serves from the store', async () => {
    const source = new CountingSource();
    const tokens = cached(source, new MemoryTokenStore());
    const results = await Promise.all(Array.from({ length: 200 }, () => tokens.token(request)));
    expect(new Set(results.map((t) => t.accessToken))).toEqual(new Set(['ya29.t1']));
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    expect(source.mints).toBe(1);
  });

  it('stores the scopes and the subject with the token', async () => {
    const store = new MemoryTokenStore();
    const tokens = cached(new CountingSource(), store);
    const token = await tokens.token({ scopes: ['a'], subject: 'ann@example.com' });
    expect(token).toMatchObject({ scopes: ['a'], subject: 'ann@example.com' });
  });

  it('never hands out a token with less than the margin left', async () => {
    const source = new CountingSource();
    source.lifetimeMs = options.refreshMarginMs + 50;
    const tokens = cached(source, new MemoryTokenStore());
    await tokens.token(request);
    await tokens.token(request);
    expect(source.mints).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect((await tokens.token(request)).accessToken).toBe('ya29.t2');
  });

  it('gives a mint failure to every waiter and tries again on the next call', async () => {
    const source = new CountingSource();
    source.failWith = new Error('refused');
    const tokens = cached(source, new MemoryTokenStore());
    const callers = Array.from({ length: 10 }, () => tokens.token(request));
    for (const caller of callers) await expect(caller).rejects.toThrow('refused');
    expect(source.mints).toBe(1);
    source.failWith = undefined;
    await expect(tokens.token(request)).resolves.toMatchObject({ accessToken: 'ya29.t2' });
  });

  it('drops a refused token, but not a newer one', async () => {
    const source = new CountingSource();
    const tokens = cached(source, new MemoryTokenStore());
    await tokens.token(request);
    await tokens.invalidate(request, 'ya29.other');
    expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
    await tokens.invalidate(request, 'ya29.t1');
    expect((await tokens.token(request)).accessToken).toBe('ya29.t2');
  });

  describe('with a store that locks', () => {
    it('takes the lock, mints and releases it', async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      const tokens = cached(source, store);
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
      const tokens = cached(source, store);
      const pending = tokens.token(request);
      await new Promise((r) => setTimeout(r, 60));
      const written: StoredToken = {
        accessToken: 'ya29.peer',
        expiresAt: Date.now() + 3_600_000,
        scopes: request.scopes,
      };
      await store.set(tokenCacheKey('svc@p.iam.gserviceaccount.com', request), written);
      expect((await pending).accessToken).toBe('ya29.peer');
      expect(source.mints).toBe(0);
    });

    it('mints after the lock TTL when the holder never writes', async () => {
      const source = new CountingSource();
      const store = new LockingStore();
      store.heldElsewhere = true;
      const tokens = cached(source, store);
      const started = performance.now();
      setTimeout(() => (store.heldElsewhere = false), options.lockTtlMs); // the dead holder's lock expires
      expect((await tokens.token(request)).accessToken).toBe('ya29.t1');
      expect(performance.now() - started).toBeGreaterThanOrEqual(options.lockTtlMs - 50);
      expect(source.mints).toBe(1);
    });
  });

  describe('with a store that is down', () => {
    it('mints directly, warns once per outage without the token, and uses the store again after', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      try {
        const inner = new MemoryTokenStore();
        let down = true;
        const store: TokenStore = {
          get: (k) => (down ? Promise.reject(new Error('ECONNREFUSED')) : inner.get(k)),
          set: (k, t) =>
            down ? Promise.reject(new Error(`cannot store ${t.accessToken}`)) : inner.set(k, t),
          delete: (k) => (down ? Promise.reject(new Error('down')) : inner.delete(k)),
        };
        const source = new CountingSource();
        const tokens = cached(source, store);
        const first = await tokens.token(request);
        const second = await tokens.token(request);
        expect([first.accessToken, second.accessToken]).toEqual(['ya29.t1', 'ya29.t2']);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).not.toContain('ya29.');

        down = false;
        await tokens.token(request); // miss: mints t3 and stores it
        expect((await tokens.token(request)).accessToken).toBe('ya29.t3');
        expect(source.mints).toBe(3);
        expect(log).toHaveBeenCalledWith(expect.stringContaining('answering again'));
      } finally {
        warn.mockRestore();
        log.mockRestore();
      }
    });

    it('frees a lock that is granted only after the guard gave up on it', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        let released = 0;
        const slowLock: TokenStore = Object.assign(new MemoryTokenStore(), {
          lock: () =>
            new Promise<TokenStoreLock>((resolve) =>
              setTimeout(() => resolve({ release: async () => void released++ }), 150),
            ),
        });
        const token = await cached(new CountingSource(), slowLock, 50).token(request);
        expect(token.accessToken).toBe('ya29.t1');
        expect(released).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
        expect(released).toBe(1);
      } finally {
        warn.mockRestore();
      }
    });

    it('skips a store that does not answer in time', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        const hanging: TokenStore = {
          get: () => new Promise(() => undefined),
          set: () => new Promise(() => undefined),
          delete: () => new Promise(() => undefined),
        };
        const started = performance.now();
        const token = await cached(new CountingSource(), hanging, 50).token(request);
        expect(token.accessToken).toBe('ya29.t1');
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(warn).toHaveBeenCalledTimes(1);
      } finally {
        warn.mockRestore();
      }
    });
  });
});
