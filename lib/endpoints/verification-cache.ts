import { hash } from 'node:crypto';
import type { TokenVerification } from './token-verification.js';

export interface VerificationCacheOptions {
  /** At most this many results of tokens Google vouched for are kept. */
  maxValid: number;
  /** At most this many invalid tokens are remembered, apart from the valid ones. */
  maxInvalid: number;
  /** How long a valid result is trusted, at most (never past the token's expiry). */
  validForMs: number;
  /** How long an invalid token is remembered as invalid. */
  invalidForMs: number;
}

/**
 * The cache key of a caller's token: its SHA-256. The token itself is never a key, and the hash
 * stays cryptographic: a crafted token must not share a key with a cached valid one.
 */
export function callerTokenKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** A valid result, until when it is trusted, and whether it was read since the last sweep. */
class Kept {
  referenced = false;
  /** False once the entry left the cache (pushed out, replaced, forgotten). */
  held = true;

  constructor(
    readonly result: TokenVerification,
    readonly until: number,
  ) {}
}

/** What a connection remembers of the last token it sent that was found valid. */
interface LastOnConnection {
  token: string;
  kept: Kept;
}

/** The answer to an invalid token: one object, whatever the token. */
const REMEMBERED_INVALID: TokenVerification = Object.freeze({
  status: 'invalid',
  reason: 'remembered as invalid',
});

/**
 * Results of checking callers' tokens, by the hash of the token. Results of tokens Google vouched
 * for and invalid tokens are kept apart, each bounded, so a flood of junk tokens churns the
 * invalid side only and never pushes a known caller out.
 *
 * A hit is synchronous and allocates nothing: it marks its entry instead of moving it. When the
 * valid side is full, the oldest entry not marked since the last sweep goes (second chance, an
 * LRU approximation). The invalid side drops its oldest. Concurrent checks of one token share
 * one call (single flight); a check that throws (Google unreachable) is shared by the callers
 * waiting on it and not kept.
 */
export class VerificationCache {
  /** Where a connection keeps its `LastOnConnection`: a symbol of this cache's own. */
  readonly #lastOnConnection = Symbol('nestjs-google-oauth2:last-token-on-connection');
  readonly #valid = new Map<string, Kept>();
  /** Invalid tokens' keys, to the time (epoch ms) they are remembered until. */
  readonly #invalid = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<TokenVerification>>();

  constructor(private readonly options: VerificationCacheOptions) {
    for (const name of ['maxValid', 'maxInvalid'] as const) {
      if (!Number.isInteger(options[name]) || options[name] < 1) {
        throw new TypeError(`VerificationCache: "${name}" must be an integer ≥ 1`);
      }
    }
  }

  /**
   * The kept result for `token` (synchronously), else the result of `check(token)`, shared with
   * concurrent callers of the same token.
   */
  get(
    token: string,
    check: (token: string) => Promise<TokenVerification>,
  ): TokenVerification | Promise<TokenVerification> {
    const key = callerTokenKey(token);
    const kept = this.#read(key, Date.now());
    if (kept) return kept;
    let flight = this.#inFlight.get(key);
    if (!flight) {
      flight = check(token).then(
        (result) => {
          this.#inFlight.delete(key);
          this.#write(key, result);
          return result;
        },
        (err: unknown) => {
          this.#inFlight.delete(key);
          throw err;
        },
      );
      this.#inFlight.set(key, flight);
    }
    return flight;
  }

