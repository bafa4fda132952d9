import { verify, type KeyObject } from 'node:crypto';
import { GOOGLE_ISSUERS, IAP_ISSUER, ID_TOKEN_CLOCK_SKEW_SECONDS } from './endpoints.constants.js';
import {
  allowsClient,
  type ResolvedEndpointsOptions,
  type ResolvedServiceAccounts,
} from './endpoints-options.js';
import type { GoogleCerts } from './google-certs.js';
import { ID_TOKEN_SCOPES } from './scopes.js';
import {
  authenticated,
  invalid,
  verifiedIapCaller,
  verifiedServiceAccount,
  verifiedUser,
  type TokenVerification,
} from './token-verification.js';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, the signed bytes. */
  signingInput: string;
  signature: Buffer;
  /**
   * The signature is Google's `SIGNATURE_REMOVED_BY_GOOGLE` marker: Cloud Run (and Cloud
   * Functions) put it in place of the signature of an ID token they checked themselves.
   */
  signatureRemovedByGoogle: boolean;
}

/** What Cloud Run's invoker check leaves in place of the signature of the token it checked. */
const REMOVED_SIGNATURE = 'SIGNATURE_REMOVED_BY_GOOGLE';

/** The refusal of a token whose signature Google removed (the verifier warns about it once). */
export const SIGNATURE_REMOVED_REASON = 'id token: signature removed by Google';

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
    signatureRemovedByGoogle: parts[3] === REMOVED_SIGNATURE,
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

/**
 * Whether `key` signed the JWT: RS256 with an RSA key, ES256 with an EC P-256 key. One path for
 * both: SHA-256, and for ES256 the signature in JWS's form (r‖s, 64 bytes), not DER. The JWT's
 * `alg` is checked by the caller, against the one kind of key it holds.
 */
export function hasValidSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  try {
    const signer =
      key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
    return verify('sha256', Buffer.from(jwt.signingInput), signer, jwt.signature);
  } catch {
    return false;
  }
}

/**
 * Why a token's `exp`/`iat` are not acceptable (numbers, within `ID_TOKEN_CLOCK_SKEW_SECONDS`,
 * `iat ≤ exp`), or undefined when they are.
 */
function lifetimeFault(exp: unknown, iat: unknown, now: number): string | undefined {
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'no exp';
  if (exp + ID_TOKEN_CLOCK_SKEW_SECONDS <= now) return 'expired';
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'no iat';
  if (iat - ID_TOKEN_CLOCK_SKEW_SECONDS > now) return 'issued in the future';
  if (iat > exp) return 'iat after exp';
  return undefined;
}

/** A JWT's `aud` as a list (a string or an array of them). */
function audiencesOf(aud: unknown): readonly unknown[] {
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
}

/** The first of the token's audiences that `accepted` holds. */
function acceptedAudience(aud: unknown, accepted: readonly string[]): string | undefined {
  return audiencesOf(aud).find((a): a is string => typeof a === 'string' && accepted.includes(a));
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
  const audience = acceptedAudience(aud, policy.audiences);
  if (audience === undefined) return invalid('id token: audience');
  if (azp !== undefined && (typeof azp !== 'string' || !policy.allowsClient(azp))) {
    return invalid('id token: authorized party');
  }
  const fault = lifetimeFault(exp, iat, now);
  if (fault) return invalid(`id token: ${fault}`);
  if (typeof sub !== 'string' || sub === '') return invalid('id token: no sub');
  if (typeof email !== 'string' || email === '') return invalid('id token: no email');
  const emailVerified = email_verified === true || email_verified === 'true';
  if (!emailVerified && !policy.allowUnverifiedEmails) {
    return invalid('id token: email not verified');
  }
  const clientId = typeof azp === 'string' ? azp : audience;
  return authenticated(
    verifiedUser({
      tokenType: 'id_token',
      email,
      emailVerified,
      userId: sub,
      clientId,
      scopes: ID_TOKEN_SCOPES,
      // The skew the check allows on `exp` is not added: the result is kept until `exp`.
      expiresAt: (exp as number) * 1000,
    }),
  );
}

/**
 * Checks the claims of a service account's Google ID token (the signature is checked apart):
 * issuer, `aud` in `accounts.audiences`, `exp`/`iat` within the skew, `sub`, an `email` on
 * `accounts.allowed` (without case) that Google says is verified. `azp` is not checked: it is
 * the account's own id, and the allow-list says who may call.
 */
export function checkServiceAccountClaims(
  claims: Record<string, unknown>,
  accounts: ResolvedServiceAccounts,
  nowMs: number = Date.now(),
): TokenVerification {
  const { iss, aud, exp, iat, sub, email, email_verified } = claims;
  if (typeof iss !== 'string' || !GOOGLE_ISSUERS.includes(iss)) {
    return invalid('service account: issuer');
  }
  const audience = acceptedAudience(aud, accounts.audiences);
  if (audience === undefined) return invalid('service account: audience');
  const fault = lifetimeFault(exp, iat, nowMs / 1000);
  if (fault) return invalid(`service account: ${fault}`);
  if (typeof sub !== 'string' || sub === '') return invalid('service account: no sub');
  const account = typeof email === 'string' ? email.toLowerCase() : undefined;
  if (account === undefined || !accounts.allowed.has(account)) {
    return invalid('service account: not on endpoints.serviceAccounts.allowed');
  }
  // `allowUnverifiedEmails` does not apply: the email is all that says which account calls.
  if (email_verified !== true && email_verified !== 'true') {
    return invalid('service account: email not verified');
  }
  return authenticated(
    verifiedServiceAccount({
      email: account,
      userId: sub,
      audience,
      expiresAt: (exp as number) * 1000,
    }),
  );
}

