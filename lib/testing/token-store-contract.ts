import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { StoredToken, TokenStore, TokenStoreLock } from '../stores/token-store.js';

/** Options of {@link tokenStoreContract}. */
export interface TokenStoreContractOptions {
  /**
   * The store offers `lock()`: run the lock cases. When false (the default) the suite checks
   * that the store has no `lock` at all, since the module uses any `lock` it finds.
   */
  supportsLock?: boolean;
  /** Called after each case with the store it used (close clients, clear data). */
  cleanup?: (store: TokenStore) => void | Promise<void>;
  /**
   * Per-case timeout in milliseconds, handed to `it()` (Jest, Vitest). Default 15000. Some cases
   * wait for real expiries of 1–2 s: under Mocha, raise its own timeout (`--timeout 15000`).
   */
  timeoutMs?: number;
}

type Body = () => void | Promise<void>;

/** The test functions every common runner defines as globals (Jest, Vitest globals, Mocha). */
interface TestGlobals {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Body, timeout?: number): void;
  beforeEach(fn: Body): void;
  afterEach(fn: Body): void;
}

/**
 * The suite every `TokenStore` must pass, for your own store as for the library's:
 *
 * ```ts
 * import { tokenStoreContract } from 'nestjs-google-oauth2/testing';
 * tokenStoreContract('MyRedisStore', () => new MyRedisStore(client), { supportsLock: true });
 * ```
 *
 * It declares a `describe` block with the runner's global `describe`/`it`/`beforeEach`/
 * `afterEach` and asserts with `node:assert`, so it runs under Jest, Vitest (globals on) or
 * Mocha. `makeStore` is called before each case; the cases use random keys, so a store on a
 * shared server needs no clearing between them. Several cases wait for real expiries (1–2 s).
 */
