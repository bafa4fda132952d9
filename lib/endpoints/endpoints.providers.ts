import type { Provider } from '@nestjs/common';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import { EndpointsCredentials } from './endpoints-credentials.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';

/** The providers of the endpoints part (callers' tokens), registered by `OAuth2Module`. */
export const ENDPOINTS_PROVIDERS: Provider[] = [
  GoogleTokenVerifier,
  EndpointsAuthenticator,
  EndpointsCredentials,
];

/**
 * What the endpoints part makes injectable in the importing module. `EndpointsAuthenticator`
 * is exported for `GoogleOAuth2Guard` and `@InjectCredentials()`'s pipe, which Nest builds in
 * the modules that use them (`@Scopes`, `APP_GUARD`). The guard is not a provider here: one
 * built eagerly by this module would report the endpoints configuration of apps that never
 * take callers' tokens.
 */
export const ENDPOINTS_EXPORTS: NonNullable<Provider>[] = [
  EndpointsAuthenticator,
  EndpointsCredentials,
];
