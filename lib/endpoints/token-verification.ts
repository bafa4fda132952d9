import type { GoogleOAuth2Error } from '../google/google-oauth2.error.js';

/**
 * Who a Google user is, as their checked token says. Never holds the token.
 *
 * @publicApi
 */
export interface GoogleUserIdentity {
  /** The kind of caller: a Google user. */
  readonly kind: 'user';
  /** An OAuth2 access token (checked with tokeninfo) or a Google ID token (checked locally). */
  readonly tokenType: 'access_token' | 'id_token';
  readonly email: string;
  readonly emailVerified: boolean;
  /** Google's user id (`sub`). */
  readonly userId: string;
  /** The OAuth client the token was issued to (`azp`, else `aud`). */
  readonly clientId: string;
  /** Granted scopes, canonical names (`email` and `profile` as their URLs). */
  readonly scopes: readonly string[];
  /** When the token expires, epoch ms. */
  readonly expiresAt: number;
}

/** A checked user, with what the guard reads on every request. */
export interface VerifiedUser extends GoogleUserIdentity {
  /** `scopes` as a set: checking a route's scopes allocates nothing. */
  readonly scopeSet: ReadonlySet<string>;
}

/**
 * A service account that called with a Google-signed ID token minted for this service
 * (`endpoints.serviceAccounts`). Never holds the token.
 *
 * @publicApi
 */
export interface ServiceAccountIdentity {
  /** The kind of caller: another service, as its service account. */
  readonly kind: 'serviceAccount';
  /** Always a Google ID token. */
  readonly tokenType: 'id_token';
  /** The service account's email, in lower case (as `endpoints.serviceAccounts.allowed` is compared). */
  readonly email: string;
  /** The service account's unique id (`sub`). */
  readonly userId: string;
  /** The audience the token was minted for (one of `endpoints.serviceAccounts.audiences`). */
  readonly audience: string;
  /** When the token expires, epoch ms. */
  readonly expiresAt: number;
}

/**
 * A caller that Identity-Aware Proxy let through, as its signed assertion
 * (`x-goog-iap-jwt-assertion`) says (`endpoints.iap`). Never holds the assertion.
 *
 * @publicApi
 */
export interface IapIdentity {
  /** The kind of caller: whoever IAP let through (a user or a service account). */
  readonly kind: 'iap';
  readonly email: string;
  /** IAP's id of the caller (`sub`, e.g. `accounts.google.com:1234…`). */
  readonly userId: string;
  /** The assertion's audience (one of `endpoints.iap.audiences`). */
  readonly audience: string;
  /** The caller's Google Workspace domain (`hd`), when they have one. */
  readonly hostedDomain?: string;
  /** When the assertion expires, epoch ms. */
  readonly expiresAt: number;
}

/**
 * Who a valid token (or IAP assertion) stands for, told apart by `kind`. Frozen; shared by
 * every request that sends the same token.
 */
export type VerifiedIdentity = VerifiedUser | ServiceAccountIdentity | IapIdentity;

/** The one place a `VerifiedUser` is made: frozen, its scopes canonical and as a set too. */
export function verifiedUser(fields: Omit<GoogleUserIdentity, 'kind'>): VerifiedUser {
  const scopes = Object.freeze([...fields.scopes]);
  return Object.freeze({ kind: 'user', ...fields, scopes, scopeSet: new Set(scopes) });
}

/**
 * The outcome of checking one token, kept in the verification cache and shared by every request
 * that sends the token (never copied per request):
 * - `authenticated`: a valid token, and who it stands for;
 * - `insufficient_scope`: a valid token that does not say who the user is (no email scope);
 *   the caller should ask for `scope` (RFC 6750 §3.1, 403);
 * - `invalid`: a token Google does not vouch for. `reason` is for debug logs: it never holds
 *   the token.
 */
export type TokenVerification =
  | { readonly status: 'authenticated'; readonly identity: VerifiedIdentity }
  | { readonly status: 'insufficient_scope'; readonly scope: string; readonly expiresAt: number }
  | { readonly status: 'invalid'; readonly reason: string };

/**
 * Google could not be asked (timeout, connection error, 5xx, 429, no free tokeninfo slot in
 * time): the token is neither valid nor invalid. Answered with 503 and never cached.
 */
export class TokenVerificationUnavailableError extends Error {
  override readonly name = 'TokenVerificationUnavailableError';

  constructor(override readonly cause: GoogleOAuth2Error) {
    super(`Google token verification is unavailable: ${cause.message}`);
  }
}

export function invalid(reason: string): TokenVerification {
  return { status: 'invalid', reason };
}

/** A service-account caller, frozen. */
export function verifiedServiceAccount(
  fields: Omit<ServiceAccountIdentity, 'kind' | 'tokenType'>,
): ServiceAccountIdentity {
  return Object.freeze({ kind: 'serviceAccount', tokenType: 'id_token', ...fields });
}

/** An IAP caller, frozen. */
export function verifiedIapCaller(fields: Omit<IapIdentity, 'kind'>): IapIdentity {
  return Object.freeze({ kind: 'iap', ...fields });
}

export function authenticated(identity: VerifiedIdentity): TokenVerification {
  return Object.freeze({ status: 'authenticated', identity });
}
