import { Inject, Injectable, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import type { GoogleUserCredentials } from './google-user-credentials.js';
import { httpOnlyError, rawRequest } from './http-request.js';

/**
 * The current caller's Google credentials, for services: Ferris's
 * `get_endpoints_credentials()`. Request-scoped (so is whatever injects it, Nest's rule: Nest
 * builds it and its dependents again for every request). In a singleton controller prefer
 * `@InjectCredentials()`; in a singleton service, `CallerCredentials`. Never stored in the
 * token store.
 *
 * @publicApi
 */
@Injectable({ scope: Scope.REQUEST })
export class EndpointsCredentials {
  constructor(
    @Inject(REQUEST) private readonly request: unknown,
    private readonly authenticator: EndpointsAuthenticator,
  ) {}

  /**
   * The caller's credentials, or `null` when the request carries no valid token, and for callers
   * that are not Google users (service accounts, IAP callers: `@InjectCredentials()` gives
   * those): a user's credentials can call Google as them, theirs cannot. Rejects with
   * 503 (`ServiceUnavailableException`) when Google could not be asked.
   */
  async get(): Promise<GoogleUserCredentials | null> {
    const request = rawRequest(this.request);
    if (!request) throw httpOnlyError('EndpointsCredentials', 'non-HTTP');
    return this.authenticator.credentials(request);
  }
}