export function tokenStoreContract(
  name: string,
  makeStore: () => TokenStore | Promise<TokenStore>,
  options: TokenStoreContractOptions = {},
): void {
  const { describe, it, beforeEach, afterEach } = testGlobals();
  const timeout = options.timeoutMs ?? 15_000;
  const run = randomBytes(6).toString('base64url');
  let counter = 0;
  /** A key shaped like the library's (`sa-token:v1:<hash>`), unique to this run and case. */
  const newKey = (): string => `sa-token:v1:contract-${run}-${++counter}`;

  let current: TokenStore | undefined;
  const store = (): TokenStore => {
    if (!current) throw new Error('tokenStoreContract: the store was not made');
    return current;
  };
  const test = (title: string, body: (s: TokenStore) => Promise<void>): void =>
    it(title, () => body(store()), timeout);

  describe(`${name} satisfies the TokenStore contract`, () => {
    beforeEach(async () => {
      current = await makeStore();
      assert.ok(current, 'makeStore() returned no store');
    });
    afterEach(async () => {
      const used = current;
      current = undefined;
      if (used) await options.cleanup?.(used);
    });

    describe('get / set / delete', () => {
      test('returns what was set, every field (with a subject)', async (s) => {
        const key = newKey();
        const token = makeToken({ subject: 'user@example.com' });
        await s.set(key, token);
        assert.deepStrictEqual(plain(await s.get(key)), token);
      });

      test('returns what was set without a subject, and adds none', async (s) => {
        const key = newKey();
        const token = makeToken();
        await s.set(key, token);
        const got = await s.get(key);
        assert.deepStrictEqual(plain(got), token);
        assert.equal(got?.subject, undefined);
      });

      test('keeps the scopes in their order and the expiry to the millisecond', async (s) => {
        const key = newKey();
        const scopes = [
          'https://www.googleapis.com/auth/admin.directory.user.readonly',
          'https://www.googleapis.com/auth/cloud-platform',
          'https://www.googleapis.com/auth/drive',
        ];
        const token = makeToken({ scopes, expiresAt: Date.now() + 3_599_123 });
        await s.set(key, token);
        const got = await s.get(key);
        assert.deepStrictEqual(got?.scopes, scopes);
        assert.equal(got?.expiresAt, token.expiresAt);
      });

      test('returns an ID token as set: a JWT in accessToken, no scopes, no subject', async (s) => {
        // How the factory keeps a service account's ID token (see StoredToken): an empty
        // scope list must come back as one, not as a miss or a missing field.
        const key = `sa-id-token:v1:${randomBytes(32).toString('base64url')}`;
        const jwt = [
          { alg: 'RS256', kid: 'contract', typ: 'JWT' },
          { aud: 'https://receiver.example.com', exp: Math.floor(Date.now() / 1000) + 3600 },
        ]
          .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
          .concat(randomBytes(256).toString('base64url'))
          .join('.');
        const token = makeToken({ accessToken: jwt, scopes: [] });
        await s.set(key, token);
        const got = await s.get(key);
        assert.deepStrictEqual(plain(got), token);
        assert.deepStrictEqual(got?.scopes, []);
        assert.equal(got?.subject, undefined);
      });

      test('misses a key that was never set', async (s) => {
        assert.equal(await s.get(newKey()), undefined);
      });

      test('deletes, and deleting an absent key is fine', async (s) => {
        const key = newKey();
        await s.set(key, makeToken());
        await s.delete(key);
        assert.equal(await s.get(key), undefined);
        await s.delete(key);
        await s.delete(newKey());
      });

      test('overwrites a key with the newer token', async (s) => {
        const key = newKey();
        await s.set(key, makeToken());
        const newer = makeToken({ subject: 'other@example.com' });
        await s.set(key, newer);
        assert.deepStrictEqual(plain(await s.get(key)), newer);
      });

      test('keeps keys apart', async (s) => {
        const [a, b] = [newKey(), newKey()];
        const [tokenA, tokenB] = [makeToken(), makeToken({ subject: 'b@example.com' })];
        await s.set(a, tokenA);
        await s.set(b, tokenB);
        assert.deepStrictEqual(plain(await s.get(a)), tokenA);
        assert.deepStrictEqual(plain(await s.get(b)), tokenB);
        await s.delete(a);
        assert.equal(await s.get(a), undefined);
        assert.deepStrictEqual(plain(await s.get(b)), tokenB);
      });

      test('keeps its own copy: changing the objects handed in or out changes nothing stored', async (s) => {
        const key = newKey();
        const token = makeToken();
        const expected = { ...token, scopes: [...token.scopes] };
        await s.set(key, token);
        token.accessToken = 'changed';
        token.scopes.push('changed');
        const got = await s.get(key);
        assert.deepStrictEqual(plain(got), expected);
        got!.scopes.push('changed again');
        assert.deepStrictEqual(plain(await s.get(key)), expected);
      });
    });

    describe('expiry', () => {
      test('never returns a token that expired before it was set', async (s) => {
        const key = newKey();
        await s.set(key, makeToken({ expiresAt: Date.now() - 1000 }));
        assert.equal(await s.get(key), undefined);
      });

      test('an expired token set over a live one leaves nothing to read', async (s) => {
        const key = newKey();
        await s.set(key, makeToken());
        await s.set(key, makeToken({ expiresAt: Date.now() - 1 }));
        assert.equal(await s.get(key), undefined);
      });

      test('stops returning a token once its expiresAt has passed', async (s) => {
        const key = newKey();
        const token = makeToken({ expiresAt: Date.now() + 1500 });
        await s.set(key, token);
        assert.deepStrictEqual(plain(await s.get(key)), token);
        await sleep(token.expiresAt - Date.now() + 100);
        assert.equal(await s.get(key), undefined);
      });

      test('keeps a short-lived token until it expires, not past it', async (s) => {
        const key = newKey();
        const token = makeToken({ expiresAt: Date.now() + 2500 });
        await s.set(key, token);
        await sleep(1200);
        assert.deepStrictEqual(plain(await s.get(key)), token);
        await sleep(token.expiresAt - Date.now() + 100);
        assert.equal(await s.get(key), undefined);
      });
    });

    describe('concurrency', () => {
      test('concurrent sets on one key leave one of the tokens, intact', async (s) => {
        const key = newKey();
        const tokens = Array.from({ length: 20 }, (_, i) =>
          makeToken({ subject: `user${i}@example.com` }),
        );
        await Promise.all(tokens.map((token) => s.set(key, token)));
        const got = plain(await s.get(key));
        assert.ok(got, 'nothing was kept');
        assert.ok(
          tokens.some((token) => isDeepStrictEqual(token, got)),
          'the token read back is none of those set (a mix of two?)',
        );
      });

      test('concurrent sets and gets on distinct keys do not mix', async (s) => {
        const entries = Array.from({ length: 50 }, (_, i) => ({
          key: newKey(),
          token: makeToken({ subject: `user${i}@example.com` }),
        }));
        await Promise.all(entries.map(({ key, token }) => s.set(key, token)));
        const got = await Promise.all(entries.map(({ key }) => s.get(key)));
        got.forEach((token, i) => assert.deepStrictEqual(plain(token), entries[i]!.token));
      });
    });

    if (!options.supportsLock) {
      test('has no lock (supportsLock is false)', async (s) => {
        assert.equal(s.lock, undefined, 'the store has lock(): pass { supportsLock: true }');
      });
      return;
    }

    describe('lock', () => {
      const lockOf = (s: TokenStore): NonNullable<TokenStore['lock']> => {
        assert.equal(typeof s.lock, 'function', 'supportsLock is true but the store has no lock()');
        return s.lock!.bind(s);
      };

      test('a held lock is refused to a second taker; after release it can be taken again', async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        const first = await lock(key, 10_000);
        assert.ok(first, 'the first lock was refused');
        assert.equal(await lock(key, 10_000), null);
        await first.release();
        const again = await lock(key, 10_000);
        assert.ok(again, 'the lock was refused after its release');
        await again.release();
      });

      test('of many concurrent takers exactly one gets the lock', async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        const results = await Promise.all(Array.from({ length: 10 }, () => lock(key, 10_000)));
        const held = results.filter((result): result is TokenStoreLock => result !== null);
        assert.equal(held.length, 1);
        await held[0]!.release();
      });

      test('locks on different keys are independent', async (s) => {
        const lock = lockOf(s);
        const [a, b] = [newKey(), newKey()];
        const lockA = await lock(a, 10_000);
        const lockB = await lock(b, 10_000);
        assert.ok(lockA && lockB);
        await lockA.release();
        await lockB.release();
      });

      test('a lock expires after its TTL', async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        assert.ok(await lock(key, 1000));
        assert.equal(await lock(key, 1000), null);
        await sleep(1300);
        const later = await lock(key, 10_000);
        assert.ok(later, 'the lock was still held after its TTL');
        await later.release();
      });

      test("a late release by the expired holder does not free the next holder's lock", async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        const stale = await lock(key, 1000);
        assert.ok(stale);
        await sleep(1300);
        const next = await lock(key, 10_000);
        assert.ok(next, 'the expired lock could not be taken over');
        await stale.release();
        assert.equal(await lock(key, 10_000), null, "the stale holder freed the new holder's lock");
        await next.release();
        const after = await lock(key, 10_000);
        assert.ok(after, 'the lock was refused after its owner released it');
        await after.release();
      });

      test('releasing twice is harmless', async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        const held = await lock(key, 10_000);
        assert.ok(held);
        await held.release();
        const next = await lock(key, 10_000);
        assert.ok(next);
        await held.release();
        assert.equal(await lock(key, 10_000), null, 'a second release freed the next holder');
        await next.release();
      });

      test('the lock and the token of one key do not touch each other', async (s) => {
        const lock = lockOf(s);
        const key = newKey();
        const held = await lock(key, 10_000);
        assert.ok(held);
        const token = makeToken();
        await s.set(key, token);
        assert.deepStrictEqual(plain(await s.get(key)), token);
        await s.delete(key);
        assert.equal(await lock(key, 10_000), null, 'deleting the token freed the lock');
        await s.set(key, token);
        await held.release();
        assert.deepStrictEqual(plain(await s.get(key)), token, 'releasing the lock lost the token');
      });
    });
  });
}

