import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error, type GoogleEndpointName } from '../google/google-oauth2.error.js';
import { CERTS_REFETCH_COOLDOWN_MS, DEFAULT_CERTS_MAX_AGE_SECONDS } from './endpoints.constants.js';
import { TokenVerificationUnavailableError } from './token-verification.js';

interface KeySet {
  keys: Map<string, KeyObject>;
  /** Epoch ms after which the set must be fetched again. */
  freshUntil: number;
}

/** The JWS algorithms of the keys Google publishes: RS256 (ID tokens), ES256 (IAP). */
export type SigningAlgorithm = 'RS256' | 'ES256';

/** Which published key set a `GoogleCerts` holds. */
export interface KeySetSource {
  /** The JWK set's URL. */
  url: string;
  /** The algorithm of the keys taken from it; keys of another kind are skipped. */
  alg: SigningAlgorithm;
  /** The endpoint named in errors. */
  endpoint: GoogleEndpointName;
}

/**
 * A JWK set of signing keys Google publishes, by `kid`: its ID-token keys (the v3 certs, RS256)
 * or Identity-Aware Proxy's (ES256). One fetch in flight at a
 * time. Fetched when none are held or they are past the answer's `Cache-Control: max-age`, and
 * when a token names a `kid` not held: keys rotate, and a key published after the last fetch
 * is taken on first sight.
 *
 * Junk `kid`s and outages must not make the app hammer Google: a fetch for an unknown `kid`,
 * and a failed fetch, start a cool-down (`cooldownMs`, `CERTS_REFETCH_COOLDOWN_MS` unless a
 * test says otherwise). An unknown `kid` met
 * during it waits for its end and shares the one fetch made then; after a failed fetch, tokens
 * that need the certs are "unavailable" until it ends, without a call. Keys past their max-age
 * are still used when a new fetch fails: Google keeps a key published for days.
 */
export class GoogleCerts {
  #current?: KeySet;
  #fetching?: Promise<KeySet>;
  #refetchAfterCooldown?: Promise<KeySet>;
  /** No fetch for an unknown `kid` before this time (epoch ms). */
  #cooldownUntil = 0;
  /** The last fetch's failure, until a fetch succeeds. */
  #failure?: TokenVerificationUnavailableError;

  readonly #source: KeySetSource;

  /** @param source a URL alone: Google's ID-token certs (RS256). */
  constructor(
    private readonly http: GoogleHttpClient,
    source: string | KeySetSource,
    private readonly cooldownMs: number = CERTS_REFETCH_COOLDOWN_MS,
  ) {
    this.#source =
      typeof source === 'string' ? { url: source, alg: 'RS256', endpoint: 'certs' } : source;
  }

  /** The algorithm of the keys held. */
  get alg(): SigningAlgorithm {
    return this.#source.alg;
  }

  /**
   * The key named `kid`, or undefined when Google publishes none by that name.
   * Throws `TokenVerificationUnavailableError` when the certs cannot be fetched.
   */
  async key(kid: string): Promise<KeyObject | undefined> {
    const held = this.#current;
    if (held && held.freshUntil > Date.now()) {
      return held.keys.get(kid) ?? (await this.#refetchFor()).keys.get(kid);
    }
    // None held, or past max-age.
    try {
      return (await this.#fetchUnlessFailing()).keys.get(kid);
    } catch (err) {
      const stale = held?.keys.get(kid);
      if (stale) return stale;
      throw err;
    }
  }

  /** A fetch for an unknown `kid`: now, or at the end of the cool-down (shared), or none. */
  #refetchFor(): Promise<KeySet> {
    if (this.#fetching) return this.#fetching;
    const wait = this.#cooldownUntil - Date.now();
    if (wait <= 0) return this.#fetch(true);
    if (this.#failure) return Promise.reject(this.#failure);
    this.#refetchAfterCooldown ??= sleep(wait, undefined, { ref: false })
      .then(() => this.#fetching ?? this.#fetch(true))
      .finally(() => {
        this.#refetchAfterCooldown = undefined;
      });
    return this.#refetchAfterCooldown;
  }

  #fetchUnlessFailing(): Promise<KeySet> {
    if (this.#fetching) return this.#fetching;
    if (this.#failure && this.#cooldownUntil > Date.now()) return Promise.reject(this.#failure);
    return this.#fetch(false);
  }

  #fetch(forUnknownKid: boolean): Promise<KeySet> {
    if (forUnknownKid) this.#cooldownUntil = Date.now() + this.cooldownMs;
    const fetching = this.#download().then(
      (set) => {
        this.#current = set;
        this.#failure = undefined;
        return set;
      },
      (err: TokenVerificationUnavailableError) => {
        this.#failure = err;
        this.#cooldownUntil = Date.now() + this.cooldownMs;
        throw err;
      },
    );
    this.#fetching = fetching.finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #download(): Promise<KeySet> {
    let body: unknown;
    let cacheControl: string | null;
    try {
      const res = await this.http.request<unknown>({
        endpoint: this.#source.endpoint,
        method: 'GET',
        url: this.#source.url,
        retries: 1, // a caller is waiting
      });
      body = res.data;
      cacheControl = res.headers.get('cache-control');
    } catch (err) {
      throw new TokenVerificationUnavailableError(err as GoogleOAuth2Error);
    }
    const keys = parseJwks(body, this.#source.alg);
    if (!keys) {
      throw new TokenVerificationUnavailableError(
        new GoogleOAuth2Error(this.#source.endpoint, 'invalid_response', 'not a JWK set'),
      );
    }
    const maxAge = maxAgeSeconds(cacheControl) ?? DEFAULT_CERTS_MAX_AGE_SECONDS;
    return { keys, freshUntil: Date.now() + maxAge * 1000 };
  }
}

/**
 * The signing keys of a JWK set for `alg`, by kid: RSA keys for RS256, EC P-256 keys for ES256
 * (others, and keys declaring another `alg` or `use`, are skipped). Undefined when the body is
 * not a JWK set.
 */
export function parseJwks(
  body: unknown,
  alg: SigningAlgorithm = 'RS256',
): Map<string, KeyObject> | undefined {
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return undefined;
  const keys = new Map<string, KeyObject>();
  for (const jwk of list as JsonWebKey[]) {
    if (!jwk || typeof jwk !== 'object' || typeof jwk.kid !== 'string') continue;
    if (jwk.alg !== undefined && jwk.alg !== alg) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    const key = publicJwk(jwk, alg);
    if (!key) continue;
    try {
      keys.set(jwk.kid, createPublicKey({ key, format: 'jwk' }));
    } catch {
      // a malformed key is skipped; tokens naming it fail as unknown kid
    }
  }
  return keys;
}

/** The public members of a JWK of the kind `alg` needs (nothing else is handed to OpenSSL). */
function publicJwk(jwk: JsonWebKey, alg: SigningAlgorithm): JsonWebKey | undefined {
  if (alg === 'RS256') return jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : undefined;
  return jwk.kty === 'EC' && jwk.crv === 'P-256'
    ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
    : undefined;
}

/** `max-age` of a `Cache-Control` header, in seconds. */
export function maxAgeSeconds(cacheControl: string | null | undefined): number | undefined {
  const match = /(?:^|[,\s])max-age=(\d+)/i.exec(cacheControl ?? '');
  return match ? Number(match[1]) : undefined;
}
