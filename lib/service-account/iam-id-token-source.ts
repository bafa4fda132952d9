import type { StoredToken } from '../stores/token-store.js';
import type { IamCredentialsClient } from './iam-credentials-client.js';
import type { IdTokenRequest } from './id-token-request.js';
import { readIdToken } from './id-token-response.js';
import type { TokenSource } from './token-source.js';

/**
 * ID tokens of an impersonated service account: IAM Credentials `generateIdToken`
 * (`{ audience, includeEmail: true }` → `{ token }`); `email` in the token tells the called
 * service who calls.
 */
export class IamIdTokenSource implements TokenSource<IdTokenRequest> {
  constructor(
    private readonly iam: IamCredentialsClient,
    private readonly email: string,
  ) {}

  async token(request: IdTokenRequest): Promise<StoredToken> {
    const data = await this.iam.call<{ token?: unknown }>(this.email, 'generateIdToken', {
      audience: request.audience,
      includeEmail: true,
    });
    return readIdToken('iamcredentials', data?.token);
  }
}
