/**
 * 5. Memory: heap retained per entry, measured as `heapUsed` after full GCs, before and after
 * filling a structure (needs `--expose-gc`, which `npm run bench` passes).
 * - `MemoryTokenStore` with 10,000 service-account tokens vs a plain `Map` of the same keys to
 *   `{ accessToken, expiresAt, scopes }` (what the store holds);
 * - the verification cache (`VerificationCache`, as `GoogleTokenVerifier` configures it) with
 *   10,000 checked tokens vs a plain `Map` from the same token hashes to one flat object with
 *   the same fields (who the caller is, the granted scopes, until when).
 * Both sides build the same strings (random tokens, parsed tokeninfo answers), so those count
 * alike. Then the bounds: fed 2× and 4× their bound, the store and the cache stay at it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { MemoryTokenStore, type StoredToken } from 'nestjs-google-oauth2';
import {
  INVALID_TOKEN_CACHE_MAX_ENTRIES,
  INVALID_TOKEN_CACHE_MS,
  VERIFICATION_CACHE_MAX_ENTRIES,
} from '../../lib/endpoints/endpoints.constants.js';
import { resolveEndpointsOptions } from '../../lib/endpoints/endpoints-options.js';
import { parseScopeList } from '../../lib/endpoints/scopes.js';
import {
  authenticated,
  invalid,
  verifiedUser,
  type TokenVerification,
  type VerifiedUser,
} from '../../lib/endpoints/token-verification.js';
import { callerTokenKey, VerificationCache } from '../../lib/endpoints/verification-cache.js';
import { DEFAULT_LOCAL_CACHE_MAX_ENTRIES } from '../../lib/oauth2.constants.js';
import { LocalTokenCache } from '../../lib/service-account/local-token-cache.js';
import { TokenRequestMemo } from '../../lib/service-account/token-request-memo.js';
import { tokenRequest } from '../../lib/service-account/token-source.js';
import { CLIENT_ID, CLOUD_PLATFORM, EMAIL_SCOPE } from '../fixtures.js';
import {
  check,
  comparisonTable,
  interleave,
  markdownTable,
  median,
  num,
  progress,
  ratio,
  type Scenario,
} from '../runner.js';

const ENTRIES = 10_000;
/** The local layer may add at most half again what a plain `Map` of the tokens holds. */
const LOCAL_LAYER_GOAL = 1.5;
/** `MemoryTokenStore`'s default `maxEntries` (lib/stores/memory-token-store.ts). */
const MEMORY_STORE_DEFAULT_MAX = 1000;

/** Holds what is being measured until its size has been read. */
let held: unknown;

