import { Inject, Injectable, Logger } from '@nestjs/common';
import { GoogleHttpClient } from '../google/google-http-client.js';
import type { OAuth2Config } from '../oauth2.config.js';
import { OAUTH2_CONFIG } from '../oauth2.constants.js';
import {
  INVALID_TOKEN_CACHE_MAX_ENTRIES,
  INVALID_TOKEN_CACHE_MS,
  VERIFICATION_CACHE_MAX_ENTRIES,
} from './endpoints.constants.js';
import { ENDPOINTS_OPTIONS, type ResolvedEndpointsOptions } from './endpoints-options.js';
import { GoogleCerts } from './google-certs.js';
import { decodeJwt, IdTokenChecker } from './id-token.js';
import { isAccessTokenShaped, TokenInfoChecker } from './tokeninfo.js';
import {
  invalid,
  TokenVerification,
  TokenVerificationUnavailableError,
} from './token-verification.js';
import { VerificationCache } from './verification-cache.js';

/**
 * Checks callers' Google tokens: access tokens with tokeninfo (`TokenInfoChecker`), ID tokens
 * (when `acceptIdTokens`) locally against Google's keys (`IdTokenChecker`). Results are cached
 * by a hash of the token (`VerificationCache`): a valid one until the token expires or
 * `recheckAfterSeconds` pass, an invalid one for `INVALID_TOKEN_CACHE_MS`, apart; an outage
 * throws `TokenVerificationUnavailableError` and is not cached. Singleton; never touches the
 * token store.
 */
@Injectable()
export class GoogleTokenVerifier {
  private readonly logger = new Logger('OAuth2Module');
  readonly #cache: VerificationCache;
  readonly #tokenInfo: TokenInfoChecker;
  readonly #idTokens: IdTokenChecker | undefined;
  #outage = false;

  constructor(
    @Inject(ENDPOINTS_OPTIONS) readonly options: ResolvedEndpointsOptions,
    @Inject(OAUTH2_CONFIG) config: OAuth2Config,
    http: GoogleHttpClient,
  ) {
    this.#tokenInfo = new TokenInfoChecker(http, config.urls.tokenInfo, options);
    this.#idTokens = options.acceptIdTokens
      ? new IdTokenChecker(new GoogleCerts(http, config.urls.certs), options)
      : undefined;
    this.#cache = new VerificationCache({
      maxValid: VERIFICATION_CACHE_MAX_ENTRIES,
      maxInvalid: INVALID_TOKEN_CACHE_MAX_ENTRIES,
      validForMs: options.recheckAfterMs,
      invalidForMs: INVALID_TOKEN_CACHE_MS,
    });
  }

  /**
   * Checks `token`: the kept outcome synchronously when there is one, else a promise of it,
   * which rejects with `TokenVerificationUnavailableError` when Google cannot be asked.
   */
  verify(token: string): TokenVerification | Promise<TokenVerification> {
    return this.#cache.get(token, this.#checkToken);
  }

  /**
   * The kept outcome for `token`, if any: a lookup, no check. `connection`: the socket the
   * token came on (see `VerificationCache.peek`).
   */
  cached(token: string, connection?: object): TokenVerification | undefined {
    return this.#cache.peek(token, connection);
  }

  /** `#check`, bound once: a cache hit allocates no closure. */
  readonly #checkToken = (token: string) => this.#check(token);

  /** The most tokeninfo calls that were in flight at once (for tests and diagnostics). */
  get peakTokenInfoCalls(): number {
    return this.#tokenInfo.peakInFlight;
  }

  async #check(token: string): Promise<TokenVerification> {
    const jwt = this.#idTokens ? decodeJwt(token) : undefined;
    // Not worth a call to Google: cached as invalid like any refused token.
    if (!jwt && !isAccessTokenShaped(token)) return invalid('not shaped like a Google token');
    let result: TokenVerification;
    try {
      result = jwt ? await this.#idTokens!.check(jwt) : await this.#tokenInfo.check(token);
    } catch (err) {
      if (err instanceof TokenVerificationUnavailableError) this.#noteOutage(err);
      throw err;
    }
    this.#noteAnswer();
    if (result.status === 'invalid') this.logger.debug(`token refused: ${result.reason}`);
    if (result.status === 'insufficient_scope') {
      this.logger.debug('token refused: it does not grant the email scope');
    }
    return result;
  }

  #noteOutage(err: TokenVerificationUnavailableError): void {
    if (this.#outage) {
      this.logger.debug(err.message);
      return;
    }
    this.#outage = true;
    this.logger.warn(`${err.message}; callers get 503 until Google answers again`);
  }

  #noteAnswer(): void {
    if (!this.#outage) return;
    this.#outage = false;
    this.logger.log('Google token verification is available again');
  }
}
