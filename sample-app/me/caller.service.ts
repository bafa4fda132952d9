import { Injectable, Scope } from '@nestjs/common';
import { EndpointsCredentials, GoogleUserCredentials } from 'nestjs-google-oauth2';

export type CallerInfo =
  { authenticated: true; credentials: GoogleUserCredentials } | { authenticated: false };

/**
 * A service that needs the caller's credentials. `EndpointsCredentials` is request-scoped, so
 * this service is too (Nest's rule), and so is every controller that injects it. In a
 * controller, prefer `@InjectCredentials()`: it keeps the controller a singleton.
 */
@Injectable({ scope: Scope.REQUEST })
export class CallerService {
  constructor(private readonly credentials: EndpointsCredentials) {}

  /** The caller's credentials; no valid token (none, malformed, invalid) is not an error here. */
  async whoIsCalling(): Promise<CallerInfo> {
    const credentials = await this.credentials.get();
    return credentials ? { authenticated: true, credentials } : { authenticated: false };
  }
}
