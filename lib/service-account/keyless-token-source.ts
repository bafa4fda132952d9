import type { StoredToken } from '../stores/token-store.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/** Without a key: plain tokens from the metadata server, a user's tokens through IAM signJwt. */
export class KeylessTokenSource implements TokenSource {
  constructor(
    private readonly plain: TokenSource,
    private readonly delegated: TokenSource,
  ) {}

  token(request: TokenRequest): Promise<StoredToken> {
    return request.subject ? this.delegated.token(request) : this.plain.token(request);
  }
}
