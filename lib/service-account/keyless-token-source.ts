import type { StoredToken } from '../stores/token-store.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/**
 * Without the account's private key: plain tokens from one source (the metadata server, or IAM
 * generateAccessToken when impersonating), a user's tokens from another (IAM signJwt).
 */
export class KeylessTokenSource implements TokenSource {
  constructor(
    private readonly plain: TokenSource,
    private readonly delegated: TokenSource,
  ) {}

  token(request: TokenRequest): Promise<StoredToken> {
    return request.subject ? this.delegated.token(request) : this.plain.token(request);
  }
}
