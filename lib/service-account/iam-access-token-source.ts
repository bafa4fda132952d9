import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';
import type { IamCredentialsClient } from './iam-credentials-client.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/** The longest lifetime IAM gives without an organization policy that allows more. */
const LIFETIME = '3600s';

/**
 * Plain access tokens of an impersonated service account: IAM Credentials
 * `generateAccessToken` (`{ scope, lifetime }` → `{ accessToken, expireTime }`). A user's token
 * goes through `IamSignedTokenSource` instead.
 */
export class IamAccessTokenSource implements TokenSource {
  constructor(
    private readonly iam: IamCredentialsClient,
    private readonly email: string,
  ) {}

  async token(request: TokenRequest): Promise<StoredToken> {
    const data = await this.iam.call<{ accessToken?: unknown; expireTime?: unknown }>(
      this.email,
      'generateAccessToken',
      { scope: [...request.scopes], lifetime: LIFETIME },
    );
    const expiresAt = typeof data?.expireTime === 'string' ? Date.parse(data.expireTime) : NaN;
    if (typeof data?.accessToken !== 'string' || !data.accessToken || !Number.isFinite(expiresAt)) {
      throw new GoogleOAuth2Error(
        'iamcredentials',
        'invalid_response',
        'no accessToken or expireTime',
      );
    }
    return { accessToken: data.accessToken, expiresAt, scopes: [...request.scopes] };
  }
}
