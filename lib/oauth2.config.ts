import {
  resolveEndpointsOptions,
  type ResolvedEndpointsOptions,
} from './endpoints/endpoints-options.js';
import { GoogleUrls, resolveGoogleUrls } from './google/google-urls.js';
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  DEFAULT_LOCAL_CACHE_MAX_ENTRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  MINT_LOCK_SLACK_MS,
} from './oauth2.constants.js';
import type { OAuth2ModuleOptions } from './oauth2.options.js';
import type { ServiceAccountKey } from './service-account/service-account-key.js';

/** The module's options with every default filled in, checked once at boot. */
export interface OAuth2Config {
  serviceAccount?: ServiceAccountKey | string;
  /** The account every token is minted for through IAM Credentials (lower case), if any. */
  impersonateServiceAccount?: string;
  endpoints: ResolvedEndpointsOptions;
  urls: GoogleUrls;
  /** The configured margin; absent, it depends on where tokens come from (see the factory). */
  refreshMarginMs?: number;
  requestTimeoutMs: number;
  storeTimeoutMs: number;
  localCacheMaxEntries: number;
  /** How long the fleet's mint lock lives (`mintLockTtlMs`). */
  mintLockTtlMs: number;
}

export function resolveOAuth2Config(
  options: OAuth2ModuleOptions,
  env: NodeJS.ProcessEnv = process.env,
): OAuth2Config {
  const google = { ...options.google };
  // gcp-metadata's convention: GCE_METADATA_HOST (or _IP) moves the metadata server.
  const metadataHost = env.GCE_METADATA_HOST ?? env.GCE_METADATA_IP;
  if (google.metadata === undefined && metadataHost) google.metadata = `http://${metadataHost}`;
  const margin = refreshMarginSeconds(options.refreshMarginSeconds);
  const requestTimeoutMs = positive(
    options.requestTimeoutMs,
    'requestTimeoutMs',
    DEFAULT_REQUEST_TIMEOUT_MS,
  );
  const impersonate = impersonatedAccount(options.impersonateServiceAccount);
  return {
    serviceAccount: options.serviceAccount,
    ...(impersonate !== undefined ? { impersonateServiceAccount: impersonate } : {}),
    endpoints: resolveEndpointsOptions(options.endpoints),
    urls: resolveGoogleUrls(google),
    ...(margin !== undefined ? { refreshMarginMs: margin * 1000 } : {}),
    requestTimeoutMs,
    storeTimeoutMs: positive(options.storeTimeoutMs, 'storeTimeoutMs', DEFAULT_STORE_TIMEOUT_MS),
    localCacheMaxEntries: count(
      options.localCacheMaxEntries,
      'localCacheMaxEntries',
      DEFAULT_LOCAL_CACHE_MAX_ENTRIES,
    ),
    mintLockTtlMs: mintLockTtlMs(requestTimeoutMs),
  };
}

/**
 * The lock TTL rule: a holder mints within one request timeout (every call to Google, retries
 * included, ends within it), plus slack; a holder that dies blocks the fleet no longer.
 */
export function mintLockTtlMs(requestTimeoutMs: number): number {
  return requestTimeoutMs + MINT_LOCK_SLACK_MS;
}

/** A margin of an hour or more would outlast every token: each call would mint. */
function refreshMarginSeconds(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || value >= ACCESS_TOKEN_LIFETIME_SECONDS) {
    throw new TypeError(
      `OAuth2Module: "refreshMarginSeconds" must be a number ≥ 0 and below ${ACCESS_TOKEN_LIFETIME_SECONDS} ` +
        `(an access token lives an hour; a margin as long would refresh on every call), got ${String(value)}`,
    );
  }
  return value;
}

/** An email, trimmed and in lower case (one account, one cache entry, whatever the spelling). */
function impersonatedAccount(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new TypeError(
      'OAuth2Module: "impersonateServiceAccount" must be the email of a service account ' +
        '(name@project.iam.gserviceaccount.com)',
    );
  }
  return email;
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`OAuth2Module: "${name}" must be a number > 0`);
  }
  return value;
}

function count(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`OAuth2Module: "${name}" must be an integer ≥ 1`);
  }
  return value;
}
