import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import { CERTS_REFETCH_COOLDOWN_MS, DEFAULT_CERTS_MAX_AGE_SECONDS } from './endpoints.constants.js';
import { TokenVerificationUnavailableError } from './token-verification.js';

interface KeySet {
  keys: Map<string, KeyObject>;
  /** Epoch ms after which the set must be fetched again. */
  freshUntil: number;
  fetchedAt: number;
}

/**
 * Google's ID-token signing keys (the v3 certs: a JWK set), by `kid`. Kept for the answer's
 * `Cache-Control: max-age`; fetched again once when a token names an unknown `kid` (at most
 * once per `CERTS_REFETCH_COOLDOWN_MS`), one fetch in flight at a time.
 */
export class GoogleCerts {
  private current?: KeySet;
  private fetching?: Promise<KeySet>;

  constructor(
    private readonly http: GoogleHttpClient,
    private readonly url: string,
  ) {}

  /**
   * The RS256 key named `kid`, or undefined when Google publishes none by that name.
   * Throws `TokenVerificationUnavailableError` when the certs cannot be fetched.
   */
  async key(kid: string): Promise<KeyObject | undefined> {
    const now = Date.now();
    let set = this.current;
    if (!set || set.freshUntil <= now) set = await this.refresh();
    const known = set.keys.get(kid);
    if (known) return known;
    if (now - set.fetchedAt < CERTS_REFETCH_COOLDOWN_MS) return undefined;
    // Keys rotate: a kid not seen yet may have been published since the last fetch.
    return (await this.refresh()).keys.get(kid);
  }

  private refresh(): Promise<KeySet> {
    this.fetching ??= this.fetch().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetch(): Promise<KeySet> {
    let body: unknown;
    let cacheControl: string | null;
    try {
      const res = await this.http.request<unknown>({
        endpoint: 'certs',
        method: 'GET',
        url: this.url,
        retries: 1, // a caller is waiting
      });
      body = res.data;
      cacheControl = res.headers.get('cache-control');
    } catch (err) {
      throw new TokenVerificationUnavailableError(err as GoogleOAuth2Error);
    }
    const keys = parseJwks(body);
    if (!keys) {
      throw new TokenVerificationUnavailableError(
        new GoogleOAuth2Error('certs', 'invalid_response', 'not a JWK set'),
      );
    }
    const fetchedAt = Date.now();
    const maxAge = maxAgeSeconds(cacheControl) ?? DEFAULT_CERTS_MAX_AGE_SECONDS;
    this.current = { keys, fetchedAt, freshUntil: fetchedAt + maxAge * 1000 };
    return this.current;
  }
}

/** The RSA signing keys of a JWK set, by kid; undefined when the body is not a JWK set. */
export function parseJwks(body: unknown): Map<string, KeyObject> | undefined {
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return undefined;
  const keys = new Map<string, KeyObject>();
  for (const jwk of list as JsonWebKey[]) {
    if (!jwk || typeof jwk !== 'object' || typeof jwk.kid !== 'string') continue;
    if (jwk.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== 'RS256')) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    try {
      keys.set(
        jwk.kid,
        createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }),
      );
    } catch {
      // a malformed key is skipped; tokens naming it fail as unknown kid
    }
  }
  return keys;
}

/** `max-age` of a `Cache-Control` header, in seconds. */
export function maxAgeSeconds(cacheControl: string | null | undefined): number | undefined {
  const match = /(?:^|[,\s])max-age=(\d+)/i.exec(cacheControl ?? '');
  return match ? Number(match[1]) : undefined;
}
