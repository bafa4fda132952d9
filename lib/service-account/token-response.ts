import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';
import type { TokenRequest } from './token-source.js';

/** An OAuth2 token answer, as the token endpoint and the metadata server send it. */
export interface TokenResponseBody {
  access_token?: unknown;
  expires_in?: unknown;
}

/**
 * Reads `{ access_token, expires_in }` into the token of `request`; the expiry counts from when
 * the request was sent (`sentAt`), so that time on the wire never makes a token look longer-lived.
 */
export function readTokenResponse(
  endpoint: 'token' | 'metadata',
  data: TokenResponseBody | undefined,
  sentAt: number,
  request: TokenRequest,
): StoredToken {
  const accessToken = data?.access_token;
  const expiresIn = Number(data?.expires_in);
  if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(expiresIn)) {
    throw new GoogleOAuth2Error(endpoint, 'invalid_response', 'no access_token or expires_in');
  }
  return {
    accessToken,
    expiresAt: sentAt + expiresIn * 1000,
    scopes: [...request.scopes],
    ...(request.subject ? { subject: request.subject } : {}),
  };
}
