import type { StoredToken } from '../stores/token-store.js';
import { tokenCacheKey } from './token-cache-key.js';

/**
 * What a source is asked for: an access token for normalized scopes, as a user if any. Made once
 * per (account, scopes, user) with its cache key (see `tokenRequest`), so that the caching
 * layers, which read nothing but `key`, never hash on a warm call.
 */
export interface TokenRequest {
  /** The cache key of this request (the shared store's key too): a hash, never in clear. */
  readonly key: string;
  /** Sorted, without duplicates, at least one. */
  readonly scopes: readonly string[];
  /** A Workspace user's email (domain-wide delegation). */
  readonly subject?: string;
}

/**
 * Gives tokens for requests: golang.org/x/oauth2's `TokenSource`, asked per request. A minting
 * source asks Google every time; `CachedTokenSource` and `StoreTokenSource` wrap one to reuse
 * what it gave. Every token comes back in one shape, `StoredToken`, from minting to the store.
 */
export interface TokenSource<R extends { readonly key: string } = TokenRequest> {
  token(request: R): Promise<StoredToken>;
}

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The request of `account` for `scopes` (normalized) as `subject` (normalized), with its key. */
export function tokenRequest(
  account: string,
  scopes: readonly string[],
  subject?: string,
): TokenRequest {
  const fields = { scopes, ...(subject ? { subject } : {}) };
  return { key: tokenCacheKey(account, fields), ...fields };
}

/**
 * Accepts a scope string (space-separated) or a list (whose items may be space-separated too:
 * a scope never holds a space, RFC 6749 §3.3); answers them sorted and de-duplicated.
 */
export function normalizeScopes(scopes: string | readonly string[]): string[] {
  const text = typeof scopes === 'string' ? scopes : scopes.join(' ');
  const unique = [...new Set(text.split(/\s+/).filter(Boolean))].sort();
  if (unique.length === 0) throw new TypeError('at least one OAuth2 scope is required');
  return unique;
}

/** Emails are case-insensitive; one user gets one cache entry whatever the spelling. */
export function normalizeSubject(user: string | undefined | null): string | undefined {
  const subject = user?.trim().toLowerCase();
  return subject ? subject : undefined;
}