  /**
   * The kept result for `token`, if any (and still fresh). With `connection` (the request's
   * socket), a token the same connection sent last time and that was found valid is recognised
   * by comparing it with that one, without hashing it again: HTTP clients send one token over
   * and over on a kept-alive connection. The connection holds that token until it closes or
   * sends another (as Node holds the last request's headers); it is never a key, and the result
   * is the cache's own entry, trusted no longer than the cache trusts it.
   */
  peek(token: string, connection?: object): TokenVerification | undefined {
    const now = Date.now();
    const last = connection
      ? (connection as Record<symbol, LastOnConnection | undefined>)[this.#lastOnConnection]
      : undefined;
    if (last !== undefined && last.token === token && last.kept.held && last.kept.until > now) {
      last.kept.referenced = true;
      return last.kept.result;
    }
    const found = this.#find(callerTokenKey(token), now);
    if (!(found instanceof Kept)) return found;
    if (last !== undefined) {
      last.token = token;
      last.kept = found;
    } else if (connection !== undefined) {
      (connection as Record<symbol, LastOnConnection>)[this.#lastOnConnection] = {
        token,
        kept: found,
      };
    }
    return found.result;
  }

  /** Whether a result for `token` is kept (and still fresh). */
  has(token: string): boolean {
    return this.peek(token) !== undefined;
  }

  /** Forgets the result for `token`. */
  delete(token: string): void {
    const key = callerTokenKey(token);
    this.#drop(key);
    this.#invalid.delete(key);
  }

  clear(): void {
    for (const kept of this.#valid.values()) kept.held = false;
    this.#valid.clear();
    this.#invalid.clear();
  }

  /** Results held, of both kinds. */
  get size(): number {
    return this.#valid.size + this.#invalid.size;
  }

  /** Results of tokens Google vouched for, held (stale ones included until read or pushed out). */
  get validSize(): number {
    return this.#valid.size;
  }

  /** Invalid tokens remembered. */
  get invalidSize(): number {
    return this.#invalid.size;
  }

  /** The keys held (hashes, for tests and diagnostics): valid ones first, oldest first. */
  keys(): string[] {
    return [...this.#valid.keys(), ...this.#invalid.keys()];
  }

  #read(key: string, now: number): TokenVerification | undefined {
    const found = this.#find(key, now);
    return found instanceof Kept ? found.result : found;
  }

  /** The fresh valid entry for `key` (read: marked), the invalid answer, or nothing. */
  #find(key: string, now: number): Kept | TokenVerification | undefined {
    const kept = this.#valid.get(key);
    if (kept) {
      if (kept.until > now) {
        kept.referenced = true;
        return kept;
      }
      this.#drop(key);
      return undefined;
    }
    const invalidUntil = this.#invalid.get(key);
    if (invalidUntil === undefined) return undefined;
    if (invalidUntil > now) return REMEMBERED_INVALID;
    this.#invalid.delete(key);
    return undefined;
  }

  #write(key: string, result: TokenVerification): void {
    const now = Date.now();
    if (result.status === 'invalid') {
      this.#invalid.delete(key);
      this.#invalid.set(key, now + this.options.invalidForMs);
      if (this.#invalid.size > this.options.maxInvalid) {
        this.#invalid.delete(this.#invalid.keys().next().value!);
      }
      return;
    }
    const expiresAt =
      result.status === 'authenticated' ? result.identity.expiresAt : result.expiresAt;
    const until = Math.min(expiresAt, now + this.options.validForMs);
    this.#invalid.delete(key);
    this.#drop(key);
    if (!(until > now)) return;
    // Room is made first, so that the new entry is not the one to go.
    if (this.#valid.size >= this.options.maxValid) this.#evictValid(now);
    this.#valid.set(key, new Kept(result, until));
  }

  /** Drops the oldest entry that is stale or was not read since the last sweep. */
  #evictValid(now: number): void {
    // Every marked entry met is unmarked and moved to the back, so this ends within one lap.
    for (const [key, kept] of this.#valid) {
      if (kept.until > now && kept.referenced) {
        kept.referenced = false;
        this.#valid.delete(key);
        this.#valid.set(key, kept);
        continue;
      }
      this.#drop(key);
      return;
    }
  }

  /** Removes a valid entry, and tells connections that remember it. */
  #drop(key: string): void {
    const kept = this.#valid.get(key);
    if (kept === undefined) return;
    kept.held = false;
    this.#valid.delete(key);
  }
}