function testGlobals(): TestGlobals {
  const scope = globalThis as unknown as Partial<TestGlobals>;
  const names = ['describe', 'it', 'beforeEach', 'afterEach'] as const;
  const missing = names.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `tokenStoreContract needs the test runner's globals (${missing.join(', ')} missing): ` +
        'call it in a test file of Jest, Mocha, or Vitest with globals: true',
    );
  }
  return scope as TestGlobals;
}

let tokenCounter = 0;

function makeToken(overrides: Partial<StoredToken> = {}): StoredToken {
  const token: StoredToken = {
    accessToken: `ya29.contract-${randomBytes(12).toString('base64url')}-${++tokenCounter}`,
    expiresAt: Date.now() + 3_600_000,
    scopes: [
      'https://www.googleapis.com/auth/cloud-platform',
      'https://www.googleapis.com/auth/userinfo.email',
    ],
    ...overrides,
  };
  if (token.subject === undefined) delete token.subject;
  return token;
}

/** The token's own fields as a plain object, so that a class instance or extra field shows. */
function plain(token: StoredToken | undefined): StoredToken | undefined {
  if (token === undefined) return undefined;
  const copy: Record<string, unknown> = { ...token };
  if (copy.subject === undefined) delete copy.subject;
  return copy as unknown as StoredToken;
}