/**
 * Checks the claims of an Identity-Aware Proxy assertion (the signature is checked apart):
 * `iss` IAP, `aud` in `audiences`, `exp`/`iat` within the skew, `email` and `sub` present.
 */
export function checkIapClaims(
  claims: Record<string, unknown>,
  audiences: readonly string[],
  nowMs: number = Date.now(),
): TokenVerification {
  const { iss, aud, exp, iat, sub, email, hd } = claims;
  if (iss !== IAP_ISSUER) return invalid('iap: issuer');
  const audience = acceptedAudience(aud, audiences);
  if (audience === undefined) return invalid('iap: audience');
  const fault = lifetimeFault(exp, iat, nowMs / 1000);
  if (fault) return invalid(`iap: ${fault}`);
  if (typeof sub !== 'string' || sub === '') return invalid('iap: no sub');
  if (typeof email !== 'string' || email === '') return invalid('iap: no email');
  return authenticated(
    verifiedIapCaller({
      email,
      userId: sub,
      audience,
      ...(typeof hd === 'string' && hd !== '' ? { hostedDomain: hd } : {}),
      expiresAt: (exp as number) * 1000,
    }),
  );
}

/**
 * The signature step shared by ID tokens and IAP assertions: the header's `alg` is the key
 * set's, a `kid` names a published key, and that key signed the token. Undefined when it did;
 * else the outcome. Rejects with `TokenVerificationUnavailableError` when the keys cannot be
 * fetched.
 */
async function signatureFault(
  jwt: DecodedJwt,
  keys: GoogleCerts,
  what: string,
): Promise<TokenVerification | undefined> {
  if (jwt.signatureRemovedByGoogle) return invalid(SIGNATURE_REMOVED_REASON);
  if (jwt.header.alg !== keys.alg) return invalid(`${what}: alg is not ${keys.alg}`);
  const kid = jwt.header.kid;
  if (typeof kid !== 'string' || kid === '') return invalid(`${what}: no kid`);
  const key = await keys.key(kid);
  if (!key) return invalid(`${what}: unknown kid`);
  if (!hasValidSignature(jwt, key)) return invalid(`${what}: bad signature`);
  return undefined;
}

/**
 * Checks Google ID tokens locally, with no call per token: RS256, the key chosen by `kid`
 * from Google's published keys (`GoogleCerts`), then the claims: a service account's
 * (`checkServiceAccountClaims`) when its `aud` is one of `serviceAccounts.audiences`, else a
 * user's (`checkIdTokenClaims`, when `acceptIdTokens`).
 */
export class IdTokenChecker {
  readonly #users: IdTokenPolicy | undefined;
  readonly #serviceAccounts: ResolvedServiceAccounts | undefined;

  constructor(
    private readonly certs: GoogleCerts,
    options: ResolvedEndpointsOptions,
  ) {
    this.#users = options.acceptIdTokens
      ? {
          audiences: options.audiences,
          allowsClient: (client) =>
            allowsClient(options, client) || options.audiences.includes(client),
          allowUnverifiedEmails: options.allowUnverifiedEmails,
        }
      : undefined;
    this.#serviceAccounts = options.serviceAccounts;
  }

  /**
   * Resolves to the token's outcome; rejects with `TokenVerificationUnavailableError` when the
   * certs cannot be fetched.
   */
  async check(jwt: DecodedJwt): Promise<TokenVerification> {
    const fault = await signatureFault(jwt, this.certs, 'id token');
    if (fault) return fault;
    return this.#isServiceAccountToken(jwt.payload)
      ? checkServiceAccountClaims(jwt.payload, this.#serviceAccounts!)
      : this.#users
        ? checkIdTokenClaims(jwt.payload, this.#users)
        : invalid('id token: audience');
  }

  /**
   * Whether a token is checked as a service account's: its `aud` is a service-account audience,
   * and (should that audience also be a user audience, which the boot report warns about) its
   * email is on the allow-list.
   */
  #isServiceAccountToken(claims: Record<string, unknown>): boolean {
    const accounts = this.#serviceAccounts;
    if (!accounts || acceptedAudience(claims.aud, accounts.audiences) === undefined) return false;
    if (!this.#users || acceptedAudience(claims.aud, this.#users.audiences) === undefined) {
      return true;
    }
    return typeof claims.email === 'string' && accounts.allowed.has(claims.email.toLowerCase());
  }
}

/**
 * Checks Identity-Aware Proxy assertions (`x-goog-iap-jwt-assertion`) locally: ES256, the key
 * chosen by `kid` from IAP's published keys, then the claims (`checkIapClaims`).
 */
export class IapAssertionChecker {
  constructor(
    private readonly keys: GoogleCerts,
    private readonly audiences: readonly string[],
  ) {}

  /**
   * Resolves to the assertion's outcome; rejects with `TokenVerificationUnavailableError` when
   * IAP's keys cannot be fetched.
   */
  async check(assertion: string): Promise<TokenVerification> {
    const jwt = decodeJwt(assertion);
    if (!jwt) return invalid('iap: not a JWT');
    const fault = await signatureFault(jwt, this.keys, 'iap');
    return fault ?? checkIapClaims(jwt.payload, this.audiences);
  }
}
