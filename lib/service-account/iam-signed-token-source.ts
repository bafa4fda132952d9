import { GOOGLE_TOKEN_AUDIENCES } from '../google/google-urls.js';
import type { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';
import type { IamCredentialsClient } from './iam-credentials-client.js';
import { assertionClaims, exchangeAssertion } from './jwt-bearer-grant.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/**
 * Domain-wide delegation without a private key: IAM Credentials `signJwt` signs the assertion
 * as `account` (the app's own, or the one it impersonates), then the token endpoint trades it
 * as usual.
 */
export class IamSignedTokenSource implements TokenSource {
  constructor(
    private readonly iam: IamCredentialsClient,
    private readonly http: GoogleHttpClient,
    private readonly tokenUrl: string,
    private readonly account: { serviceAccountEmail(): Promise<string> },
  ) {}

  async token(request: TokenRequest): Promise<StoredToken> {
    const email = await this.account.serviceAccountEmail();
    const claims = assertionClaims(email, GOOGLE_TOKEN_AUDIENCES[0]!, request);
    const data = await this.iam.call<{ signedJwt?: unknown }>(email, 'signJwt', {
      payload: JSON.stringify(claims),
    });
    if (typeof data?.signedJwt !== 'string') {
      throw new GoogleOAuth2Error('iamcredentials', 'invalid_response', 'no signedJwt');
    }
    return exchangeAssertion(this.http, this.tokenUrl, data.signedJwt, request);
  }
}
