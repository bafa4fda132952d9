import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { GoogleHttpClient } from '../google/google-http-client.js';
import { isWellFormedToken, MALFORMED_BEARER, NO_BEARER, readBearerToken } from './bearer-token.js';
import { IAP_ASSERTION_HEADER } from './endpoints.constants.js';
import { ENDPOINTS_OPTIONS, type ResolvedEndpointsOptions } from './endpoints-options.js';
import type { GoogleCaller } from './google-caller.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';
import { GoogleUserCredentials } from './google-user-credentials.js';
import type { RawRequest } from './http-request.js';
import { IapCaller } from './iap-caller.js';
import { ServiceAccountCaller } from './service-account-caller.js';
import { TokenVerification, TokenVerificationUnavailableError } from './token-verification.js';

/**
 * Who the request's caller is:
 * - `anonymous`: no bearer credentials (no `Authorization` header, or another scheme) and no
 *   IAP assertion;
 * - `malformed`: bearer credentials (or, with `endpoints.iap`, an IAP assertion header) that are
 *   not one well-formed token;
 * - `invalid`: a token Google does not vouch for (expired, revoked, another client's…);
 * - `insufficient_scope`: a valid token that does not say who the user is (no email scope);
 * - `unavailable`: Google could not be asked; the token may well be valid;
 * - `authenticated`: a valid token or IAP assertion, and who it stands for (`identity`: a user,
 *   a service account or an IAP caller, by `kind`).
 *
 * @publicApi
 */
export type Authentication =
  | { readonly status: 'anonymous' }
  | { readonly status: 'malformed' }
  | TokenVerification
  | { readonly status: 'unavailable'; readonly error: TokenVerificationUnavailableError };

const ANONYMOUS: Authentication = Object.freeze({ status: 'anonymous' });
const MALFORMED: Authentication = Object.freeze({ status: 'malformed' });

/** What a request object carries for this library: properties under this module's symbols. */
type Slots = Record<symbol, unknown>;

/**
 * Reads and checks a request's caller, once per request: with `endpoints.iap`, the IAP assertion
 * header when the request has one (it then decides); else the bearer token. The guard,
 * `@InjectCredentials()`, `EndpointsCredentials` and `CallerCredentials` share the outcome. On a
 * cache hit everything is synchronous, and nothing is allocated but what the caller asks for (a
 * `GoogleCaller`).
 *
 * The outcome is kept on the Node request under a symbol of this instance's own (so two
 * `OAuth2Module` configurations in one app never mix their results, and nothing outlives the
 * request). Outcomes are shared objects from the verification cache, never copied per request.
 */
@Injectable()
export class EndpointsAuthenticator {
  readonly #outcome = Symbol('nestjs-google-oauth2:authentication');
  readonly #caller = Symbol('nestjs-google-oauth2:caller');

  constructor(
    @Inject(ENDPOINTS_OPTIONS) readonly options: ResolvedEndpointsOptions,
    private readonly verifier: GoogleTokenVerifier,
    private readonly http: GoogleHttpClient,
  ) {}

  /** The request's outcome: synchronous when its token's check is cached. */
  authenticate(request: RawRequest): Authentication | Promise<Authentication> {
    const slots = request as unknown as Slots;
    const known = slots[this.#outcome] as Authentication | Promise<Authentication> | undefined;
    if (known !== undefined) return known;
    const outcome = this.#check(request);
    slots[this.#outcome] = outcome;
    if (outcome instanceof Promise) {
      // Once settled, later readers get the outcome itself; a failure is the caller's to handle.
      outcome.then(
        (settled) => {
          slots[this.#outcome] = settled;
        },
        () => undefined,
      );
    }
    return outcome;
  }

  /**
   * The caller (a `GoogleCaller`, by `kind`), or null without a valid token or assertion
   * (synchronously on a cache hit). Throws (rejects with) 503, a `ServiceUnavailableException`,
   * when Google could not be asked. One object per request, made on first demand.
   */
  caller(request: RawRequest): GoogleCaller | null | Promise<GoogleCaller | null> {
    const made = (request as unknown as Slots)[this.#caller] as GoogleCaller | undefined;
    if (made !== undefined) return made;
    const outcome = this.authenticate(request);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#callerOf(request, settled))
      : this.#callerOf(request, outcome);
  }

  /**
   * The caller's credentials as a Google user, or null without a valid token, and for callers
   * of other kinds (service accounts, IAP): those carry no token to call Google as them. As
   * `caller` otherwise.
   */
  credentials(
    request: RawRequest,
  ): GoogleUserCredentials | null | Promise<GoogleUserCredentials | null> {
    const caller = this.caller(request);
    return caller instanceof Promise ? caller.then(userOnly) : userOnly(caller);
  }

  #callerOf(request: RawRequest, outcome: Authentication): GoogleCaller | null {
    if (outcome.status === 'unavailable') throw unavailableException();
    if (outcome.status !== 'authenticated') return null;
    const identity = outcome.identity;
    let caller: GoogleCaller;
    if (identity.kind === 'user') {
      // The token is read again rather than kept: only the request holds it. It was accepted,
      // so its syntax needs no second check.
      const token = readBearerToken(request, this.options.allowQueryToken, false) as string;
      caller = new GoogleUserCredentials(token, identity, this.http.transporter);
    } else {
      caller =
        identity.kind === 'serviceAccount'
          ? new ServiceAccountCaller(identity)
          : new IapCaller(identity);
    }
    (request as unknown as Slots)[this.#caller] = caller;
    return caller;
  }

  #check(request: RawRequest): Authentication | Promise<Authentication> {
    // Read only when configured: without `iap`, a client could set the header itself.
    if (this.options.iap !== undefined) {
      const assertion = request.headers[IAP_ASSERTION_HEADER];
      if (assertion !== undefined) return this.#checkIapAssertion(assertion, request);
    }
    // Looked up before its syntax is checked: a token found in the cache is well-formed.
    const token = readBearerToken(request, this.options.allowQueryToken, false);
    if (token === NO_BEARER) return ANONYMOUS;
    if (token === MALFORMED_BEARER) return MALFORMED;
    const kept = this.verifier.cached(token, request.socket ?? undefined);
    if (kept) return kept;
    if (!isWellFormedToken(token)) return MALFORMED;
    const verification = this.verifier.verify(token);
    return verification instanceof Promise ? verification.catch(unavailable) : verification;
  }

  /** IAP's assertion decides when the request has one: valid, or 401, whatever else it sends. */
  #checkIapAssertion(
    assertion: string | string[],
    request: RawRequest,
  ): Authentication | Promise<Authentication> {
    // Node joins a repeated header with ", ", which no well-formed token contains.
    if (typeof assertion !== 'string' || !isWellFormedToken(assertion)) return MALFORMED;
    const kept = this.verifier.cachedIapAssertion(assertion, request.socket ?? undefined);
    if (kept) return kept;
    const verification = this.verifier.verifyIapAssertion(assertion);
    return verification instanceof Promise ? verification.catch(unavailable) : verification;
  }
}

function userOnly(caller: GoogleCaller | null): GoogleUserCredentials | null {
  return caller?.kind === 'user' ? caller : null;
}

function unavailable(err: unknown): Authentication {
  if (err instanceof TokenVerificationUnavailableError)
    return { status: 'unavailable', error: err };
  throw err;
}

/** 503 for a token that could not be checked: the caller may retry; their token is not blamed. */
export function unavailableException(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    'Google token verification is unavailable; try again shortly',
  );
}
