import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { StoredToken } from '../stores/token-store.js';
import type { IdTokenRequest } from './id-token-request.js';
import {
  exchangeIdTokenAssertion,
  idTokenAssertionClaims,
  signAssertion,
} from './jwt-bearer-grant.js';
import type { LoadedServiceAccountKey } from './service-account-key.js';
import type { TokenSource } from './token-source.js';

/**
 * Mints the service account's ID tokens with its own private key: a jwt-bearer assertion that
 * carries `target_audience`, posted to `tokenUrl`, which Google answers with `{ id_token }`.
 */
export class KeyIdTokenSource implements TokenSource<IdTokenRequest> {
  constructor(
    private readonly key: LoadedServiceAccountKey,
    private readonly http: GoogleHttpClient,
    private readonly tokenUrl: string,
  ) {}

  token(request: IdTokenRequest): Promise<StoredToken> {
    const claims = idTokenAssertionClaims(
      this.key.clientEmail,
      this.key.assertionAudience,
      request,
    );
    const assertion = signAssertion(claims, this.key.privateKey, this.key.privateKeyId);
    return exchangeIdTokenAssertion(this.http, this.tokenUrl, assertion);
  }
}
