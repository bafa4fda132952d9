/** Limits and timings of the endpoints part. Each is documented in docs/endpoints.md. */

/** Longest token accepted, in characters; a longer one is rejected unread (Google's are < 2 KB). */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Shortest and longest token taken for a Google access token, in characters: Google documents
 * access tokens of up to 2048 bytes; its tokens are about 150–250 characters today.
 */
export const ACCESS_TOKEN_MIN_LENGTH = 20;
export const ACCESS_TOKEN_MAX_LENGTH = 2048;

/** How many valid tokens' results are kept (the least recently used out first). */
export const VERIFICATION_CACHE_MAX_ENTRIES = 10_000;

/** How many invalid tokens are remembered, apart from the valid ones (the oldest out first). */
export const INVALID_TOKEN_CACHE_MAX_ENTRIES = 10_000;

/** How long a token found invalid is remembered as invalid. */
export const INVALID_TOKEN_CACHE_MS = 30_000;

/** Default of `endpoints.recheckAfterSeconds`: how long a valid result is trusted. */
export const DEFAULT_RECHECK_AFTER_SECONDS = 300;

/** Default of `endpoints.maxConcurrentTokenInfoCalls`. */
export const DEFAULT_MAX_CONCURRENT_TOKENINFO_CALLS = 64;

/** Clock skew allowed on an ID token's `exp` and `iat`. */
export const ID_TOKEN_CLOCK_SKEW_SECONDS = 300;

/** How long the certs are kept when Google's answer carries no `max-age`. */
export const DEFAULT_CERTS_MAX_AGE_SECONDS = 300;

/**
 * After a fetch of the certs for an unknown `kid`, or a failed fetch, none for an unknown `kid`
 * within this interval: junk `kid`s and outages cannot make the app hammer Google.
 */
export const CERTS_REFETCH_COOLDOWN_MS = 5_000;

/** `realm` of the `WWW-Authenticate` challenge when `endpoints.realm` is not set. */
export const DEFAULT_REALM = 'google';

/** Issuers of Google ID tokens. */
export const GOOGLE_ISSUERS: readonly string[] = [
  'https://accounts.google.com',
  'accounts.google.com',
];

/** Issuer of Identity-Aware Proxy's assertions. */
export const IAP_ISSUER = 'https://cloud.google.com/iap';

/** The header Identity-Aware Proxy puts its signed assertion in (Node's lower-case name). */
export const IAP_ASSERTION_HEADER = 'x-goog-iap-jwt-assertion';
