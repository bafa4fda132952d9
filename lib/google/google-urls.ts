/**
 * Where the library reaches Google. Every HTTP call the library makes goes to one of these,
 * so pointing them at `GoogleOAuth2Emulator` (or at another universe) redirects all of it.
 */
export interface GoogleUrls {
  /** OAuth2 token endpoint (jwt-bearer grant). */
  token: string;
  /** Tokeninfo endpoint for access and ID tokens. */
  tokenInfo: string;
  /** OpenID Connect userinfo endpoint. */
  userInfo: string;
  /** JWK set (v3 certs) used to verify Google ID tokens. */
  certs: string;
  /** IAM Credentials API root (`…/v1/projects/-/serviceAccounts/{email}:signJwt` is under it). */
  iamCredentials: string;
  /** Metadata server root (`…/computeMetadata/v1/` is under it). */
  metadata: string;
  /** Root URL of Google's REST APIs: the `rootUrl` that googleapis clients take. */
  apiRoot: string;
  /** JWK set of the ES256 keys Identity-Aware Proxy signs `x-goog-iap-jwt-assertion` with. */
  iapPublicKeys: string;
}

/** Google's own URLs: what the module uses for each one the `google` option does not set. */
export const DEFAULT_GOOGLE_URLS: Readonly<GoogleUrls> = Object.freeze({
  token: 'https://oauth2.googleapis.com/token',
  tokenInfo: 'https://oauth2.googleapis.com/tokeninfo',
  userInfo: 'https://openidconnect.googleapis.com/v1/userinfo',
  certs: 'https://www.googleapis.com/oauth2/v3/certs',
  iamCredentials: 'https://iamcredentials.googleapis.com',
  metadata: 'http://169.254.169.254',
  apiRoot: 'https://www.googleapis.com/',
  iapPublicKeys: 'https://www.gstatic.com/iap/verify/public_key-jwk',
});

/** Fills in Google's own URLs for the ones not given. */
export function resolveGoogleUrls(overrides: Partial<GoogleUrls> = {}): GoogleUrls {
  const urls = { ...DEFAULT_GOOGLE_URLS };
  for (const [name, value] of Object.entries(overrides) as [keyof GoogleUrls, string][]) {
    if (value !== undefined) urls[name] = value;
  }
  return urls;
}

/**
 * The token URLs Google accepts as a jwt-bearer assertion's `aud`, its own first. An assertion
 * names one of these whatever URL it is posted to (an egress proxy, a Private Service Connect
 * endpoint, the emulator): Google checks `aud` against its own name, not the request's host.
 */
export const GOOGLE_TOKEN_AUDIENCES: readonly string[] = Object.freeze([
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
  'https://accounts.google.com/o/oauth2/token',
]);
