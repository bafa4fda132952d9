import { Module } from '@nestjs/common';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { createKeyv } from '@keyv/redis';
import type { Cache } from 'cache-manager';
import { GoogleOAuth2ExceptionFilter, OAuth2Module } from 'nestjs-google-oauth2';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { AppController } from './app.controller.js';
import { GoogleBackend } from './google/google-backend.js';
import { GoogleModule } from './google/google.module.js';
import { MeModule } from './me/me.module.js';
import { ServiceAccountModule } from './service-account/service-account.module.js';
import { ServiceToServiceModule } from './service-to-service/service-to-service.module.js';
import { sampleConfig, type SampleConfig } from './sample.config.js';

@Module({
  imports: [
    // Settings come from environment variables only (add envFilePath to read a .env file).
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [sampleConfig] }),
    // isGlobal: every module sees ServiceAccountCredentialsFactory, EndpointsCredentials and
    // what @Scopes / @InjectCredentials need, without importing OAuth2Module again.
    OAuth2Module.forRootAsync({
      isGlobal: true,
      imports: [
        GoogleModule,
        // The app's cache: on Redis when REDIS_URL is set (closed with the app).
        CacheModule.registerAsync({
          inject: [sampleConfig.KEY],
          useFactory: ({ redisUrl }: SampleConfig) => ({
            stores: redisUrl
              ? [createKeyv({ url: redisUrl, disableOfflineQueue: true })]
              : undefined,
          }),
        }),
      ],
      inject: [GoogleBackend, sampleConfig.KEY, CACHE_MANAGER],
      useFactory: (google: GoogleBackend, config: SampleConfig, cache: Cache) => ({
        serviceAccount: google.serviceAccount,
        google: google.urls,
        endpoints: {
          allowedClientIds: google.allowedClientIds,
          // Other services calling as their service account, with an ID token for this one.
          ...(google.callerServiceAccounts.length > 0
            ? {
                serviceAccounts: {
                  audiences: [config.serviceAudience],
                  allowed: google.callerServiceAccounts,
                },
              }
            : {}),
        },
        // REDIS_URL: minted tokens shared through Redis by every instance, which also take
        // Redis's lock so that one of them mints per token. Else the default in-memory store.
        tokenStore: config.redisUrl ? new CacheManagerTokenStore(cache) : undefined,
      }),
    }),
    GoogleModule,
    MeModule,
    ServiceAccountModule,
    ServiceToServiceModule,
  ],
  controllers: [AppController],
  providers: [{ provide: APP_FILTER, useClass: GoogleOAuth2ExceptionFilter }],
})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class AppModule {}
