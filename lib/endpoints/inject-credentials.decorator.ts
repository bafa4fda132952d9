import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import type { GoogleUserCredentials } from './google-user-credentials.js';
import { httpRequestOf, RawRequest } from './http-request.js';

/** What the parameter factory hands the pipe: the request, marked as ours. */
class CredentialsParam {
  constructor(readonly request: RawRequest) {}
}

/**
 * Turns the request into the caller's credentials, with the module's authenticator (a pipe,
 * so that Nest injects it). Shares the guard's check of the same request.
 */
@Injectable()
export class InjectCredentialsPipe implements PipeTransform<
  unknown,
  Promise<GoogleUserCredentials | null>
> {
  constructor(private readonly authenticator: EndpointsAuthenticator) {
    authenticator.verifier.reportConfiguration();
  }

  transform(value: unknown): Promise<GoogleUserCredentials | null> {
    if (!(value instanceof CredentialsParam)) {
      throw new Error(
        'nestjs-google-oauth2: @InjectCredentials() got no request: a pipe ran before it ' +
          'replaced the value (disable validateCustomDecorators for it)',
      );
    }
    return this.authenticator.credentials(value.request);
  }
}

const credentialsParam = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    new CredentialsParam(httpRequestOf(context, '@InjectCredentials()')),
);

/**
 * The caller's `GoogleUserCredentials` as a handler parameter, or `null` when the request
 * carries no valid token; 503 when Google could not be asked. The controller stays a
 * singleton. Under `@Scopes(...)` the guard has checked the token already (once per request).
 */
export function InjectCredentials(): ParameterDecorator {
  return credentialsParam(InjectCredentialsPipe);
}
