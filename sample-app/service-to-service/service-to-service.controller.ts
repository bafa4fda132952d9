import { Controller, Get, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import {
  AllowServiceAccounts,
  type GoogleCaller,
  InjectCredentials,
  ServiceAccountCredentialsFactory,
} from 'nestjs-google-oauth2';
import { sampleConfig, type SampleConfig } from '../sample.config.js';

/**
 * Service-to-service identity, both halves in one app: `/call` calls this app's own `/whoami`
 * the way one Cloud Run service calls another, with a Google-signed ID token of the app's
 * service account; `/whoami` admits only the service accounts of `CALLER_SERVICE_ACCOUNTS`
 * (in emulator mode, the demo service account) whose token is for `SERVICE_AUDIENCE`.
 */
@Controller('service-to-service')
export class ServiceToServiceController {
  constructor(
    private readonly factory: ServiceAccountCredentialsFactory,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(sampleConfig.KEY) private readonly config: SampleConfig,
  ) {}

  /**
   * Open, so that it can be tried with curl. Answers what `/whoami` saw: the calling service
   * account, never the token.
   */
  @Get('call')
  async call() {
    const client = this.factory.buildIdTokenClient(this.config.serviceAudience);
    const { data } = await client.request<Record<string, unknown>>({
      url: `${this.ownUrl()}/service-to-service/whoami`,
    });
    return { calledWith: 'an ID token of the service account', whoami: data };
  }

  /** Service accounts only: a user's token gets 403, no token 401. */
  @AllowServiceAccounts()
  @Get('whoami')
  whoami(@InjectCredentials() caller: GoogleCaller) {
    return caller;
  }

  /**
   * Where this app listens, from its own server: never from the request's `Host` header, which
   * the caller chooses (the ID token would go wherever it says).
   */
  private ownUrl(): string {
    const server = this.adapterHost.httpAdapter.getHttpServer() as {
      address(): AddressInfo | string | null;
    };
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening');
    return `http://127.0.0.1:${address.port}`;
  }
}
