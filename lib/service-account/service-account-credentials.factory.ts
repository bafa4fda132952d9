import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { OAuth2Client } from 'google-auth-library';
import { GoogleHttpClient } from '../google/google-http-client.js';
import type { OAuth2Config } from '../oauth2.config.js';
import { OAUTH2_CONFIG } from '../oauth2.constants.js';
import { TokenStore } from '../stores/token-store.js';
import { CachedTokenSource } from './cached-token-source.js';
import { GuardedTokenStore } from './guarded-token-store.js';
import { IamSignedTokenSource } from './iam-signed-token-source.js';
import { KeylessTokenSource } from './keyless-token-source.js';
import { planMinting } from './resolve-token-source.js';
import { ServiceAccountAuthClient } from './service-account-auth-client.js';
import {
  CLOUD_PLATFORM_SCOPE,
  normalizeScopes,
  normalizeSubject,
  TokenRequest,
  TokenSource,
} from './token-source.js';

/** An access token for the app's service account. */
export interface ServiceAccountAccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Service-account credentials, optionally acting as a Workspace user (domain-wide delegation):
 * Ferris's `build_service_account_credentials(scope, user=None)`. Every token comes through the
 * `TokenStore`, so a fleet of instances mints about once per (scopes, user) per token lifetime.
 */
@Injectable()
export class ServiceAccountCredentialsFactory implements OnModuleInit {
  private cache?: Promise<CachedTokenSource>;

  constructor(
    @Inject(OAUTH2_CONFIG) private readonly config: OAuth2Config,
    @Inject(TokenStore) private readonly store: TokenStore,
    private readonly http: GoogleHttpClient,
  ) {}

  /** Reads and checks the service-account key at boot: a bad key fails `app.init()`. */
  async onModuleInit(): Promise<void> {
    await this.tokens();
  }

  /** A token for `scopes` (a string or a list, any order), as `user` when given. */
  async getAccessToken(
    scopes: string | readonly string[],
    user?: string,
  ): Promise<ServiceAccountAccessToken> {
    const token = await (await this.tokens()).token(tokenRequest(scopes, user));
    return { token: token.accessToken, expiresAt: new Date(token.expiresAt) };
  }

  /**
   * An `AuthClient` for googleapis / `@googleapis/*` clients (`auth: factory.build(...)`) whose
   * tokens come through the token store; it re-mints and retries once on a 401.
   */
  build(scopes: string | readonly string[], user?: string): OAuth2Client {
    const request = tokenRequest(scopes, user);
    return new ServiceAccountAuthClient(
      {
        token: async () => (await this.tokens()).token(request),
        invalidate: async (accessToken) => (await this.tokens()).invalidate(request, accessToken),
      },
      this.http.transporter,
    );
  }

  private tokens(): Promise<CachedTokenSource> {
    this.cache ??= this.createCache();
    return this.cache;
  }

  private async createCache(): Promise<CachedTokenSource> {
    const { urls } = this.config;
    const plan = await planMinting(this.config.serviceAccount, this.http, urls);
    let source: TokenSource;
    let cache: CachedTokenSource | undefined;
    if (plan.kind === 'key') {
      source = plan.source;
    } else {
      // Acting as a user without a key: IAM signs the assertion, called with a cloud-platform
      // token of the same account, itself cached like any other.
      const callerToken = async () =>
        (await cache!.token({ scopes: [CLOUD_PLATFORM_SCOPE] })).accessToken;
      const delegated = new IamSignedTokenSource(
        this.http,
        urls,
        () => plan.metadata.serviceAccountEmail(),
        callerToken,
      );
      source = new KeylessTokenSource(plan.metadata, delegated);
    }
    cache = new CachedTokenSource(
      source,
      new GuardedTokenStore(this.store, this.config.storeTimeoutMs),
      {
        refreshMarginMs: this.config.refreshMarginMs,
        lockTtlMs: this.config.requestTimeoutMs + 5_000,
      },
    );
    return cache;
  }
}

function tokenRequest(scopes: string | readonly string[], user?: string): TokenRequest {
  const subject = normalizeSubject(user);
  return { scopes: normalizeScopes(scopes), ...(subject ? { subject } : {}) };
}
