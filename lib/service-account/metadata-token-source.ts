import type { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { StoredToken } from '../stores/token-store.js';
import { readTokenResponse, type TokenResponseBody } from './token-response.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/** The default service account's directory on the metadata server. */
export const METADATA_DEFAULT_ACCOUNT = 'computeMetadata/v1/instance/service-accounts/default';

/**
 * Mints through the metadata server (Cloud Run, GKE, GCE, App Engine): no key on the machine.
 * It cannot act as a user; `KeylessTokenSource` adds that through IAM signJwt.
 */
export class MetadataTokenSource implements TokenSource {
  private email?: Promise<string>;

  constructor(
    private readonly http: GoogleHttpClient,
    private readonly metadataUrl: string,
  ) {}

  /** The default service account's email, asked once (again after a failure). */
  serviceAccountEmail(): Promise<string> {
    this.email ??= this.fetchEmail().catch((err: unknown) => {
      this.email = undefined; // the next call asks again
      throw err;
    });
    return this.email;
  }

  async token(request: TokenRequest): Promise<StoredToken> {
    if (request.subject) {
      throw new GoogleOAuth2Error(
        'metadata',
        'unsupported',
        'the metadata server cannot act as a user',
      );
    }
    const url = metadataServerUrl(this.metadataUrl, `${METADATA_DEFAULT_ACCOUNT}/token`);
    url.searchParams.set('scopes', request.scopes.join(','));
    const sentAt = Date.now();
    const { data } = await this.http.request<TokenResponseBody>({
      endpoint: 'metadata',
      method: 'GET',
      url: url.toString(),
      headers: { 'Metadata-Flavor': 'Google' },
    });
    return readTokenResponse('metadata', data, sentAt, request);
  }

  private async fetchEmail(): Promise<string> {
    const { data } = await this.http.request<string>({
      endpoint: 'metadata',
      method: 'GET',
      url: metadataServerUrl(this.metadataUrl, `${METADATA_DEFAULT_ACCOUNT}/email`).toString(),
      headers: { 'Metadata-Flavor': 'Google' },
      text: true,
    });
    const email = String(data).trim();
    if (!email.includes('@')) {
      throw new GoogleOAuth2Error('metadata', 'invalid_response', 'no service-account email');
    }
    return email;
  }
}

/** `path` under the metadata server's root `base` (with or without its trailing slash). */
export function metadataServerUrl(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}
