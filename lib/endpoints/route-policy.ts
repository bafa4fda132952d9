import type { VerifiedIdentity } from './token-verification.js';

/**
 * What a route asks of its caller. `GoogleOAuth2Guard` reads it once per handler (and
 * controller) and keeps it; it is never read per request.
 *
 * @publicApi
 */
export type RoutePolicy =
  | { readonly kind: 'public' }
  | {
      readonly kind: 'token';
      /**
       * The scopes a user's token must grant (canonical names; none: any valid user token). With
       * none, IAP callers are admitted too: they carry no scopes.
       */
      readonly scopes: readonly string[];
      /**
       * Whether Google users (and IAP callers) are admitted; absent: they are. False on a route
       * with `@AllowServiceAccounts` and no `@Scopes`.
       */
      readonly users?: boolean;
      /**
       * The service accounts admitted (`@AllowServiceAccounts`), emails in lower case; absent:
       * none.
       */
      readonly serviceAccounts?: ReadonlySet<string>;
    };

/** A policy that admits callers with a token (or an IAP assertion). */
export type TokenRoutePolicy = Extract<RoutePolicy, { kind: 'token' }>;

/** Any valid user token or IAP caller, no scope: a route without metadata under a global guard. */
export const ANY_VALID_TOKEN: RoutePolicy = Object.freeze({
  kind: 'token',
  scopes: Object.freeze([]),
});

/** A route that needs no token. */
export const PUBLIC_ROUTE: RoutePolicy = Object.freeze({ kind: 'public' });

/** A refusal that no scope would lift: the route does not admit this kind of caller. */
export const NO_SCOPE_HELPS: readonly string[] = Object.freeze([]);

/**
 * Whether a caller who is `identity` may call a route of `policy`: undefined when they may,
 * else the scopes to name in the 403 challenge (`NO_SCOPE_HELPS` when the route does not
 * admit the caller's kind or account). Allocates nothing. Each kind of caller is checked in its
 * own way here; the guard's path stays the same for every kind.
 */
export function refusal(
  policy: TokenRoutePolicy,
  identity: VerifiedIdentity,
): readonly string[] | undefined {
  switch (identity.kind) {
    case 'user': {
      if (policy.users === false) return NO_SCOPE_HELPS;
      const required = policy.scopes;
      const granted = identity.scopeSet;
      for (let i = 0; i < required.length; i++) {
        if (!granted.has(required[i]!)) return required;
      }
      return undefined;
    }
    case 'serviceAccount':
      return policy.serviceAccounts?.has(identity.email) ? undefined : NO_SCOPE_HELPS;
    case 'iap':
      // IAP vouches for who the caller is, and grants no scope.
      return policy.users !== false && policy.scopes.length === 0 ? undefined : NO_SCOPE_HELPS;
  }
}
