/**
 * `nestjs-google-oauth2`: the module, its options, callers' credentials, service-account
 * credentials and the token stores that need no optional peer dependency.
 *
 * @packageDocumentation
 */
export { OAuth2Module } from './oauth2.module.js';
export type {
  OAuth2ModuleOptions,
  EndpointsOptions,
  EndpointsServiceAccounts,
  EndpointsIap,
} from './oauth2.options.js';
export { OAUTH2_MODULE_OPTIONS } from './oauth2.module-definition.js';

export type { GoogleUrls } from './google/google-urls.js';
export { DEFAULT_GOOGLE_URLS } from './google/google-urls.js';
export { GoogleOAuth2Error } from './google/google-oauth2.error.js';
export type { GoogleEndpointName } from './google/google-oauth2.error.js';
export { GoogleOAuth2ExceptionFilter } from './google/google-oauth2-exception.filter.js';
export type { GoogleOAuth2ErrorBody } from './google/google-oauth2-exception.filter.js';

export { ServiceAccountCredentialsFactory } from './service-account/service-account-credentials.factory.js';
export type {
  ServiceAccountAccessToken,
  ServiceAccountIdToken,
} from './service-account/service-account-credentials.factory.js';
export type { ServiceAccountKey } from './service-account/service-account-key.js';
export { ServiceAccountKeyError } from './service-account/service-account-key.js';

export { TokenStore } from './stores/token-store.js';
export type { StoredToken, TokenStoreLock } from './stores/token-store.js';
export { MemoryTokenStore } from './stores/memory-token-store.js';
export type { MemoryTokenStoreOptions } from './stores/memory-token-store.js';

// Shared token stores: see docs/token-stores.md. The stores on optional peer dependencies have
// subpaths of their own (nestjs-google-oauth2/cache-manager, nestjs-google-oauth2/datastore), so
// that nothing this entry declares names a package the app may not have installed.
export { TieredTokenStore } from './stores/tiered-token-store.js';
export type { TokenEncryptionKey, TokenEncryptionOptions } from './stores/token-encryption.js';

export { EndpointsCredentials } from './endpoints/endpoints-credentials.js';
export { CallerCredentials } from './endpoints/caller-credentials.js';
export { GoogleUserCredentials } from './endpoints/google-user-credentials.js';
export type {
  GoogleUserIdentity,
  ServiceAccountIdentity,
  IapIdentity,
} from './endpoints/token-verification.js';
export type { GoogleCaller } from './endpoints/google-caller.js';
export { IdentifiedCaller } from './endpoints/identified-caller.js';
export type { CallerIdentity } from './endpoints/identified-caller.js';
export { ServiceAccountCaller } from './endpoints/service-account-caller.js';
export { IapCaller } from './endpoints/iap-caller.js';
export { InjectCredentials } from './endpoints/inject-credentials.decorator.js';
export { Scopes, Public } from './endpoints/scopes.decorator.js';
export { AllowServiceAccounts } from './endpoints/allow-service-accounts.decorator.js';
export { GoogleOAuth2Guard } from './endpoints/google-oauth2.guard.js';
export type { RoutePolicy, BearerChallenge } from './endpoints/google-oauth2.guard.js';
export type { Authentication } from './endpoints/endpoints-authenticator.js';
