import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { StoredToken } from '../stores/token-store.js';
import { assertionClaims, exchangeAssertion, signAssertion } from './jwt-bearer-grant.js';
import type { LoadedServiceAccountKey } from './service-account-key.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/**
 * Mints with the service account's own private key: a locally signed jwt-bearer assertion,
 * posted to `tokenUrl` (Google's, or a proxy in front of it) and addressed to Google's token URL.
 */
export class KeyTokenSource implements TokenSource {
  constructor(
    private readonly key: LoadedServiceAccountKey,
    private readonly http: GoogleHttpClient,
    private readonly tokenUrl: string,
  ) {}

  token(request: TokenRequest): Promise<StoredToken> {
    const claims = assertionClaims(this.key.clientEmail, this.key.assertionAudience, request);
    const assertion = signAssertion(claims, this.key.privateKey, this.key.privateKeyId);
    return exchangeAssertion(this.http, this.tokenUrl, assertion, request);
  }
}
