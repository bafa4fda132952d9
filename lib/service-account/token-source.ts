/** What a minting source is asked for: normalized scopes, and the user to act as, if any. */
export interface TokenRequest {
  /** Sorted, without duplicates, at least one. */
  scopes: string[];
  /** A Workspace user's email (domain-wide delegation). */
  subject?: string;
}

/** A token fresh from Google. */
export interface MintedToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Mints access tokens for one service account. No caching: that is `CachedTokenSource`'s job. */
export interface TokenSource {
  /** The service account's email, part of every cache key. */
  serviceAccountEmail(): Promise<string>;
  mint(request: TokenRequest): Promise<MintedToken>;
}

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Accepts a scope string (space-separated) or list; answers them sorted and de-duplicated. */
export function normalizeScopes(scopes: string | readonly string[]): string[] {
  const list = typeof scopes === 'string' ? scopes.split(/\s+/) : [...scopes];
  const unique = [...new Set(list.map((scope) => scope.trim()).filter(Boolean))].sort();
  if (unique.length === 0) throw new TypeError('at least one OAuth2 scope is required');
  return unique;
}

/** Emails are case-insensitive; one user gets one cache entry whatever the spelling. */
export function normalizeSubject(user: string | undefined | null): string | undefined {
  const subject = user?.trim().toLowerCase();
  return subject ? subject : undefined;
}
