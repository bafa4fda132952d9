import type { VerifiedIdentity } from './token-verification.js';

/**
 * What a route asks of its caller. `GoogleOAuth2Guard` reads it once per handler (and
 * controller) and keeps it; it is never read per request.
 *
 * @publicApi
 */
export type RoutePolicy =
  | { readonly kind: 'public' }
  /** A valid token granting every one of `scopes` (canonical names; none: any valid token). */
  | { readonly kind: 'token'; readonly scopes: readonly string[] };

/** Any valid token, no scope: the policy of a route without metadata under a global guard. */
export const ANY_VALID_TOKEN: RoutePolicy = Object.freeze({
  kind: 'token',
  scopes: Object.freeze([]),
});

/** A route that needs no token. */
export const PUBLIC_ROUTE: RoutePolicy = Object.freeze({ kind: 'public' });

/**
 * Whether a caller who is `identity` may call a route of `policy`: undefined when they may,
 * else the scopes to name in the 403 challenge. Allocates nothing when they may. Each kind of
 * caller is checked in its own way here; the guard's path stays the same for every kind.
 */
export function refusal(
  policy: Extract<RoutePolicy, { kind: 'token' }>,
  identity: VerifiedIdentity,
): readonly string[] | undefined {
  switch (identity.kind) {
    case 'user': {
      const required = policy.scopes;
      const granted = identity.scopeSet;
      for (let i = 0; i < required.length; i++) {
        if (!granted.has(required[i]!)) return required;
      }
      return undefined;
    }
  }
}
