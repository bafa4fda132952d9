import { GoogleUrls, resolveGoogleUrls } from './google/google-urls.js';
import {
  DEFAULT_REFRESH_MARGIN_SECONDS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STORE_TIMEOUT_MS,
} from './oauth2.constants.js';
import type { EndpointsOptions, OAuth2ModuleOptions } from './oauth2.options.js';
import type { ServiceAccountKey } from './service-account/service-account-key.js';

/** The module's options with every default filled in, checked once at boot. */
export interface OAuth2Config {
  serviceAccount?: ServiceAccountKey | string;
  endpoints: EndpointsOptions;
  urls: GoogleUrls;
  refreshMarginMs: number;
  requestTimeoutMs: number;
  storeTimeoutMs: number;
}

export function resolveOAuth2Config(
  options: OAuth2ModuleOptions,
  env: NodeJS.ProcessEnv = process.env,
): OAuth2Config {
  const google = { ...options.google };
  // gcp-metadata's convention: GCE_METADATA_HOST (or _IP) moves the metadata server.
  const metadataHost = env.GCE_METADATA_HOST ?? env.GCE_METADATA_IP;
  if (google.metadata === undefined && metadataHost) google.metadata = `http://${metadataHost}`;
  return {
    serviceAccount: options.serviceAccount,
    endpoints: { ...options.endpoints },
    urls: resolveGoogleUrls(google),
    refreshMarginMs:
      1000 *
      nonNegative(
        options.refreshMarginSeconds,
        'refreshMarginSeconds',
        DEFAULT_REFRESH_MARGIN_SECONDS,
      ),
    requestTimeoutMs: positive(
      options.requestTimeoutMs,
      'requestTimeoutMs',
      DEFAULT_REQUEST_TIMEOUT_MS,
    ),
    storeTimeoutMs: positive(options.storeTimeoutMs, 'storeTimeoutMs', DEFAULT_STORE_TIMEOUT_MS),
  };
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`OAuth2Module: "${name}" must be a number ≥ 0`);
  }
  return value;
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`OAuth2Module: "${name}" must be a number > 0`);
  }
  return value;
}
