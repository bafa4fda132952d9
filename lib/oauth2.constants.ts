/** The options after defaults: what every part of the module reads. */
export const OAUTH2_CONFIG = Symbol('nestjs-google-oauth2:config');

/** Refresh margin of tokens minted with a key (the token endpoint hands out fresh ones). */
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;
/**
 * Refresh margin of tokens from the metadata server, which serves its own cached token until
 * about 4 minutes before it expires: refreshing later than that gets its next one (Google's Go
 * library uses the same 3 min 45 s).
 */
export const METADATA_REFRESH_MARGIN_SECONDS = 225;
/** Google's access tokens live an hour: a margin must be shorter. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_STORE_TIMEOUT_MS = 1_000;
/**
 * Tokens each process keeps in front of the store: room for 10,000 delegated users and the
 * app's other keys, so that a pass over them all does not push out what the next pass needs.
 */
export const DEFAULT_LOCAL_CACHE_MAX_ENTRIES = 20_000;
/** What a mint lock outlives the longest mint by: the store's and the clocks' slack. */
export const MINT_LOCK_SLACK_MS = 5_000;
/** How often a token minted while the store was failing is offered to it again. */
export const SHARE_RETRY_MS = 2_000;
