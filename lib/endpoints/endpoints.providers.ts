import type { Provider } from '@nestjs/common';
import type { OAuth2Config } from '../oauth2.config.js';
import { OAUTH2_CONFIG } from '../oauth2.constants.js';
import { CallerContext } from './caller-context.js';
import { CallerCredentials } from './caller-credentials.js';
import { EndpointsAuthenticator } from './endpoints-authenticator.js';
import { EndpointsBootReport } from './endpoints-boot-report.js';
import { EndpointsCredentials } from './endpoints-credentials.js';
import { ENDPOINTS_OPTIONS } from './endpoints-options.js';
import { GoogleTokenVerifier } from './google-token-verifier.js';

/** The providers of the endpoints part (callers' tokens), registered by `OAuth2Module`. */
export const ENDPOINTS_PROVIDERS: Provider[] = [
  {
    provide: ENDPOINTS_OPTIONS,
    useFactory: (config: OAuth2Config) => config.endpoints,
    inject: [OAUTH2_CONFIG],
  },
  GoogleTokenVerifier,
  EndpointsAuthenticator,
  EndpointsCredentials,
  CallerContext,
  CallerCredentials,
  EndpointsBootReport,
];

/**
 * What the endpoints part makes injectable in the importing module. `EndpointsAuthenticator`
 * is exported for `GoogleOAuth2Guard` and `@InjectCredentials()`'s pipe, which Nest builds in
 * the modules that use them (`@Scopes`, `APP_GUARD`). The guard is not a provider here: the
 * boot report would then see every app as one that takes callers' tokens.
 */
export const ENDPOINTS_EXPORTS: NonNullable<Provider>[] = [
  EndpointsAuthenticator,
  EndpointsCredentials,
  CallerCredentials,
];
