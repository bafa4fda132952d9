import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { OAuth2Module } from 'nestjs-google-oauth2';
import { AppController } from './app.controller.js';
import { GoogleBackend } from './google/google-backend.js';
import { GoogleOAuth2ErrorFilter } from './google/google-oauth2-error.filter.js';
import { GoogleModule } from './google/google.module.js';
import { MeModule } from './me/me.module.js';
import { ServiceAccountModule } from './service-account/service-account.module.js';
import { sampleConfig } from './sample.config.js';

@Module({
  imports: [
    // Settings come from environment variables only (add envFilePath to read a .env file).
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [sampleConfig] }),
    // isGlobal: every module sees ServiceAccountCredentialsFactory, EndpointsCredentials and
    // what @Scopes / @InjectCredentials need, without importing OAuth2Module again.
    OAuth2Module.forRootAsync({
      isGlobal: true,
      imports: [GoogleModule],
      inject: [GoogleBackend],
      useFactory: (google: GoogleBackend) => ({
        serviceAccount: google.serviceAccount,
        google: google.urls,
        endpoints: { allowedClientIds: google.allowedClientIds },
        // No tokenStore: the default in-memory store.
      }),
    }),
    GoogleModule,
    MeModule,
    ServiceAccountModule,
  ],
  controllers: [AppController],
  providers: [{ provide: APP_FILTER, useClass: GoogleOAuth2ErrorFilter }],
})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class AppModule {}
