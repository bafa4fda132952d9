import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  authenticated,
  invalid,
  verifiedUser,
  type TokenVerification,
} from '../../../lib/endpoints/token-verification.js';
import { callerTokenKey, VerificationCache } from '../../../lib/endpoints/verification-cache.js';
import { startTimeTravel } from '../../support/time-travel.js';

function cache(options: Partial<ConstructorParameters<typeof VerificationCache>[0]> = {}) {
  return new VerificationCache({
    maxValid: 10,
    maxInvalid: 10,
    validForMs: 300_000,
    invalidForMs: 30_000,
    ...options,
  });
}

/** A valid result for a token that expires in `ms`. */
const valid = (ms = 3_600_000): TokenVerification =>
  authenticated(
    verifiedUser({
      tokenType: 'access_token',
      email: 'alice@example.com',
      emailVerified: true,
      userId: '42',
      clientId: 'web',
      scopes: ['openid'],
      expiresAt: Date.now() + ms,
    }),
  );

const checker = (result: () => TokenVerification) => jest.fn(async (_token: string) => result());

describe('VerificationCache', () => {
  let travel: ReturnType<typeof startTimeTravel> | undefined;
  afterEach(() => {
    travel?.stop();
    travel = undefined;
  });

  it('keys by a SHA-256 of the token, never the token', async () => {
    const c = cache();
    const token = 'ya29.secret-token';
    await c.get(
      token,
      checker(() => valid()),
    );
    expect(c.keys()).toEqual([callerTokenKey(token)]);
    expect(c.keys()[0]).not.toContain(token);
    expect(callerTokenKey(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('checks a token once while its result is fresh; a hit is the same object, at once', async () => {
    const c = cache();
    const check = checker(() => valid());
    const first = await c.get('t', check);
    for (let i = 0; i < 100; i++) expect(c.get('t', check)).toBe(first);
    expect(check).toHaveBeenCalledTimes(1);
    expect(c.peek('t')).toBe(first);
    expect(c.peek('other')).toBeUndefined();
  });

  it('shares one check among concurrent callers (single flight)', async () => {
    const c = cache();
    let release!: (r: TokenVerification) => void;
    const check = jest.fn(
      (_token: string) => new Promise<TokenVerification>((resolve) => (release = resolve)),
    );
    const waiting = Array.from({ length: 50 }, () => c.get('t', check));
    expect(check).toHaveBeenCalledTimes(1);
    release(valid());
    const results = await Promise.all(waiting);
    expect(new Set(results).size).toBe(1);
  });

  it('does not keep a check that throws, and shares the error with the waiters', async () => {
    const c = cache();
    const failing = jest.fn(async (_token: string): Promise<TokenVerification> => {
      throw new Error('google is down');
    });
    const both = [c.get('t', failing), c.get('t', failing)];
    for (const p of both) await expect(p).rejects.toThrow('google is down');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(c.has('t')).toBe(false);
    const check = checker(() => valid());
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('trusts a valid result for validForMs at most, then checks again', async () => {
    travel = startTimeTravel();
    const c = cache({ validForMs: 60_000 });
    const check = checker(() => valid());
    await c.get('t', check);
    travel.jump(59_999);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(1);
    travel.jump(2);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('never keeps a valid result past the token’s expiry', async () => {
    travel = startTimeTravel();
    const c = cache({ validForMs: 300_000 });
    const check = checker(() => valid(1_000));
    await c.get('t', check);
    travel.jump(1_001);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('remembers an invalid token for invalidForMs, as one shared answer', async () => {
    travel = startTimeTravel();
    const c = cache({ invalidForMs: 30_000 });
    const check = checker(() => invalid('tokeninfo: invalid_token'));
    expect(await c.get('t', check)).toEqual({
      status: 'invalid',
      reason: 'tokeninfo: invalid_token',
    });
    const again = c.get('t', check);
    expect(again).toEqual({ status: 'invalid', reason: 'remembered as invalid' });
    expect(
      c.get(
        'u',
        checker(() => invalid('x')),
      ),
    ).not.toBe(again); // u is not known yet
    travel.jump(30_001);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('keeps a valid token without the email scope until it expires, on the valid side', async () => {
    const c = cache();
    const noEmail: TokenVerification = {
      status: 'insufficient_scope',
      scope: 'https://www.googleapis.com/auth/userinfo.email',
      expiresAt: Date.now() + 60_000,
    };
    await c.get(
      't',
      checker(() => noEmail),
    );
    expect(c.peek('t')).toBe(noEmail);
    expect(c.validSize).toBe(1);
  });

  it('does not keep a result that is already stale', async () => {
    const c = cache();
    const check = checker(() => valid(-1));
    await c.get('t', check);
    await c.get('t', check);
    expect(check).toHaveBeenCalledTimes(2);
    expect(c.validSize).toBe(0);
  });

  it('junk never pushes a known caller out: invalid tokens are kept apart', async () => {
    const c = cache({ maxValid: 2, maxInvalid: 3 });
    await c.get(
      'known',
      checker(() => valid()),
    );
    for (let i = 0; i < 1000; i++)
      await c.get(
        `junk-${i}`,
        checker(() => invalid('junk')),
      );
    expect(c.has('known')).toBe(true);
    expect(c.validSize).toBe(1);
    expect(c.invalidSize).toBe(3);
    expect(c.has('junk-999')).toBe(true);
    expect(c.has('junk-996')).toBe(false); // the oldest junk goes first
  });

  it('is bounded: an entry read since the last sweep gets a second chance', async () => {
    const c = cache({ maxValid: 3 });
    await c.get(
      'a',
      checker(() => valid()),
    );
    await c.get(
      'b',
      checker(() => valid()),
    );
    await c.get(
      'c',
      checker(() => valid()),
    );
    c.get(
      'a',
      checker(() => valid()),
    ); // a hit marks a; nothing moves
    await c.get(
      'd',
      checker(() => valid()),
    );
    expect(c.validSize).toBe(3);
    expect(c.has('b')).toBe(false); // the oldest not read since: b
    expect(c.has('a')).toBe(true);
    expect(c.has('c')).toBe(true);
    expect(c.has('d')).toBe(true);
  });

  it('when every entry was read, the oldest goes after one sweep', async () => {
    const c = cache({ maxValid: 3 });
    for (const t of ['a', 'b', 'c'])
      await c.get(
        t,
        checker(() => valid()),
      );
    for (const t of ['a', 'b', 'c'])
      c.get(
        t,
        checker(() => valid()),
      );
    await c.get(
      'd',
      checker(() => valid()),
    );
    expect(['a', 'b', 'c', 'd'].filter((t) => c.has(t))).toEqual(['b', 'c', 'd']);
  });

  describe('a token the same connection sent last time', () => {
    it('is recognised from the connection, and trusted no longer than the cache trusts it', async () => {
      travel = startTimeTravel();
      const c = cache({ validForMs: 60_000 });
      const socket = {};
      const first = await c.get(
        't',
        checker(() => valid()),
      );
      expect(c.peek('t', socket)).toBe(first); // looked up, then remembered by the connection
      expect(c.peek('t', socket)).toBe(first); // recognised
      expect(c.peek('u', socket)).toBeUndefined(); // another token: looked up, not known
      expect(c.peek('t', socket)).toBe(first);
      travel.jump(60_001);
      expect(c.peek('t', socket)).toBeUndefined();
    });

    it('is forgotten with the entry: deleted, cleared or pushed out', async () => {
      const c = cache({ maxValid: 2 });
      const socket = {};
      await c.get(
        't',
        checker(() => valid()),
      );
      expect(c.peek('t', socket)).toBeDefined();
      c.delete('t');
      expect(c.peek('t', socket)).toBeUndefined();

      await c.get(
        't',
        checker(() => valid()),
      );
      expect(c.peek('t', socket)).toBeDefined();
      c.clear();
      expect(c.peek('t', socket)).toBeUndefined();

      await c.get(
        't',
        checker(() => valid()),
      );
      expect(c.peek('t', socket)).toBeDefined();
      await c.get(
        'a',
        checker(() => valid()),
      );
      await c.get(
        'a',
        checker(() => valid()),
      ); // a read: a is kept, t (not read since) goes
      c.get(
        'a',
        checker(() => valid()),
      );
      await c.get(
        'b',
        checker(() => valid()),
      );
      expect(c.has('t')).toBe(false);
      expect(c.peek('t', socket)).toBeUndefined();
    });

    it('a new result for the token replaces the one the connection remembers', async () => {
      travel = startTimeTravel();
      const c = cache({ validForMs: 1_000 });
      const socket = {};
      const first = await c.get(
        't',
        checker(() => valid()),
      );
      expect(c.peek('t', socket)).toBe(first);
      travel.jump(1_001);
      const second = await c.get(
        't',
        checker(() => valid()),
      );
      expect(second).not.toBe(first);
      expect(c.peek('t', socket)).toBe(second);
    });

    it('an invalid token is not remembered by the connection', async () => {
      const c = cache();
      const socket = {};
      await c.get(
        'junk',
        checker(() => invalid('x')),
      );
      expect(c.peek('junk', socket)).toEqual({
        status: 'invalid',
        reason: 'remembered as invalid',
      });
      expect(Object.getOwnPropertySymbols(socket)).toEqual([]);
    });
  });

  it('delete and clear forget results', async () => {
    const c = cache();
    await c.get(
      'a',
      checker(() => valid()),
    );
    await c.get(
      'b',
      checker(() => invalid('x')),
    );
    c.delete('a');
    expect(c.has('a')).toBe(false);
    c.clear();
    expect(c.validSize + c.invalidSize).toBe(0);
  });

  it('refuses a size below 1', () => {
    expect(() => cache({ maxValid: 0 })).toThrow(TypeError);
    expect(() => cache({ maxInvalid: 0 })).toThrow(TypeError);
  });
});
