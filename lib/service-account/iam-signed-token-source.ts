import type { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import { assertionClaims, exchangeAssertion } from './jwt-bearer-grant.js';
import type { MintedToken, TokenRequest, TokenSource } from './token-source.js';

/**
 * Domain-wide delegation without a private key: IAM Credentials `signJwt` signs the assertion
 * as the service account, then the token endpoint trades it as usual. The call to IAM is made
 * with a cloud-platform token of the service account itself (`callerToken`).
 */
export class IamSignedTokenSource implements TokenSource {
  constructor(
    private readonly http: GoogleHttpClient,
    private readonly urls: { iamCredentials: string; token: string },
    readonly serviceAccountEmail: () => Promise<string>,
    private readonly callerToken: () => Promise<string>,
  ) {}

  async mint(request: TokenRequest): Promise<MintedToken> {
    const email = await this.serviceAccountEmail();
    const claims = assertionClaims(email, this.urls.token, request);
    const url = new URL(
      `v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:signJwt`,
      this.urls.iamCredentials.endsWith('/')
        ? this.urls.iamCredentials
        : `${this.urls.iamCredentials}/`,
    );
    const { data } = await this.http.request<{ signedJwt?: unknown }>({
      endpoint: 'iamcredentials',
      method: 'POST',
      url: url.toString(),
      headers: { authorization: `Bearer ${await this.callerToken()}` },
      json: { payload: JSON.stringify(claims) },
    });
    if (typeof data?.signedJwt !== 'string') {
      throw new GoogleOAuth2Error('iamcredentials', 'invalid_response', 'no signedJwt');
    }
    return exchangeAssertion(this.http, this.urls.token, data.signedJwt);
  }
}
