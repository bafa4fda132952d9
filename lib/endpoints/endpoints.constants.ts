/** Limits and timings of the endpoints part. Each is documented in docs/endpoints.md. */

/** Longest token accepted, in characters; a longer one is rejected unread (Google's are < 2 KB). */
export const MAX_TOKEN_LENGTH = 4096;

/** How many verification results are kept (least recently used out first). */
export const VERIFICATION_CACHE_MAX_ENTRIES = 10_000;

/** How long a token found invalid is remembered as invalid. */
export const INVALID_TOKEN_CACHE_MS = 30_000;

/** Clock skew allowed on an ID token's `exp` and `iat`. */
export const ID_TOKEN_CLOCK_SKEW_SECONDS = 300;

/** How long the certs are kept when Google's answer carries no `max-age`. */
export const DEFAULT_CERTS_MAX_AGE_SECONDS = 300;

/** At most one refetch of the certs for an unknown `kid` within this interval. */
export const CERTS_REFETCH_COOLDOWN_MS = 10_000;

/** `realm` of the `WWW-Authenticate` challenge when `endpoints.realm` is not set. */
export const DEFAULT_REALM = 'google';

/** Issuers of Google ID tokens. */
export const GOOGLE_ISSUERS: readonly string[] = [
  'https://accounts.google.com',
  'accounts.google.com',
];
