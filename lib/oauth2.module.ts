import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CallerContext } from './endpoints/caller-context.js';
import { ENDPOINTS_EXPORTS, ENDPOINTS_PROVIDERS } from './endpoints/endpoints.providers.js';
import { ConfigurableOAuth2Module } from './oauth2.module-definition.js';
import { CORE_PROVIDERS } from './oauth2.providers.js';
import { ServiceAccountCredentialsFactory } from './service-account/service-account-credentials.factory.js';
import { TokenStore } from './stores/token-store.js';

/**
 * Google OAuth2 for Nest: callers' tokens (`@Scopes`, `@InjectCredentials`,
 * `EndpointsCredentials`, `CallerCredentials`) and service-account tokens through a shared
 * token store (`ServiceAccountCredentialsFactory`). Configure with `forRoot` or `forRootAsync`.
 *
 * @publicApi
 */
@Module({
  providers: [...CORE_PROVIDERS, ServiceAccountCredentialsFactory, ...ENDPOINTS_PROVIDERS],
  exports: [ServiceAccountCredentialsFactory, TokenStore, ...ENDPOINTS_EXPORTS],
})
export class OAuth2Module extends ConfigurableOAuth2Module implements NestModule {
  /**
   * The module with these options (`isGlobal: true` to make its providers global). The options
   * are checked when the module initialises: a bad key fails the boot with a message naming it.
   */
  declare static forRoot: (typeof ConfigurableOAuth2Module)['forRoot'];
  /**
   * The module with options made at boot: `useFactory` with `imports` and `inject`, or
   * `useClass` / `useExisting` with a `createOAuth2Options()` method; `isGlobal` as in `forRoot`.
   */
  declare static forRootAsync: (typeof ConfigurableOAuth2Module)['forRootAsync'];

  constructor(private readonly callerContext: CallerContext) {
    super();
  }

  /** Sets up the caller context for `CallerCredentials` when `endpoints.callerContext` is on. */
  configure(consumer: MiddlewareConsumer): void {
    this.callerContext.install(consumer);
  }
}
