import { hash } from 'node:crypto';

/**
 * What an ID-token source is asked for: a Google-signed ID token of the account for `audience`
 * (the `aud` the called service checks, e.g. a Cloud Run URL). Made once per (account, audience)
 * with its cache key, like `TokenRequest`.
 */
export interface IdTokenRequest {
  /** The cache key of this request (the shared store's key too): a hash, never in clear. */
  readonly key: string;
  /** The `aud` of the ID token, as given. */
  readonly audience: string;
}

/** The request of `account`'s ID token for `audience`, with its key. */
export function idTokenRequest(account: string, audience: string): IdTokenRequest {
  return { key: idTokenCacheKey(account, audience), audience };
}

/**
 * The cache key of one (service account, audience): a hash in a namespace of its own, so that no
 * email or audience appears in clear in a shared store and no ID token shares a key with an
 * access token.
 */
export function idTokenCacheKey(serviceAccountEmail: string, audience: string): string {
  return `sa-id-token:v1:${hash('sha256', `${serviceAccountEmail}\0${audience}`, 'base64url')}`;
}

/** Refuses what cannot be an audience, before anything is asked of Google. */
export function checkAudience(audience: unknown): asserts audience is string {
  if (typeof audience !== 'string' || audience.trim() === '') {
    throw new TypeError(
      'an ID token needs an audience: a non-empty string, such as the URL of the called service',
    );
  }
}
