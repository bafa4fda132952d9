import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { callerTokenKey, VerificationCache } from '../../../lib/endpoints/verification-cache.js';
import { startTimeTravel } from '../../support/time-travel.js';

interface Result {
  ok: boolean;
  until: number;
}

function cache(maxEntries = 10) {
  return new VerificationCache<Result>({ maxEntries, keepUntil: (result) => result.until });
}

const later = (ms: number): Result => ({ ok: true, until: Date.now() + ms });

describe('VerificationCache', () => {
  let travel: ReturnType<typeof startTimeTravel> | undefined;
  afterEach(() => {
    travel?.stop();
    travel = undefined;
  });

  it('keys by a SHA-256 of the token, never the token', async () => {
    const c = cache();
    const token = 'ya29.secret-token';
    await c.get(token, async () => later(60_000));
    expect(c.keys()).toEqual([callerTokenKey(token)]);
    expect(c.keys()[0]).not.toContain(token);
    expect(callerTokenKey(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('checks a token once while its result is fresh', async () => {
    const c = cache();
    const check = jest.fn(async () => later(60_000));
    for (let i = 0; i < 100; i++) await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('shares one check among concurrent callers (single flight)', async () => {
    const c = cache();
    let release!: (r: Result) => void;
    const check = jest.fn(() => new Promise<Result>((resolve) => (release = resolve)));
    const waiting = Array.from({ length: 50 }, () => c.get('t', check));
    expect(check).toHaveBeenCalledTimes(1);
    release(later(60_000));
    const results = await Promise.all(waiting);
    expect(new Set(results).size).toBe(1);
  });

  it('does not keep a check that throws, and shares the error with the waiters', async () => {
    const c = cache();
    const failing = jest.fn(async (): Promise<Result> => {
      throw new Error('google is down');
    });
    const both = [c.get('t', failing), c.get('t', failing)];
    for (const p of both) await expect(p).rejects.toThrow('google is down');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(c.has('t')).toBe(false);
    const check = jest.fn(async () => later(60_000));
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('checks again once the result is stale', async () => {
    travel = startTimeTravel();
    const c = cache();
    const check = jest.fn(async () => later(1_000));
    await c.get('t', check);
    travel.jump(999);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(1);
    travel.jump(2);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('does not keep a result that is already stale', async () => {
    const c = cache();
    const check = jest.fn(async () => ({ ok: false, until: Date.now() - 1 }));
    await c.get('t', check);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
    expect(c.size).toBe(0);
  });

  it('is bounded: the least recently used goes first', async () => {
    const c = cache(3);
    await c.get('a', async () => later(60_000));
    await c.get('b', async () => later(60_000));
    await c.get('c', async () => later(60_000));
    await c.get('a', async () => later(60_000)); // a is now the most recent
    await c.get('d', async () => later(60_000));
    expect(c.size).toBe(3);
    expect(c.has('b')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.has('c')).toBe(true);
    expect(c.has('d')).toBe(true);
  });

  it('delete and clear forget results', async () => {
    const c = cache();
    await c.get('a', async () => later(60_000));
    await c.get('b', async () => later(60_000));
    c.delete('a');
    expect(c.has('a')).toBe(false);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('refuses a size below 1', () => {
    expect(() => cache(0)).toThrow(TypeError);
  });
});
