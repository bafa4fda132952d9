import { Injectable } from '@nestjs/common';
import { CallerContext } from './caller-context.js';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import type { GoogleUserCredentials } from './google-user-credentials.js';

/**
 * The current caller's Google credentials from a singleton: what `EndpointsCredentials` gives,
 * without request scope (nothing is built per request; services deep in the call graph stay
 * singletons). Backed by an `AsyncLocalStorage` that `OAuth2Module` sets up for every HTTP
 * request when `endpoints.callerContext` is on. See docs/endpoints.md for which to use when.
 *
 * @publicApi
 */
@Injectable()
export class CallerCredentials {
  constructor(
    private readonly context: CallerContext,
    private readonly authenticator: EndpointsAuthenticator,
  ) {}

  /**
   * The credentials of the caller of the HTTP request being handled, or `null` when it carries
   * no valid token, and for callers that are not Google users (service accounts, IAP callers:
   * `@InjectCredentials()` gives those): a user's credentials can call Google as them, theirs
   * cannot. Rejects with 503 (`ServiceUnavailableException`) when Google could not be
   * asked, and with an `Error` when called outside an HTTP request or with
   * `endpoints.callerContext` off.
   */
  async get(): Promise<GoogleUserCredentials | null> {
    const request = this.context.request();
    if (!request) {
      throw new Error(
        this.context.enabled
          ? 'nestjs-google-oauth2: CallerCredentials.get() was called outside an HTTP request'
          : 'nestjs-google-oauth2: CallerCredentials needs endpoints.callerContext: true in ' +
              "OAuth2Module's options (it keeps each HTTP request's caller in an AsyncLocalStorage)",
      );
    }
    return this.authenticator.credentials(request);
  }
}
