import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { StoredToken } from '../stores/token-store.js';
import type { IdTokenRequest } from './id-token-request.js';
import { readIdToken } from './id-token-response.js';
import { METADATA_DEFAULT_ACCOUNT, metadataServerUrl } from './metadata-token-source.js';
import type { TokenSource } from './token-source.js';

/**
 * Mints the default service account's ID tokens through the metadata server's `identity` entry
 * (Cloud Run, GKE, GCE): no key on the machine. `format=full` puts `email` in the token, which
 * the called service needs to tell who calls.
 */
export class MetadataIdTokenSource implements TokenSource<IdTokenRequest> {
  constructor(
    private readonly http: GoogleHttpClient,
    private readonly metadataUrl: string,
  ) {}

  async token(request: IdTokenRequest): Promise<StoredToken> {
    const url = metadataServerUrl(this.metadataUrl, `${METADATA_DEFAULT_ACCOUNT}/identity`);
    url.searchParams.set('audience', request.audience);
    url.searchParams.set('format', 'full');
    const { data } = await this.http.request<string>({
      endpoint: 'metadata',
      method: 'GET',
      url: url.toString(),
      headers: { 'Metadata-Flavor': 'Google' },
      text: true,
    });
    return readIdToken('metadata', data);
  }
}
