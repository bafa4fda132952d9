import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { GoogleHttpClient } from '../google/google-http-client.js';
import { isWellFormedToken, MALFORMED_BEARER, NO_BEARER, readBearerToken } from './bearer-token.js';
import { ENDPOINTS_OPTIONS, type ResolvedEndpointsOptions } from './endpoints-options.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';
import { GoogleUserCredentials } from './google-user-credentials.js';
import type { RawRequest } from './http-request.js';
import { TokenVerification, TokenVerificationUnavailableError } from './token-verification.js';

/**
 * Who the request's caller is:
 * - `anonymous`: no bearer credentials (no `Authorization` header, or another scheme);
 * - `malformed`: bearer credentials that are not one well-formed token;
 * - `invalid`: a token Google does not vouch for (expired, revoked, another client's…);
 * - `insufficient_scope`: a valid token that does not say who the user is (no email scope);
 * - `unavailable`: Google could not be asked; the token may well be valid;
 * - `authenticated`: a valid token, and who it stands for (`identity`).
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
 * Reads and checks a request's bearer token, once per request: the guard, `@InjectCredentials()`,
 * `EndpointsCredentials` and `CallerCredentials` share the outcome. On a cache hit everything is
 * synchronous, and nothing is allocated but what the caller asks for (`GoogleUserCredentials`).
 *
 * The outcome is kept on the Node request under a symbol of this instance's own (so two
 * `OAuth2Module` configurations in one app never mix their results, and nothing outlives the
 * request). Outcomes are shared objects from the verification cache, never copied per request.
 */
@Injectable()
export class EndpointsAuthenticator {
  readonly #outcome = Symbol('nestjs-google-oauth2:authentication');
  readonly #credentials = Symbol('nestjs-google-oauth2:credentials');

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
   * The caller's credentials, or null without a valid token (synchronously on a cache hit).
   * Throws (rejects with) 503, a `ServiceUnavailableException`, when Google could not be asked.
   * One object per request, made on first demand.
   */
  credentials(
    request: RawRequest,
  ): GoogleUserCredentials | null | Promise<GoogleUserCredentials | null> {
    const slots = request as unknown as Slots;
    const made = slots[this.#credentials] as GoogleUserCredentials | undefined;
    if (made !== undefined) return made;
    const outcome = this.authenticate(request);
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#credentialsOf(request, settled))
      : this.#credentialsOf(request, outcome);
  }

  #credentialsOf(request: RawRequest, outcome: Authentication): GoogleUserCredentials | null {
    if (outcome.status === 'unavailable') throw unavailableException();
    if (outcome.status !== 'authenticated') return null;
    // The token is read again rather than kept: only the request holds it. It was accepted, so
    // its syntax needs no second check.
    const token = readBearerToken(request, this.options.allowQueryToken, false) as string;
    const credentials = new GoogleUserCredentials(token, outcome.identity, this.http.transporter);
    (request as unknown as Slots)[this.#credentials] = credentials;
    return credentials;
  }

  #check(request: RawRequest): Authentication | Promise<Authentication> {
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
