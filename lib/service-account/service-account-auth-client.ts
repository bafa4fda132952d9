import { gaxios, OAuth2Client } from 'google-auth-library';
import type { StoredToken } from '../stores/token-store.js';

/** The tokens of one (scopes, user), or the ID tokens of one audience, as the auth client needs them. */
export interface BoundTokenSource {
  token(): Promise<StoredToken>;
  /** The token this process holds while it may be handed out, found without I/O (the warm path). */
  held(): StoredToken | undefined;
  /** Google refused this token: drop it so that the next `token()` mints afresh. */
  invalidate(accessToken: string): Promise<void>;
}

type AccessTokenCallback = Parameters<OAuth2Client['getAccessToken']>[0];
type RequestCallback<T> = (err: Error | null, res?: gaxios.GaxiosResponse<T> | null) => void;

/**
 * A google-auth-library auth client whose tokens come through the token store, so that any
 * googleapis / `@googleapis/*` client takes it as `auth`. The bearer token is an access token
 * (`build`) or an ID token (`buildIdTokenClient`): the client does not care which. It is an `OAuth2Client`, as the
 * library's own `JWT` and `Compute` are, because that is the type those clients' `auth` accepts.
 * When an API answers 401 (the token was revoked or expired early), it drops the token, mints
 * once more and retries once.
 */
export class ServiceAccountAuthClient extends OAuth2Client {
  constructor(
    private readonly tokens: BoundTokenSource,
    transporter: gaxios.Gaxios,
  ) {
    super({ transporter });
  }

  override getAccessToken(): Promise<{ token: string; res: null }>;
  override getAccessToken(callback: AccessTokenCallback): void;
  override getAccessToken(
    callback?: AccessTokenCallback,
  ): Promise<{ token: string; res: null }> | void {
    const result = this.current().then((token) => ({ token: token.accessToken, res: null }));
    if (!callback) return result;
    result.then(
      ({ token }) => callback(null, token),
      (err: Error) => callback(err as never),
    );
  }

  override async getRequestHeaders(): Promise<Headers> {
    const held = this.tokens.held();
    const token = held ? this.remember(held) : await this.current();
    const headers = new Headers({ authorization: `Bearer ${token.accessToken}` });
    // Only a quota project adds a header; without one, skip the lookup (the warm path).
    return this.quotaProjectId ? this.addSharedMetadataHeaders(headers) : headers;
  }

  override request<T>(options: gaxios.GaxiosOptions): Promise<gaxios.GaxiosResponse<T>>;
  override request<T>(options: gaxios.GaxiosOptions, callback: RequestCallback<T>): void;
  override request<T>(
    options: gaxios.GaxiosOptions,
    callback?: RequestCallback<T>,
  ): Promise<gaxios.GaxiosResponse<T>> | void {
    const result = this.requestWithOneRetry<T>(options);
    if (!callback) return result;
    result.then(
      (res) => callback(null, res),
      (err: gaxios.GaxiosError) => callback(err, err.response as gaxios.GaxiosResponse<T>),
    );
  }

  private async requestWithOneRetry<T>(
    options: gaxios.GaxiosOptions,
  ): Promise<gaxios.GaxiosResponse<T>> {
    const first = await this.current();
    try {
      return await this.send<T>(options, first.accessToken);
    } catch (err) {
      if (!isUnauthorized(err) || !isReplayable(options.data)) throw err;
      await this.tokens.invalidate(first.accessToken);
      const fresh = await this.current();
      return this.send<T>(options, fresh.accessToken);
    }
  }

  /** The token, also kept as `credentials` (what google-auth-library's callers read). */
  private current(): Promise<StoredToken> {
    return this.tokens.token().then((token) => this.remember(token));
  }

  private remember(token: StoredToken): StoredToken {
    if (this.credentials.access_token !== token.accessToken) {
      this.credentials = {
        access_token: token.accessToken,
        expiry_date: token.expiresAt,
        token_type: 'Bearer',
      };
    }
    return token;
  }

  private send<T>(
    options: gaxios.GaxiosOptions,
    accessToken: string,
  ): Promise<gaxios.GaxiosResponse<T>> {
    const headers = gaxios.Gaxios.mergeHeaders(options.headers, {
      authorization: `Bearer ${accessToken}`,
    });
    return this.transporter.request<T>({
      ...options,
      headers: this.addSharedMetadataHeaders(headers),
    });
  }
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof gaxios.GaxiosError && err.response?.status === 401;
}

/** A streamed body has been consumed by the first try and cannot be sent again. */
function isReplayable(body: unknown): boolean {
  return !(
    body &&
    typeof body === 'object' &&
    typeof (body as { pipe?: unknown }).pipe === 'function'
  );
}
