import type { GoogleUrls } from './google/google-urls.js';
import type { ServiceAccountKey } from './service-account/service-account-key.js';
import type { TokenStore } from './stores/token-store.js';

/** How the module accepts the Google tokens that callers send. */
export interface EndpointsOptions {
  /** OAuth client ids (a token's `azp`, or `aud`) whose tokens are accepted. */
  allowedClientIds?: string[];
  /**
   * Accept a valid Google token minted for any OAuth client. Off by default: a token that a
   * user gave some other app must not get into this one. The module warns at boot when it is on.
   */
  allowAnyClient?: boolean;
  /** Audiences (`aud`) accepted on Google ID tokens. */
  audiences?: string[];
  /** Accept Google ID tokens (JWT) besides access tokens. */
  acceptIdTokens?: boolean;
  /** Also read the token from the `access_token` query parameter (RFC 6750 §2.3). Off by default. */
  allowQueryToken?: boolean;
  /** `realm` of the `WWW-Authenticate` challenge. Default: `"google"`. */
  realm?: string;
  /**
   * How long a valid access token's check is trusted before tokeninfo is asked again, so that
   * a revoked token is refused within this bound. Default 300 (5 minutes). See docs/endpoints.md.
   */
  recheckAfterSeconds?: number;
  /** Most tokeninfo calls in flight at once; the others wait their turn. Default 64. */
  maxConcurrentTokenInfoCalls?: number;
  /**
   * Accept tokens whose user's email Google has not verified (access tokens and ID tokens
   * alike). Off by default: such an email proves nothing about who the caller is.
   */
  allowUnverifiedEmails?: boolean;
  /**
   * Keep each HTTP request's caller in an `AsyncLocalStorage`, for `CallerCredentials` (the
   * singleton way to reach the caller). Off by default: on Node 20, AsyncLocalStorage slows
   * every promise of the process. See docs/endpoints.md.
   */
  callerContext?: boolean;
  /**
   * Accept other services calling as their service account (Cloud Run, Cloud Tasks, Cloud
   * Scheduler, Pub/Sub push): a Google-signed ID token whose `aud` is one of `audiences` (this
   * service's own URLs) and whose verified `email` is one of `allowed` (compared without case).
   * Routes admit such callers with `@AllowServiceAccounts(...)`. Setting it makes the module
   * read ID tokens even without `acceptIdTokens`. See docs/endpoints.md.
   */
  serviceAccounts?: EndpointsServiceAccounts;
  /**
   * Behind Identity-Aware Proxy: read and verify the `x-goog-iap-jwt-assertion` header (ES256,
   * IAP's keys) whose `aud` is one of `audiences` (`/projects/NUMBER/global/backendServices/ID`
   * or `/projects/NUMBER/apps/PROJECT`). When the header is present it decides who the caller
   * is. Unset: the header is never read. See docs/endpoints.md.
   */
  iap?: EndpointsIap;
}

/**
 * `endpoints.serviceAccounts`: which services may call this one, as their service account.
 *
 * @publicApi
 */
export interface EndpointsServiceAccounts {
  /** The `aud` values accepted on their ID tokens: this service's URL(s), e.g. the Cloud Run URL. */
  audiences: string[];
  /** The service-account emails accepted (compared without case). */
  allowed: string[];
}

/**
 * `endpoints.iap`: accept the callers Identity-Aware Proxy lets through.
 *
 * @publicApi
 */
export interface EndpointsIap {
  /**
   * The `aud` values accepted on IAP's assertions: `/projects/NUMBER/global/backendServices/ID`
   * (a load balancer's backend) or `/projects/NUMBER/apps/PROJECT` (App Engine).
   */
  audiences: string[];
}

/**
 * The options of `OAuth2Module.forRoot(options)` (and what `forRootAsync`'s factory returns). All
 * are optional: with none, service-account tokens come from Application Default Credentials, kept
 * in memory, and no caller's token is accepted.
 */
export interface OAuth2ModuleOptions {
  /**
   * The service account that mints tokens: the console's JSON key, the `{ client_id,
   * client_email, private_key }` form, the key's JSON text, or a path to the JSON key file.
   * Absent: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, then the
   * metadata server).
   */
  serviceAccount?: ServiceAccountKey | string;
  /**
   * The email of a service account to act as: every token the factory gives (access tokens, a
   * user's tokens, ID tokens) is that account's, minted through IAM Credentials with the app's
   * own credentials (`serviceAccount`, or Application Default Credentials), which need
   * `roles/iam.serviceAccountTokenCreator` on it. Absent: tokens are the app's own account's.
   */
  impersonateServiceAccount?: string;
  /** Where minted tokens are kept and shared. Default: a bounded in-memory store. */
  tokenStore?: TokenStore;
  /** How callers' tokens are accepted (`@Scopes`, `@InjectCredentials`, `EndpointsCredentials`). */
  endpoints?: EndpointsOptions;
  /** Where Google is: its real endpoints by default; the emulator in tests. */
  google?: Partial<GoogleUrls>;
  /**
   * Refresh a token this long before it expires, and never hand out one closer, except a token
   * that arrives with less than this left, which is used for half of what it had left. Below
   * 3600. Default 300 with a key; 225 with the metadata server, which serves its own cached
   * token until about 4 minutes before expiry.
   */
  refreshMarginSeconds?: number;
  /**
   * How many tokens (one per scopes and user) each process keeps in front of the token store,
   * least recently used out. A warm call is served from here without touching the store. Size
   * it above the number of (scopes, user) pairs used within an hour. Default 20000.
   */
  localCacheMaxEntries?: number;
  /** Timeout of every HTTP call the library makes to Google, in milliseconds. Default 10000. */
  requestTimeoutMs?: number;
  /** Timeout of every call to the token store, in milliseconds; past it the store is skipped. Default 1000. */
  storeTimeoutMs?: number;
}
