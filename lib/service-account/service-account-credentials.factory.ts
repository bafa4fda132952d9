import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { OAuth2Client } from 'google-auth-library';
import { GoogleHttpClient } from '../google/google-http-client.js';
import type { OAuth2Config } from '../oauth2.config.js';
import {
  DEFAULT_REFRESH_MARGIN_SECONDS,
  METADATA_REFRESH_MARGIN_SECONDS,
  OAUTH2_CONFIG,
  SHARE_RETRY_MS,
} from '../oauth2.constants.js';
import { TokenStore, type StoredToken } from '../stores/token-store.js';
import { CachedTokenSource } from './cached-token-source.js';
import { GuardedTokenStore } from './guarded-token-store.js';
import { checkAudience, idTokenRequest, type IdTokenRequest } from './id-token-request.js';
import { LocalTokenCache } from './local-token-cache.js';
import { loadCredentials, planMinting } from './minting-plan.js';
import { ServiceAccountAuthClient } from './service-account-auth-client.js';
import { StoreTokenSource } from './store-token-source.js';
import { TokenRequestMemo } from './token-request-memo.js';
import {
  normalizeScopes,
  normalizeSubject,
  tokenRequest,
  type TokenRequest,
  type TokenSource,
} from './token-source.js';

/** An access token for the app's service account. */
export interface ServiceAccountAccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * A Google-signed ID token of the app's service account (or of the impersonated one), for
 * calling a service that checks one: Cloud Run, Cloud Functions, an IAP-protected app.
 */
export interface ServiceAccountIdToken {
  /** The ID token (a JWT) to send as `Authorization: Bearer …`; its `aud` is the audience asked for. */
  token: string;
  /** When the token stops working: its `exp` claim. */
  expiresAt: Date;
}

/** What the factory mints through, built once at boot. */
interface Pipeline {
  /** The local fast path, then the store, then the minting source. */
  tokens: CachedTokenSource;
  /** The same layers, in front of the ID-token source. */
  idTokens: CachedTokenSource<IdTokenRequest>;
  serviceAccountEmail(): Promise<string>;
}

/**
 * Service-account credentials, optionally acting as a Workspace user (domain-wide delegation):
 * Ferris's `build_service_account_credentials(scope, user=None)`; and the account's ID tokens,
 * for calling other services (`getIdToken`, `buildIdTokenClient`). Every token comes through the
 * `TokenStore`, so a fleet of instances mints about once per (scopes, user) per token lifetime;
 * each process keeps the tokens it holds in front of it, so a warm call touches nothing shared.
 */
@Injectable()
export class ServiceAccountCredentialsFactory implements OnModuleInit, OnModuleDestroy {
  /** Set once built: the warm path reads it without awaiting. */
  private pipeline?: Pipeline;
  private building?: Promise<Pipeline>;
  private readonly requests: TokenRequestMemo;
  private readonly idRequests: TokenRequestMemo<IdTokenRequest>;
  /** The store layers built, to stop their background writes at shutdown. */
  private readonly storeSources: Pick<StoreTokenSource, 'close'>[] = [];

  constructor(
    @Inject(OAUTH2_CONFIG) private readonly config: OAuth2Config,
    @Inject(TokenStore) private readonly store: TokenStore,
    private readonly http: GoogleHttpClient,
  ) {
    this.requests = new TokenRequestMemo(config.localCacheMaxEntries);
    this.idRequests = new TokenRequestMemo(config.localCacheMaxEntries);
  }

  /** Reads and checks the service-account key at boot: a bad key fails `app.init()`. */
  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  /** Stops retrying writes to the store (tokens minted during an outage) once the app closes. */
  onModuleDestroy(): void {
    for (const source of this.storeSources) source.close();
  }

  /** A token for `scopes` (a string or a list, any order), as `user` when given. */
  getAccessToken(
    scopes: string | readonly string[],
    user?: string,
  ): Promise<ServiceAccountAccessToken> {
    const held = this.held(scopes, user);
    if (held) return Promise.resolve(accessToken(held));
    return this.fetch(scopes, user).then(accessToken);
  }

  /**
   * An `AuthClient` for googleapis / `@googleapis/*` clients (`auth: factory.build(...)`) whose
   * tokens come through the token store; it re-mints and retries once on a 401.
   */
  build(scopes: string | readonly string[], user?: string): OAuth2Client {
    normalizeScopes(scopes); // refuses bad scopes here rather than at the first request
    return new ServiceAccountAuthClient(
      {
        token: () => {
          const held = this.held(scopes, user);
          return held ? Promise.resolve(held) : this.fetch(scopes, user);
        },
        held: () => this.held(scopes, user),
        invalidate: async (refused) => {
          const pipeline = await this.ready();
          await pipeline.tokens.invalidate(await this.request(pipeline, scopes, user), refused);
        },
      },
      this.http.transporter,
    );
  }