function fullGc(): void {
  if (typeof gc !== 'function') throw new Error('the memory scenario needs node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
}

/** Heap bytes that `build()`'s result keeps alive. */
async function retained(build: () => Promise<unknown>): Promise<number> {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  held = await build();
  fullGc();
  const bytes = process.memoryUsage().heapUsed - before;
  check(held !== undefined, 'the structure was alive when measured');
  held = undefined;
  return bytes;
}

function accessToken(): string {
  return `ya29.${randomBytes(96).toString('base64url')}`;
}

/** A store key of the library's shape (`sa-token:v1:` and a SHA-256). */
function storeKey(i: number): string {
  return `sa-token:v1:${createHash('sha256').update(`bench-${i}`).digest('base64url')}`;
}

/** A minted token as `CachedTokenSource` hands it to the store. */
function mintedToken(): StoredToken {
  return {
    accessToken: accessToken(),
    expiresAt: Date.now() + 3_600_000,
    scopes: [CLOUD_PLATFORM],
  };
}

/** What the factory keeps per (scopes, user) in a process: the request as spelled, and the token. */
interface LocalLayer {
  memo: TokenRequestMemo;
  cache: LocalTokenCache;
  size: number;
}

function localLayer(maxEntries: number): LocalLayer {
  const cache = new LocalTokenCache(maxEntries);
  return {
    memo: new TokenRequestMemo(maxEntries),
    cache,
    get size() {
      return cache.size;
    },
  };
}

/** Delegated users' tokens, as `ServiceAccountCredentialsFactory` keeps them after a mint. */
async function fillLocalLayer(layer: LocalLayer, count: number, from = 0): Promise<LocalLayer> {
  for (let i = from; i < from + count; i++) {
    const user = `user-${i}@example.com`;
    const request = tokenRequest('bench@p.iam.gserviceaccount.com', [CLOUD_PLATFORM], user);
    layer.memo.set([CLOUD_PLATFORM], user, request);
    const slot = layer.cache.slot(request.key);
    slot.token = { ...mintedToken(), subject: user };
    slot.reuseUntil = slot.token.expiresAt - 300_000;
  }
  return layer;
}

async function fillStore(
  store: MemoryTokenStore,
  count: number,
  from = 0,
): Promise<MemoryTokenStore> {
  for (let i = from; i < from + count; i++) await store.set(storeKey(i), mintedToken());
  return store;
}

/** Who a token stands for, read from a tokeninfo answer as `GoogleTokenVerifier` reads it. */
function identity(i: number): VerifiedUser {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const info = JSON.parse(
    JSON.stringify({
      azp: CLIENT_ID,
      aud: CLIENT_ID,
      sub: String(100_000_000_000_000_000_000 + i),
      scope: `openid ${EMAIL_SCOPE}`,
      exp: String(exp),
      expires_in: '3599',
      email: `caller-${i}@example.com`,
      email_verified: 'true',
      access_type: 'online',
    }),
  ) as Record<string, string>;
  return verifiedUser({
    tokenType: 'access_token',
    email: info.email!,
    emailVerified: info.email_verified === 'true',
    userId: info.sub!,
    clientId: info.azp!,
    scopes: parseScopeList(info.scope),
    expiresAt: Number(info.exp) * 1000,
  });
}

/** The verification cache as `GoogleTokenVerifier` configures it by default. */
function verificationCache(): VerificationCache {
  return new VerificationCache({
    maxValid: VERIFICATION_CACHE_MAX_ENTRIES,
    maxInvalid: INVALID_TOKEN_CACHE_MAX_ENTRIES,
    validForMs: resolveEndpointsOptions().recheckAfterMs,
    invalidForMs: INVALID_TOKEN_CACHE_MS,
  });
}

/** A filler of the verification cache: `count` new tokens, each checked to `outcome(i)`. */
function cacheFiller(outcome: (i: number) => TokenVerification) {
  return async (cache: VerificationCache, count: number, from = 0): Promise<VerificationCache> => {
    for (let i = from; i < from + count; i++)
      await cache.get(accessToken(), async () => outcome(i));
    return cache;
  };
}

/** Callers Google vouched for. */
const fillVerificationCache = cacheFiller((i) => authenticated(identity(i)));
/** Junk tokens, remembered as invalid apart from the valid ones. */
const fillWithJunk = cacheFiller(() => invalid('tokeninfo: invalid_token'));

export const memory: Scenario = {
  name: 'memory',
  title: '5. Memory: retained heap per entry, and the bounds',
  async run(settings) {
    progress(`memory: MemoryTokenStore vs Map, ${ENTRIES} tokens`);
    const store = await interleave(
      settings,
      async () =>
        (await retained(() => fillStore(new MemoryTokenStore({ maxEntries: ENTRIES }), ENTRIES))) /
        ENTRIES,
      async () =>
        (await retained(async () => {
          const map = new Map<string, StoredToken>();
          for (let i = 0; i < ENTRIES; i++) {
            const token = mintedToken();
            map.set(storeKey(i), {
              accessToken: token.accessToken,
              expiresAt: token.expiresAt,
              scopes: token.scopes,
            });
          }
          return map;
        })) / ENTRIES,
    );

    progress(`memory: the local layer vs Map, ${ENTRIES} delegated users`);
    const local = await interleave(
      settings,
      async () => (await retained(() => fillLocalLayer(localLayer(ENTRIES), ENTRIES))) / ENTRIES,
      async () =>
        (await retained(async () => {
          const map = new Map<string, StoredToken>();
          for (let i = 0; i < ENTRIES; i++) {
            const user = `user-${i}@example.com`;
            const request = tokenRequest('bench@p.iam.gserviceaccount.com', [CLOUD_PLATFORM], user);
            map.set(request.key, { ...mintedToken(), subject: user });
          }
          return map;
        })) / ENTRIES,
    );

    progress(`memory: VerificationCache vs Map, ${ENTRIES} tokens`);
    const verification = await interleave(
      settings,
      async () =>
        (await retained(() => fillVerificationCache(verificationCache(), ENTRIES))) / ENTRIES,
      async () =>
        (await retained(async () => {
          const map = new Map<
            string,
            Omit<VerifiedUser, 'kind' | 'scopeSet'> & { until: number }
          >();
          for (let i = 0; i < ENTRIES; i++) {
            const id = identity(i);
            map.set(callerTokenKey(accessToken()), {
              tokenType: id.tokenType,
              email: id.email,
              emailVerified: id.emailVerified,
              userId: id.userId,
              clientId: id.clientId,
              scopes: id.scopes,
              expiresAt: id.expiresAt,
              until: id.expiresAt,
            });
          }
          return map;
        })) / ENTRIES,
    );

    progress('memory: bounds (fed 2× and 4× their bound)');
    const bounds = [
      await bound(
        'MemoryTokenStore, default maxEntries',
        MEMORY_STORE_DEFAULT_MAX,
        settings.rounds,
        () => new MemoryTokenStore(),
        fillStore,
      ),
      await bound(
        'local token cache (and request memo), default localCacheMaxEntries',
        DEFAULT_LOCAL_CACHE_MAX_ENTRIES,
        settings.rounds,
        () => localLayer(DEFAULT_LOCAL_CACHE_MAX_ENTRIES),
        fillLocalLayer,
      ),
      await bound(
        'verification cache, valid tokens',
        VERIFICATION_CACHE_MAX_ENTRIES,
        settings.rounds,
        verificationCache,
        fillVerificationCache,
      ),
      await bound(
        'verification cache, invalid tokens',
        INVALID_TOKEN_CACHE_MAX_ENTRIES,
        settings.rounds,
        verificationCache,
        fillWithJunk,
      ),
    ];

    return [
      comparisonTable([
        {
          measure: `MemoryTokenStore vs Map, ${ENTRIES.toLocaleString('en-US')} tokens`,
          unit: 'bytes/entry',
          better: 'lower',
          pairs: store,
        },
        {
          measure: `local layer vs Map, ${ENTRIES.toLocaleString('en-US')} delegated users`,
          unit: 'bytes/entry',
          better: 'lower',
          pairs: local,
          goal: LOCAL_LAYER_GOAL,
        },
        {
          measure: `verification cache vs Map, ${ENTRIES.toLocaleString('en-US')} tokens`,
          unit: 'bytes/entry',
          better: 'lower',
          pairs: verification,
        },
      ]),
      '',
      'Bytes per entry include what both sides keep alike: the key (a 55- or 43-character hash) ' +
        'and, for the store, the 133-character token; for the cache, the strings read from ' +
        'tokeninfo and the scopes array. The cache keeps a hash of the token, never the token; ' +
        'it also keeps the scopes as a `Set` (so that the guard checks them without allocating) ' +
        'and the outcome object every request shares, which the flat baseline does not have. ' +
        'The local layer is what the factory keeps per (scopes, user) in each process: the ' +
        'request as spelled (its memo entry, cache key, scopes, user) and the slot holding the ' +
        'token; its baseline is a `Map` from the same key to the same token.',
      '',
      markdownTable(
        [
          'structure',
          'bound',
          'size at 2× and 4×',
          'kept at 1× (KiB)',
          'at 2× (KiB)',
          'at 4× (KiB)',
          '4× / 1×',
        ],
        bounds,
      ),
      '',
      `Each structure is filled to its bound with distinct keys, then fed more new keys up to ` +
        `2× and 4× its bound (least recently used out first); its size is checked to equal the ` +
        `bound after each step. "Kept" is the heap it holds after a full GC, median of ` +
        `${settings.rounds} tries. A step from 1× to 2× and none after it is V8's \`Map\` ` +
        'enlarging its hash table once, when the slots of deleted entries fill it; it is not ' +
        'entries kept past the bound.',
    ].join('\n');
  },
};

/**
 * Fills a fresh structure to its bound, then goes on feeding it new keys up to 2× and 4× its
 * bound: its size must stay at the bound. Heap kept at each step, medians of `repeats` tries.
 */
async function bound<T extends { size: number }>(
  name: string,
  max: number,
  repeats: number,
  create: () => T,
  fill: (target: T, count: number, from: number) => Promise<T>,
): Promise<string[]> {
  const tries: number[][] = [];
  for (let i = 0; i < repeats; i++) tries.push(await feed(name, max, create, fill));
  const kib = (step: number) => num(median(tries.map((bytes) => bytes[step]!)) / 1024);
  return [
    name,
    max.toLocaleString('en-US'),
    max.toLocaleString('en-US'),
    kib(0),
    kib(1),
    kib(2),
    ratio(median(tries.map((bytes) => bytes[2]! / bytes[0]!))),
  ];
}

/**
 * One try of `bound`: heap kept after feeding 1×, 2× and 4× the bound. In its own call, so
 * that nothing of it is reachable after it returns.
 */
async function feed<T extends { size: number }>(
  name: string,
  max: number,
  create: () => T,
  fill: (target: T, count: number, from: number) => Promise<T>,
): Promise<number[]> {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  const target = create();
  const kept: number[] = [];
  for (let fed = 0; fed < 4 * max;) {
    const count = fed === 0 ? max : fed;
    await fill(target, count, fed);
    fed += count;
    check(target.size === max, `${name}: fed ${fed}, holds ${target.size}, bound ${max}`);
    fullGc();
    kept.push(process.memoryUsage().heapUsed - before);
  }
  check(target.size === max, `${name}: still at its bound`); // keeps it alive up to here
  return kept;
}
