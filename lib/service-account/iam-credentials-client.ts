import type { GoogleHttpClient } from '../google/google-http-client.js';
import {
  CLOUD_PLATFORM_SCOPE,
  tokenRequest,
  type TokenRequest,
  type TokenSource,
} from './token-source.js';

/** Which IAM Credentials methods the library calls. */
export type IamCredentialsMethod = 'signJwt' | 'generateAccessToken' | 'generateIdToken';

/**
 * Calls IAM Credentials (`…/v1/projects/-/serviceAccounts/{email}:{method}`) as the app's own
 * credentials: with a cloud-platform token of `caller`, from `callerTokens` (a cached source,
 * so that this costs no extra mint). The account called on may be the caller itself (signJwt
 * without a key) or another one it may impersonate (roles/iam.serviceAccountTokenCreator).
 */
export class IamCredentialsClient {
  private callerRequest?: TokenRequest;

  constructor(
    private readonly http: GoogleHttpClient,
    private readonly iamCredentialsUrl: string,
    private readonly caller: { serviceAccountEmail(): Promise<string> },
    private readonly callerTokens: TokenSource,
  ) {}

  async call<T>(
    email: string,
    method: IamCredentialsMethod,
    body: unknown,
  ): Promise<T | undefined> {
    this.callerRequest ??= tokenRequest(await this.caller.serviceAccountEmail(), [
      CLOUD_PLATFORM_SCOPE,
    ]);
    const caller = await this.callerTokens.token(this.callerRequest);
    const base = this.iamCredentialsUrl;
    const url = new URL(
      `v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:${method}`,
      base.endsWith('/') ? base : `${base}/`,
    );
    const { data } = await this.http.request<T>({
      endpoint: 'iamcredentials',
      method: 'POST',
      url: url.toString(),
      headers: { authorization: `Bearer ${caller.accessToken}` },
      json: body,
    });
    return data;
  }
}
