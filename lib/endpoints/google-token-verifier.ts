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
import {
  decodeJwt,
  SIGNATURE_REMOVED_REASON,
  IapAssertionChecker,
  IdTokenChecker,
} from './id-token.js';
import { isAccessTokenShaped, TokenInfoChecker } from './tokeninfo.js';
import {
  invalid,
  TokenVerification,
  TokenVerificationUnavailableError,
} from './token-verification.js';
import { VerificationCache } from './verification-cache.js';

/**
 * Checks callers' Google tokens: access tokens with tokeninfo (`TokenInfoChecker`), ID tokens
 * (when `acceptIdTokens` or `serviceAccounts`) locally against Google's keys (`IdTokenChecker`),
 * and IAP assertions (when `iap`) against IAP's keys (`IapAssertionChecker`). Results are cached
 * by a hash of the token (`VerificationCache`; IAP assertions in a cache of their own, so that a
 * string is only ever good where it was sent): a valid one until the token expires or
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
  readonly #iap: { checker: IapAssertionChecker; cache: VerificationCache } | undefined;
  #outage = false;
  #signatureRemovedSeen = false;

  constructor(
    @Inject(ENDPOINTS_OPTIONS) readonly options: ResolvedEndpointsOptions,
    @Inject(OAUTH2_CONFIG) config: OAuth2Config,
    http: GoogleHttpClient,
  ) {
    this.#tokenInfo = new TokenInfoChecker(http, config.urls.tokenInfo, options);
    this.#idTokens = options.readsIdTokens
      ? new IdTokenChecker(new GoogleCerts(http, config.urls.certs), options)
      : undefined;
    const cacheOptions = {
      maxValid: VERIFICATION_CACHE_MAX_ENTRIES,
      maxInvalid: INVALID_TOKEN_CACHE_MAX_ENTRIES,
      validForMs: options.recheckAfterMs,
      invalidForMs: INVALID_TOKEN_CACHE_MS,
    };
    this.#cache = new VerificationCache(cacheOptions);
    this.#iap = options.iap
      ? {
          checker: new IapAssertionChecker(
            new GoogleCerts(http, {
              url: config.urls.iapPublicKeys,
              alg: 'ES256',
              endpoint: 'iapKeys',
            }),
            options.iap.audiences,
          ),
          cache: new VerificationCache(cacheOptions),
        }
      : undefined;
  }

  /**
   * Checks an IAP assertion (`endpoints.iap` must be set): the kept outcome synchronously when
   * there is one, else a promise of it, as `verify` does.
   */
  verifyIapAssertion(assertion: string): TokenVerification | Promise<TokenVerification> {
    return this.#iap!.cache.get(assertion, this.#checkIapAssertion);
  }

  /** The kept outcome for an IAP assertion, if any (see `cached`). */
  cachedIapAssertion(assertion: string, connection?: object): TokenVerification | undefined {
    return this.#iap!.cache.peek(assertion, connection);
  }

  readonly #checkIapAssertion = (assertion: string) =>
    this.#settle(this.#iap!.checker.check(assertion));

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
    return this.#settle(jwt ? this.#idTokens!.check(jwt) : this.#tokenInfo.check(token));
  }

  /** Notes an outage or an answer, and logs why a token was refused (never the token). */
  async #settle(checking: Promise<TokenVerification>): Promise<TokenVerification> {
    let result: TokenVerification;
    try {
      result = await checking;
    } catch (err) {
      if (err instanceof TokenVerificationUnavailableError) this.#noteOutage(err);
      throw err;
    }
    this.#noteAnswer();
    if (result.status === 'invalid') this.#noteRefusal(result.reason);
    if (result.status === 'insufficient_scope') {
      this.logger.debug('token refused: it does not grant the email scope');
    }
    return result;
  }

  #noteRefusal(reason: string): void {
    if (reason === SIGNATURE_REMOVED_REASON && !this.#signatureRemovedSeen) {
      // A setup mistake, not an attack: say it once, where the operator looks.
      this.#signatureRemovedSeen = true;
      this.logger.warn(
        'an ID token arrived with its signature removed by Google (SIGNATURE_REMOVED_BY_GOOGLE): ' +
          "Cloud Run's invoker check is on for this service and strips the signature of the " +
          'token it checked, so it cannot be verified here; see docs/service-to-service.md',
      );
      return;
    }
    this.logger.debug(`token refused: ${reason}`);
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
