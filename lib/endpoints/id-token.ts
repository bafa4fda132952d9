import { verify, type KeyObject } from 'node:crypto';
import { GOOGLE_ISSUERS, ID_TOKEN_CLOCK_SKEW_SECONDS } from './endpoints.constants.js';
import { allowsClient, type ResolvedEndpointsOptions } from './endpoints-options.js';
import type { GoogleCerts } from './google-certs.js';
import { ID_TOKEN_SCOPES } from './scopes.js';
import {
  authenticated,
  invalid,
  verifiedUser,
  type TokenVerification,
} from './token-verification.js';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, the signed bytes. */
  signingInput: string;
  signature: Buffer;
}

const JWT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/**
 * The token as a JWT, when it is one: three base64url parts whose first two are JSON objects
 * and whose header names an `alg`. Anything else (a `ya29.…` access token) is undefined.
 */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = JWT.exec(token);
  if (!parts) return undefined;
  const header = jsonObject(parts[1]!);
  if (!header || typeof header.alg !== 'string') return undefined;
  const payload = jsonObject(parts[2]!);
  if (!payload) return undefined;
  return {
    header,
    payload,
    signingInput: `${parts[1]}.${parts[2]}`,
    signature: Buffer.from(parts[3]!, 'base64url'),
  };
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `key` signed the JWT with RS256. */
export function hasValidSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  try {
    return verify('RSA-SHA256', Buffer.from(jwt.signingInput), key, jwt.signature);
  } catch {
    return false;
  }
}

export interface IdTokenPolicy {
  /** Accepted `aud` values. */
  audiences: readonly string[];
  /** Whether an `azp` (the client that asked for the token) is accepted. */
  allowsClient(clientId: string): boolean;
  /** Whether a token whose user's email is not verified is accepted. */
  allowUnverifiedEmails?: boolean;
}

/**
 * Checks a Google ID token's claims (the signature is checked apart): issuer, audience,
 * authorized party, `exp` and `iat` within `ID_TOKEN_CLOCK_SKEW_SECONDS`, a verified email.
 */
export function checkIdTokenClaims(
  claims: Record<string, unknown>,
  policy: IdTokenPolicy,
  nowMs: number = Date.now(),
): TokenVerification {
  const now = nowMs / 1000;
  const { iss, aud, azp, exp, iat, sub, email, email_verified } = claims;
  if (typeof iss !== 'string' || !GOOGLE_ISSUERS.includes(iss)) return invalid('id token: issuer');
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === 'string' && policy.audiences.includes(a))) {
    return invalid('id token: audience');
  }
  if (azp !== undefined && (typeof azp !== 'string' || !policy.allowsClient(azp))) {
    return invalid('id token: authorized party');
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return invalid('id token: no exp');
  if (exp + ID_TOKEN_CLOCK_SKEW_SECONDS <= now) return invalid('id token: expired');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return invalid('id token: no iat');
  if (iat - ID_TOKEN_CLOCK_SKEW_SECONDS > now) return invalid('id token: issued in the future');
  if (iat > exp) return invalid('id token: iat after exp');
  if (typeof sub !== 'string' || sub === '') return invalid('id token: no sub');
  if (typeof email !== 'string' || email === '') return invalid('id token: no email');
  const emailVerified = email_verified === true || email_verified === 'true';
  if (!emailVerified && !policy.allowUnverifiedEmails) {
    return invalid('id token: email not verified');
  }
  const clientId =
    typeof azp === 'string' ? azp : audiences.find((a) => policy.audiences.includes(a))!;
  return authenticated(
    verifiedUser({
      tokenType: 'id_token',
      email,
      emailVerified,
      userId: sub,
      clientId,
      scopes: ID_TOKEN_SCOPES,
      // The skew the check allows on `exp` is not added: the result is kept until `exp`.
      expiresAt: exp * 1000,
    }),
  );
}

/**
 * Checks Google ID tokens locally, with no call per token: RS256, the key chosen by `kid`
 * from Google's published keys (`GoogleCerts`), then the claims.
 */
export class IdTokenChecker {
  readonly #policy: IdTokenPolicy;

  constructor(
    private readonly certs: GoogleCerts,
    options: ResolvedEndpointsOptions,
  ) {
    this.#policy = {
      audiences: options.audiences,
      allowsClient: (client) => allowsClient(options, client) || options.audiences.includes(client),
      allowUnverifiedEmails: options.allowUnverifiedEmails,
    };
  }

  /**
   * Resolves to the token's outcome; rejects with `TokenVerificationUnavailableError` when the
   * certs cannot be fetched.
   */
  async check(jwt: DecodedJwt): Promise<TokenVerification> {
    if (jwt.header.alg !== 'RS256') return invalid('id token: alg is not RS256');
    const kid = jwt.header.kid;
    if (typeof kid !== 'string' || kid === '') return invalid('id token: no kid');
    const key = await this.certs.key(kid);
    if (!key) return invalid('id token: unknown kid');
    if (!hasValidSignature(jwt, key)) return invalid('id token: bad signature');
    return checkIdTokenClaims(jwt.payload, this.#policy);
  }
}
