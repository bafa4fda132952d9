import { GoogleOAuth2Error, type GoogleEndpointName } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';

/**
 * Reads a Google-signed ID token into the one token shape: the token in `accessToken`, no scopes
 * (see `StoredToken`), and its expiry from its own `exp` claim. The payload is decoded, not
 * verified: it comes straight from Google over TLS, and the called service verifies it. A token
 * without a usable `exp` is an `invalid_response`; the error never carries the token.
 */
export function readIdToken(endpoint: GoogleEndpointName, token: unknown): StoredToken {
  const idToken = typeof token === 'string' ? token.trim() : '';
  const expiresAt = expiryOf(idToken);
  if (expiresAt === undefined) {
    throw new GoogleOAuth2Error(endpoint, 'invalid_response', 'no ID token with a usable exp');
  }
  return { accessToken: idToken, expiresAt, scopes: [] };
}

/** `exp` (seconds) of a JWT's payload, in milliseconds; `undefined` when there is none. */
function expiryOf(jwt: string): number | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
