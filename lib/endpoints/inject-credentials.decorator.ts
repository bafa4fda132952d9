import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import type { GoogleCaller } from './google-caller.js';
import { httpRequestOf } from './http-request.js';

/** Where `CallerCheckGuard` leaves the route's caller (or `null`) on the Node request. */
const INJECTED_CREDENTIALS = Symbol('nestjs-google-oauth2:injected-credentials');

type WithCredentials = Record<typeof INJECTED_CREDENTIALS, GoogleCaller | null | undefined>;

/**
 * What `@InjectCredentials()` adds to its route: finds the caller before the handler runs and leaves them on the request for the parameter. It never refuses a request
 * (no token: `null`), but answers 503 when Google could not be asked. A guard rather than a
 * pipe: a guard that answers at once costs Nest a call, a pipe a chain of promises. On a route
 * under `GoogleOAuth2Guard` both share one check of the request; on a cache hit this one is
 * synchronous.
 */
@Injectable()
export class CallerCheckGuard implements CanActivate {
  constructor(private readonly authenticator: EndpointsAuthenticator) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    const request = httpRequestOf(context, '@InjectCredentials()') as unknown as WithCredentials;
    const credentials = this.authenticator.caller(request as never);
    if (credentials instanceof Promise) {
      return credentials.then((found) => {
        request[INJECTED_CREDENTIALS] = found;
        return true;
      });
    }
    request[INJECTED_CREDENTIALS] = credentials;
    return true;
  }
}

const credentialsParam = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = httpRequestOf(context, '@InjectCredentials()') as unknown as WithCredentials;
  const credentials = request[INJECTED_CREDENTIALS];
  if (credentials === undefined) {
    throw new Error(
      'nestjs-google-oauth2: @InjectCredentials() found no credentials: its guard did not run ' +
        'for this request',
    );
  }
  return credentials;
});

/**
 * The caller as a handler parameter: a `GoogleCaller`, told apart by `kind` (a user's
 * `GoogleUserCredentials`, a `ServiceAccountCaller`, an `IapCaller`), or `null` when the
 * request carries no valid token; 503 when Google could not be asked. On a route that admits
 * users only (`@Scopes`), it is always a `GoogleUserCredentials`. The controller stays a
 * singleton. Under `@Scopes(...)` the token is checked once per request, by whichever comes
 * first. Applies `CallerCheckGuard` to the handler, which the controller's module must be able
 * to build (it sees `OAuth2Module`'s exports).
 *
 * @publicApi
 */
export function InjectCredentials(): ParameterDecorator {
  const param = credentialsParam();
  const guard = UseGuards(CallerCheckGuard);
  return (target, key, index) => {
    param(target, key, index);
    if (key === undefined) {
      throw new TypeError('@InjectCredentials() is for the parameters of route handlers');
    }
    guard(target, key, Reflect.getOwnPropertyDescriptor(target, key)!);
  };
}
