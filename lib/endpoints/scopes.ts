/** The email scope, which makes tokeninfo say who the user is. */
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';

/**
 * Google's short names for its identity scopes; tokeninfo reports the URLs. A `Map`, not an
 * object: a scope named `constructor` or `__proto__` is just a name.
 */
const SCOPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['email', EMAIL_SCOPE],
  ['profile', 'https://www.googleapis.com/auth/userinfo.profile'],
]);

/** The scopes a Google ID token stands for: it proves who the user is, and nothing more. */
export const ID_TOKEN_SCOPES: readonly string[] = Object.freeze(['openid', EMAIL_SCOPE]);

/** `email` and `profile` as the URLs Google reports; any other scope as given. */
export function canonicalScope(scope: string): string {
  return SCOPE_ALIASES.get(scope) ?? scope;
}

/** A space-separated scope list (tokeninfo's `scope`) as canonical, de-duplicated names. */
export function parseScopeList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...new Set(value.split(' ').filter(Boolean).map(canonicalScope))];
}

/** The required scopes that `granted` lacks (aliases folded), in the order required. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = new Set(granted.map(canonicalScope));
  return required.filter((scope) => !have.has(canonicalScope(scope)));
}

/**
 * Checks the arguments of `@Scopes(...)` (non-empty strings without whitespace or quotes) and
 * returns them canonical and de-duplicated: the guard compares them as they are.
 */
export function checkScopeNames(scopes: readonly unknown[]): string[] {
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
      throw new TypeError(
        `@Scopes(): ${JSON.stringify(scope)} is not a scope (RFC 6749 §3.3: printable ASCII, ` +
          'no spaces, quotes or backslashes)',
      );
    }
  }
  return [...new Set((scopes as string[]).map(canonicalScope))];
}
