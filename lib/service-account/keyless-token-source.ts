import type { MintedToken, TokenRequest, TokenSource } from './token-source.js';

/** Without a key: plain tokens from the metadata server, a user's tokens through IAM signJwt. */
export class KeylessTokenSource implements TokenSource {
  constructor(
    private readonly plain: TokenSource,
    private readonly delegated: TokenSource,
  ) {}

  serviceAccountEmail(): Promise<string> {
    return this.plain.serviceAccountEmail();
  }

  mint(request: TokenRequest): Promise<MintedToken> {
    return request.subject ? this.delegated.mint(request) : this.plain.mint(request);
  }
}
