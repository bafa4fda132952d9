import { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { ACCESS_TOKEN_MAX_LENGTH, ACCESS_TOKEN_MIN_LENGTH } from './endpoints.constants.js';
import { allowsClient, type ResolvedEndpointsOptions } from './endpoints-options.js';
import { EMAIL_SCOPE, parseScopeList } from './scopes.js';
import {
  authenticated,
  invalid,
  TokenVerification,
  TokenVerificationUnavailableError,
  verifiedUser,
} from './token-verification.js';

const ACCESS_TOKEN_SHAPE = new RegExp(
  `^[A-Za-z0-9._-]{${ACCESS_TOKEN_MIN_LENGTH},${ACCESS_TOKEN_MAX_LENGTH}}$`,
);

/**
 * Whether `token` can be a Google access token at all: base64url characters and dots, of a
 * length Google's tokens have. Anything else is refused without asking Google.
 */
export function isAccessTokenShaped(token: string): boolean {
  return ACCESS_TOKEN_SHAPE.test(token);
}

/**
 * Checks access tokens (see `isAccessTokenShaped`) with Google's tokeninfo endpoint: the token
 * in a POST body (never in a URL), at most `maxConcurrentTokenInfoCalls` calls in flight; a check that cannot get a turn
 * within the request timeout is "unavailable" (503), never "invalid".
 */
export class TokenInfoChecker {
  readonly #limit: ConcurrencyLimit;

  constructor(
    private readonly http: GoogleHttpClient,
    private readonly url: string,
    private readonly options: ResolvedEndpointsOptions,
  ) {
    this.#limit = new ConcurrencyLimit(options.maxConcurrentTokenInfoCalls);
  }

  /** The most tokeninfo calls that were in flight at once. */
  get peakInFlight(): number {
    return this.#limit.peak;
  }

  /**
   * Resolves to the token's outcome; rejects with `TokenVerificationUnavailableError` when
   * Google could not be asked.
   */
  async check(token: string): Promise<TokenVerification> {
    let info: unknown;
    try {
      info = await this.#limit.run(
        () => this.#ask(token),
        this.http.timeoutMs,
        () =>
          new GoogleOAuth2Error(
            'tokeninfo',
            'timeout',
            `no turn among ${this.#limit.max} tokeninfo calls in flight within ${this.http.timeoutMs} ms`,
          ),
      );
    } catch (err) {
      const error = err as GoogleOAuth2Error;
      // 400 is tokeninfo's answer for an invalid, expired or revoked token; anything else
      // (5xx, 429, a timeout, a wrong URL) says nothing about the token.
      if (error.status === 400) return invalid(`tokeninfo: ${error.error}`);
      throw new TokenVerificationUnavailableError(error);
    }
    return this.#read(info);
  }

  async #ask(token: string): Promise<unknown> {
    const res = await this.http.request<unknown>({
      endpoint: 'tokeninfo',
      method: 'POST',
      url: this.url,
      form: { access_token: token },
      retries: 1, // a caller is waiting
    });
    return res.data;
  }

  #read(info: unknown): TokenVerification {
    if (!info || typeof info !== 'object') return invalid('tokeninfo: unreadable answer');
    const { azp, aud, sub, scope, exp, expires_in, email, email_verified } = info as Record<
      string,
      unknown
    >;
    const now = Date.now();
    const expSeconds = numeric(exp);
    const expiresInSeconds = numeric(expires_in);
    const expiresAt =
      expSeconds !== undefined
        ? expSeconds * 1000
        : expiresInSeconds !== undefined
          ? now + expiresInSeconds * 1000
          : undefined;
    if (expiresAt === undefined) return invalid('tokeninfo: no expiry');
    if (expiresAt <= now) return invalid('access token: expired');
    const clientId = typeof azp === 'string' && azp ? azp : typeof aud === 'string' ? aud : '';
    if (!clientId || !allowsClient(this.options, clientId)) {
      return invalid('access token: client not allowed');
    }
    // A valid token that does not say who the user is (tokeninfo then sends no `email`, and no
    // `sub` without another identity scope): the caller must ask for the email scope.
    if (typeof email !== 'string' || email === '') {
      return { status: 'insufficient_scope', scope: EMAIL_SCOPE, expiresAt };
    }
    if (typeof sub !== 'string' || sub === '') return invalid('access token: no user id');
    const emailVerified = email_verified === true || email_verified === 'true';
    if (!emailVerified && !this.options.allowUnverifiedEmails) {
      return invalid('access token: email not verified');
    }
    return authenticated(
      verifiedUser({
        tokenType: 'access_token',
        email,
        emailVerified,
        userId: sub,
        clientId,
        scopes: parseScopeList(scope),
        expiresAt,
      }),
    );
  }
}

function numeric(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
