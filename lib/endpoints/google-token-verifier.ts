import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { GoogleHttpClient } from '../google/google-http-client.js';
import type { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { OAuth2Config } from '../oauth2.config.js';
import { OAUTH2_CONFIG } from '../oauth2.constants.js';
import { INVALID_TOKEN_CACHE_MS, VERIFICATION_CACHE_MAX_ENTRIES } from './endpoints.constants.js';
import { resolveEndpointsOptions, ResolvedEndpointsOptions } from './endpoints-options.js';
import { GoogleCerts } from './google-certs.js';
import { checkIdTokenClaims, decodeJwt, DecodedJwt, hasValidSignature } from './id-token.js';
import { parseScopeList } from './scopes.js';
import {
  invalid,
  TokenVerification,
  TokenVerificationUnavailableError,
} from './token-verification.js';
import { VerificationCache } from './verification-cache.js';

/**
 * Checks callers' Google tokens. Access tokens: tokeninfo (the token in a POST body, never in
 * a URL). ID tokens (when `acceptIdTokens`): locally, against Google's published keys. Results
 * are cached by a hash of the token: valid until the token expires, invalid for
 * `INVALID_TOKEN_CACHE_MS`; an outage throws `TokenVerificationUnavailableError` and is not
 * cached. Singleton; never touches the token store.
 */
@Injectable()
export class GoogleTokenVerifier implements OnModuleInit {
  private readonly logger = new Logger('OAuth2Module');
  readonly options: ResolvedEndpointsOptions;
  private readonly cache: VerificationCache<TokenVerification>;
  private readonly certs: GoogleCerts;
  private readonly tokenInfoUrl: string;
  /** Whether any endpoints option was given: the app means to take callers' tokens. */
  private readonly configured: boolean;
  private outage = false;
  private configurationReported = false;

  constructor(
    @Inject(OAUTH2_CONFIG) config: OAuth2Config,
    private readonly http: GoogleHttpClient,
  ) {
    this.options = resolveEndpointsOptions(config.endpoints);
    this.tokenInfoUrl = config.urls.tokenInfo;
    this.certs = new GoogleCerts(http, config.urls.certs);
    this.cache = new VerificationCache<TokenVerification>({
      maxEntries: VERIFICATION_CACHE_MAX_ENTRIES,
      keepUntil: (result, now) =>
        result.valid ? result.identity.expiresAt : now + INVALID_TOKEN_CACHE_MS,
    });
    this.configured = Object.values(config.endpoints).some((value) => value !== undefined);
  }

  /** Warns at boot about settings that let any client in, or let nobody in. */
  onModuleInit(): void {
    if (this.options.allowAnyClient) {
      this.logger.warn(
        'endpoints.allowAnyClient is on: a Google token issued to ANY OAuth client is accepted, ' +
          "including tokens a user gave to some other app. List your own clients' ids in " +
          'endpoints.allowedClientIds instead.',
      );
    }
    if (this.configured) this.reportConfiguration();
  }

  /**
   * Warns (once) when no token can be accepted. Called at boot when endpoints options are
   * given, and by the guard, `@InjectCredentials()` and `EndpointsCredentials` when they are
   * created, so that an app that never takes callers' tokens is not warned.
   */
  reportConfiguration(): void {
    if (this.configurationReported) return;
    this.configurationReported = true;
    const { allowAnyClient, allowedClientIds, acceptIdTokens, audiences } = this.options;
    if (!allowAnyClient && allowedClientIds.size === 0) {
      this.logger.warn(
        'endpoints.allowedClientIds is empty: no access token will be accepted. ' +
          "List your OAuth clients' ids in endpoints.allowedClientIds.",
      );
    }
    if (acceptIdTokens && audiences.length === 0) {
      this.logger.warn(
        'endpoints.acceptIdTokens is on but endpoints.audiences is empty: no ID token will be accepted.',
      );
    }
  }

  /**
   * Checks `token`. Resolves to valid (with who it stands for) or invalid; rejects with
   * `TokenVerificationUnavailableError` when Google cannot be asked.
   */
  verify(token: string): Promise<TokenVerification> {
    return this.cache.get(token, () => this.check(token));
  }

  private async check(token: string): Promise<TokenVerification> {
    let result: TokenVerification;
    try {
      const jwt = this.options.acceptIdTokens ? decodeJwt(token) : undefined;
      result = jwt ? await this.checkIdToken(jwt) : await this.checkAccessToken(token);
    } catch (err) {
      if (err instanceof TokenVerificationUnavailableError) this.noteOutage(err);
      throw err;
    }
    this.noteAnswer();
    if (!result.valid) this.logger.debug(`token rejected: ${result.reason}`);
    return result;
  }

  private async checkAccessToken(token: string): Promise<TokenVerification> {
    let info: unknown;
    try {
      const res = await this.http.request<unknown>({
        endpoint: 'tokeninfo',
        method: 'POST',
        url: this.tokenInfoUrl,
        form: { access_token: token },
        retries: 1, // a caller is waiting
      });
      info = res.data;
    } catch (err) {
      const error = err as GoogleOAuth2Error;
      // 400 is tokeninfo's answer for an invalid, expired or revoked token; anything else
      // (5xx, 429, a timeout, a wrong URL) says nothing about the token.
      if (error.status === 400) return invalid(`tokeninfo: ${error.error}`);
      throw new TokenVerificationUnavailableError(error);
    }
    return this.readTokenInfo(info);
  }

  private readTokenInfo(info: unknown): TokenVerification {
    if (!info || typeof info !== 'object') return invalid('tokeninfo: unreadable answer');
    const { azp, aud, sub, scope, exp, expires_in, email, email_verified } = info as Record<
      string,
      unknown
    >;
    const now = Date.now();
    const expiresAt =
      numeric(exp) !== undefined
        ? numeric(exp)! * 1000
        : numeric(expires_in) !== undefined
          ? now + numeric(expires_in)! * 1000
          : undefined;
    if (expiresAt === undefined) return invalid('tokeninfo: no expiry');
    if (expiresAt <= now) return invalid('access token: expired');
    const clientId = typeof azp === 'string' && azp ? azp : typeof aud === 'string' ? aud : '';
    if (!clientId || !this.allowsClient(clientId))
      return invalid('access token: client not allowed');
    if (typeof email !== 'string' || email === '') return invalid('access token: no email scope');
    if (typeof sub !== 'string' || sub === '') return invalid('access token: no user id');
    return {
      valid: true,
      identity: {
        tokenType: 'access_token',
        email,
        emailVerified: email_verified === true || email_verified === 'true',
        userId: sub,
        clientId,
        scopes: Object.freeze(parseScopeList(scope)),
        expiresAt,
      },
    };
  }

  private async checkIdToken(jwt: DecodedJwt): Promise<TokenVerification> {
    if (jwt.header.alg !== 'RS256') return invalid('id token: alg is not RS256');
    const kid = jwt.header.kid;
    if (typeof kid !== 'string' || kid === '') return invalid('id token: no kid');
    const key = await this.certs.key(kid);
    if (!key) return invalid('id token: unknown kid');
    if (!hasValidSignature(jwt, key)) return invalid('id token: bad signature');
    return checkIdTokenClaims(jwt.payload, {
      audiences: this.options.audiences,
      allowsClient: (client) =>
        this.allowsClient(client) || this.options.audiences.includes(client),
    });
  }

  private allowsClient(clientId: string): boolean {
    return this.options.allowAnyClient || this.options.allowedClientIds.has(clientId);
  }

  private noteOutage(err: TokenVerificationUnavailableError): void {
    if (this.outage) {
      this.logger.debug(err.message);
      return;
    }
    this.outage = true;
    this.logger.warn(`${err.message}; callers get 503 until Google answers again`);
  }

  private noteAnswer(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('Google token verification is available again');
  }
}

function numeric(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
