import type { GoogleHttpClient } from '../google/google-http-client.js';
import { assertionClaims, exchangeAssertion, signAssertion } from './jwt-bearer-grant.js';
import type { LoadedServiceAccountKey } from './service-account-key.js';
import type { MintedToken, TokenRequest, TokenSource } from './token-source.js';

/** Mints with the service account's own private key: a locally signed jwt-bearer assertion. */
export class KeyTokenSource implements TokenSource {
  constructor(
    private readonly key: LoadedServiceAccountKey,
    private readonly http: GoogleHttpClient,
    private readonly tokenUrl: string,
  ) {}

  async serviceAccountEmail(): Promise<string> {
    return this.key.clientEmail;
  }

  mint(request: TokenRequest): Promise<MintedToken> {
    const claims = assertionClaims(this.key.clientEmail, this.tokenUrl, request);
    const assertion = signAssertion(claims, this.key.privateKey, this.key.privateKeyId);
    return exchangeAssertion(this.http, this.tokenUrl, assertion);
  }
}