  /**
   * A Google-signed ID token whose `aud` is `audience` (the called service's URL, or the
   * audience it checks), cached like access tokens: one mint per audience per token lifetime
   * across the fleet. Rejects with a `TypeError` when `audience` is not a non-empty string.
   */
  getIdToken(audience: string): Promise<ServiceAccountIdToken> {
    const held = this.heldIdToken(audience);
    if (held) return Promise.resolve(idToken(held));
    return this.fetchIdToken(audience).then(idToken);
  }

  /**
   * An `AuthClient` whose requests carry `Authorization: Bearer <ID token for audience>`: as
   * `auth` of a googleapis-style client, with `client.request(...)`, or with any HTTP client
   * through `await client.getRequestHeaders()` (a `Headers`). Tokens come through the token
   * store; it re-mints and retries once on a 401. Throws a `TypeError` on a bad audience.
   */
  buildIdTokenClient(audience: string): OAuth2Client {
    checkAudience(audience);
    return new ServiceAccountAuthClient(
      {
        token: () => {
          const held = this.heldIdToken(audience);
          return held ? Promise.resolve(held) : this.fetchIdToken(audience);
        },
        held: () => this.heldIdToken(audience),
        invalidate: async (refused) => {
          const pipeline = await this.ready();
          await pipeline.idTokens.invalidate(await this.idRequest(pipeline, audience), refused);
        },
      },
      this.http.transporter,
    );
  }

  /** The warm path of ID tokens: the one this process holds for `audience`, found without I/O. */
  private heldIdToken(audience: string): StoredToken | undefined {
    const pipeline = this.pipeline;
    if (!pipeline || typeof audience !== 'string') return undefined;
    const request = this.idRequests.get(audience, undefined);
    return request && pipeline.idTokens.cached(request);
  }

  private async fetchIdToken(audience: string): Promise<StoredToken> {
    checkAudience(audience);
    const pipeline = await this.ready();
    return pipeline.idTokens.token(await this.idRequest(pipeline, audience));
  }

  /** The request of `audience`, made (hashed with the account) once. */
  private async idRequest(pipeline: Pipeline, audience: string): Promise<IdTokenRequest> {
    const known = this.idRequests.get(audience, undefined);
    if (known) return known;
    const request = idTokenRequest(await pipeline.serviceAccountEmail(), audience);
    this.idRequests.set(audience, undefined, request);
    return request;
  }

  /** The warm path: the token this process holds for these scopes and user, found without I/O. */
  private held(scopes: string | readonly string[], user?: string): StoredToken | undefined {
    const pipeline = this.pipeline;
    if (!pipeline) return undefined;
    const request = this.requests.get(scopes, user);
    return request && pipeline.tokens.cached(request);
  }

  private async fetch(scopes: string | readonly string[], user?: string): Promise<StoredToken> {
    const pipeline = await this.ready();
    return pipeline.tokens.token(await this.request(pipeline, scopes, user));
  }

  /** The request of these scopes and user as spelled, made (normalized, hashed) once. */
  private async request(
    pipeline: Pipeline,
    scopes: string | readonly string[],
    user: string | undefined,
  ): Promise<TokenRequest> {
    const known = this.requests.get(scopes, user);
    if (known) return known;
    const normalized = normalizeScopes(scopes);
    const subject = normalizeSubject(user);
    const request = tokenRequest(await pipeline.serviceAccountEmail(), normalized, subject);
    this.requests.set(scopes, user, request);
    return request;
  }

  private ready(): Promise<Pipeline> {
    this.building ??= this.assemble();
    return this.building;
  }

  private async assemble(): Promise<Pipeline> {
    const { config } = this;
    const key = await loadCredentials(config.serviceAccount);
    const refreshMarginMs =
      config.refreshMarginMs ??
      1000 * (key ? DEFAULT_REFRESH_MARGIN_SECONDS : METADATA_REFRESH_MARGIN_SECONDS);
    const store = new GuardedTokenStore(this.store, config.storeTimeoutMs);
    const local = new LocalTokenCache(config.localCacheMaxEntries);
    const storeOptions = {
      refreshMarginMs,
      lockTtlMs: config.mintLockTtlMs,
      slowLockWaitMs: config.requestTimeoutMs,
      shareRetryMs: SHARE_RETRY_MS,
    };
    // Every source shares the local slots and the store: one token, and one mint, per key.
    const cached = <R extends { readonly key: string }>(source: TokenSource<R>) => {
      const shared = new StoreTokenSource(source, store, storeOptions);
      this.storeSources.push(shared);
      return new CachedTokenSource(shared, local, refreshMarginMs);
    };
    const plan = planMinting(key, this.http, config.urls, cached, config.impersonateServiceAccount);
    this.pipeline = {
      tokens: cached(plan.source),
      idTokens: cached(plan.idTokens),
      serviceAccountEmail: plan.serviceAccountEmail,
    };
    return this.pipeline;
  }
}

function accessToken(token: StoredToken): ServiceAccountAccessToken {
  return { token: token.accessToken, expiresAt: new Date(token.expiresAt) };
}

/** An ID token is kept as `StoredToken` keeps every token: in `accessToken`, with no scopes. */
function idToken(token: StoredToken): ServiceAccountIdToken {
  return { token: token.accessToken, expiresAt: new Date(token.expiresAt) };
}
