import type { Provider } from '@nestjs/common';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import { EndpointsCredentials } from './endpoints-credentials.js';
import { GoogleOAuth2Guard } from './google-oauth2.guard.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';

/** The providers of the endpoints part (callers' tokens), registered by `OAuth2Module`. */
export const ENDPOINTS_PROVIDERS: Provider[] = [
  GoogleTokenVerifier,
  EndpointsAuthenticator,
  EndpointsCredentials,
  GoogleOAuth2Guard,
];

/**
 * What the endpoints part makes injectable in the importing module. `EndpointsAuthenticator`
 * is exported for the guard and `@InjectCredentials()`, which Nest builds in the modules that
 * use them.
 */
export const ENDPOINTS_EXPORTS: NonNullable<Provider>[] = [
  EndpointsAuthenticator,
  EndpointsCredentials,
  GoogleOAuth2Guard,
];
