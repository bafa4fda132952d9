import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { GoogleHttpClient } from '../google/google-http-client.js';
import { readBearerToken } from './bearer-token.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';
import { GoogleUserCredentials } from './google-user-credentials.js';
import { bearerSources, RawRequest } from './http-request.js';
import { TokenVerificationUnavailableError } from './token-verification.js';

/**
 * Who the request's caller is:
 * - `anonymous`: no bearer credentials (no `Authorization` header, or another scheme);
 * - `malformed`: bearer credentials that are not one well-formed token;
 * - `invalid`: a token Google does not vouch for (expired, revoked, another client's…);
 * - `unavailable`: Google could not be asked; the token may well be valid;
 * - `authenticated`: a valid token, and the caller's credentials.
 */
export type Authentication =
  | { status: 'anonymous' }
  | { status: 'malformed' }
  | { status: 'invalid' }
  | { status: 'unavailable'; error: TokenVerificationUnavailableError }
  | { status: 'authenticated'; credentials: GoogleUserCredentials };

/**
 * Reads and checks a request's bearer token, once per request: the guard, `@InjectCredentials()`
 * and `EndpointsCredentials` share the result (kept beside the request in a `WeakMap`, so the
 * request object is not touched and nothing outlives it).
 */
@Injectable()
export class EndpointsAuthenticator {
  private readonly perRequest = new WeakMap<object, Promise<Authentication>>();

  constructor(
    readonly verifier: GoogleTokenVerifier,
    private readonly http: GoogleHttpClient,
  ) {}

  /** `realm` of the `WWW-Authenticate` challenge. */
  get realm(): string {
    return this.verifier.options.realm;
  }

  authenticate(request: RawRequest): Promise<Authentication> {
    let authentication = this.perRequest.get(request);
    if (!authentication) {
      authentication = this.check(request);
      this.perRequest.set(request, authentication);
    }
    return authentication;
  }

  /**
   * The caller's credentials, or null without a valid token. Throws 503
   * (`ServiceUnavailableException`) when Google could not be asked.
   */
  async credentials(request: RawRequest): Promise<GoogleUserCredentials | null> {
    const authentication = await this.authenticate(request);
    if (authentication.status === 'unavailable') throw unavailableException();
    return authentication.status === 'authenticated' ? authentication.credentials : null;
  }

  private async check(request: RawRequest): Promise<Authentication> {
    const bearer = readBearerToken(bearerSources(request), {
      allowQueryToken: this.verifier.options.allowQueryToken,
    });
    if (bearer.kind === 'none') return { status: 'anonymous' };
    if (bearer.kind === 'malformed') return { status: 'malformed' };
    let verification;
    try {
      verification = await this.verifier.verify(bearer.token);
    } catch (err) {
      if (err instanceof TokenVerificationUnavailableError) {
        return { status: 'unavailable', error: err };
      }
      throw err;
    }
    if (!verification.valid) return { status: 'invalid' };
    const { identity } = verification;
    return {
      status: 'authenticated',
      credentials: new GoogleUserCredentials({
        accessToken: bearer.token,
        tokenType: identity.tokenType,
        email: identity.email,
        emailVerified: identity.emailVerified,
        userId: identity.userId,
        clientId: identity.clientId,
        scopes: identity.scopes,
        expiresAt: new Date(identity.expiresAt),
        transporter: this.http.transporter,
      }),
    };
  }
}

/** 503 for a token that could not be checked: the caller may retry; their token is not blamed. */
export function unavailableException(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    'Google token verification is unavailable; try again shortly',
  );
}
