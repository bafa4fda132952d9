import type { StoredToken } from '../stores/token-store.js';
import type { LocalTokenCache, TokenSlot } from './local-token-cache.js';
import { reuseUntil } from './refresh-margin.js';
import type { TokenRequest, TokenSource } from './token-source.js';

/** A source whose tokens can be dropped when Google refuses one. */
export interface InvalidatingTokenSource<
  R extends { readonly key: string } = TokenRequest,
> extends TokenSource<R> {
  /** Drops `accessToken` (Google refused it) unless a newer token has replaced it. */
  invalidate(request: R, accessToken: string): Promise<void>;
}

/**
 * The process-local fast path, golang.org/x/oauth2's `ReuseTokenSource` per cache key: a token
 * this process holds is handed out, synchronously, until its refresh margin; past it (or for a
 * key it lacks) one call per key goes to the wrapped source (single flight), whatever the number
 * of callers. Several `CachedTokenSource`s may share one `LocalTokenCache`: one slot per key.
 */
export class CachedTokenSource<
  R extends { readonly key: string } = TokenRequest,
> implements InvalidatingTokenSource<R> {
  constructor(
    private readonly source: TokenSource<R> & Partial<InvalidatingTokenSource<R>>,
    private readonly local: LocalTokenCache,
    private readonly refreshMarginMs: number,
  ) {}

  /** The token this process holds for `request` while it may be handed out: no I/O, no await. */
  cached(request: R): StoredToken | undefined {
    return this.local.fresh(request.key);
  }

  token(request: R): Promise<StoredToken> {
    const slot = this.local.slot(request.key);
    if (Date.now() < slot.reuseUntil) return Promise.resolve(slot.token!);
    return (slot.pending ??= this.refresh(slot, request));
  }

  async invalidate(request: R, accessToken: string): Promise<void> {
    this.local.drop(request.key, accessToken);
    await this.source.invalidate?.(request, accessToken);
  }

  private async refresh(slot: TokenSlot, request: R): Promise<StoredToken> {
    try {
      const token = await this.source.token(request);
      slot.token = token;
      slot.reuseUntil = reuseUntil(token, this.refreshMarginMs);
      return token;
    } finally {
      slot.pending = undefined;
    }
  }
}
