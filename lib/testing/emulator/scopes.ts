/** Scope names and the aliases Google folds together. */

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const IAM_SCOPE = 'https://www.googleapis.com/auth/iam';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const PROFILE_SCOPE = 'https://www.googleapis.com/auth/userinfo.profile';
export const OPENID_SCOPE = 'openid';

/** A `Map`, not an object: a scope named `constructor` or `__proto__` is just a name. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['email', EMAIL_SCOPE],
  ['profile', PROFILE_SCOPE],
]);

/** The form Google reports a scope in: `email` and `profile` become their URLs. */
export function canonicalScope(scope: string): string {
  return ALIASES.get(scope) ?? scope;
}

/** Canonical, de-duplicated, in the order given. */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const scope of scopes) {
    const trimmed = scope.trim();
    if (trimmed) seen.add(canonicalScope(trimmed));
  }
  return [...seen];
}

/** Splits a scope list on whitespace and commas (the token endpoint uses spaces, the metadata server commas). */
export function parseScopeList(value: string | undefined | null): string[] {
  return normalizeScopes((value ?? '').split(/[\s,]+/));
}

export function hasEmailScope(scopes: readonly string[]): boolean {
  return scopes.includes(EMAIL_SCOPE);
}

export function hasProfileScope(scopes: readonly string[]): boolean {
  return scopes.includes(PROFILE_SCOPE);
}

/** Any of openid, email, profile: the scopes that reveal who the principal is. */
export function hasIdentityScope(scopes: readonly string[]): boolean {
  return scopes.includes(OPENID_SCOPE) || hasEmailScope(scopes) || hasProfileScope(scopes);
}
