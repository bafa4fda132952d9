import type { GoogleOAuth2Error } from '../google/google-oauth2.error.js';

/** Who a valid token stands for, as checked; never holds the token. */
export interface VerifiedIdentity {
  /** An OAuth2 access token (checked with tokeninfo) or a Google ID token (checked locally). */
  tokenType: 'access_token' | 'id_token';
  email: string;
  emailVerified: boolean;
  /** Google's user id (`sub`). */
  userId: string;
  /** The OAuth client the token was issued to (`azp`, else `aud`). */
  clientId: string;
  /** Granted scopes, canonical names. */
  scopes: readonly string[];
  /** Epoch ms. */
  expiresAt: number;
}

/** The outcome of checking one token. `reason` is for debug logs: it never holds the token. */
export type TokenVerification =
  { valid: true; identity: VerifiedIdentity } | { valid: false; reason: string };

/**
 * Google could not be asked (timeout, connection error, 5xx, 429): the token is neither valid
 * nor invalid. Answered with 503 and never cached.
 */
export class TokenVerificationUnavailableError extends Error {
  override readonly name = 'TokenVerificationUnavailableError';

  constructor(override readonly cause: GoogleOAuth2Error) {
    super(`Google token verification is unavailable: ${cause.message}`);
  }
}

export function invalid(reason: string): TokenVerification {
  return { valid: false, reason };
}
