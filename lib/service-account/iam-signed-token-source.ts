import type { GoogleHttpClient } from '../google/google-http-client.js';
import { GOOGLE_TOKEN_AUDIENCES } from '../google/google-urls.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';
import { assertionClaims, exchangeAssertion } from './jwt-bearer-grant.js';
import {
  CLOUD_PLATFORM_SCOPE,
  tokenRequest,
  type TokenRequest,
  type TokenSource,
} from './token-source.js';

/**
 * Domain-wide delegation without a private key: IAM Credentials `signJwt` signs the assertion
 * as the service account, then the token endpoint trades it as usual. IAM is called with a
 * cloud-platform token of the service account itself, from `callerTokens` (a cached source,
 * so that this costs no extra mint).
 */
export class IamSignedTokenSource implements TokenSource {
  private callerRequest?: TokenRequest;

  constructor(
    private readonly http: GoogleHttpClient,
    private readonly urls: { iamCredentials: string; token: string },
    private readonly account: { serviceAccountEmail(): Promise<string> },
    private readonly callerTokens: TokenSource,
  ) {}

  async token(request: TokenRequest): Promise<StoredToken> {
    const email = await this.account.serviceAccountEmail();
    this.callerRequest ??= tokenRequest(email, [CLOUD_PLATFORM_SCOPE]);
    const caller = await this.callerTokens.token(this.callerRequest);
    const claims = assertionClaims(email, GOOGLE_TOKEN_AUDIENCES[0]!, request);
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
      headers: { authorization: `Bearer ${caller.accessToken}` },
      json: { payload: JSON.stringify(claims) },
    });
    if (typeof data?.signedJwt !== 'string') {
      throw new GoogleOAuth2Error('iamcredentials', 'invalid_response', 'no signedJwt');
    }
    return exchangeAssertion(this.http, this.urls.token, data.signedJwt, request);
  }
}
