import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import {
  Authentication,
  EndpointsAuthenticator,
  unavailableException,
} from './endpoints-authenticator.js';
import {
  PUBLIC_METADATA,
  SCOPES_METADATA,
  SERVICE_ACCOUNTS_METADATA,
} from './endpoints.metadata.js';
import { httpRequestOf, RawRequest } from './http-request.js';
import {
  ANY_VALID_TOKEN,
  NO_SCOPE_HELPS,
  PUBLIC_ROUTE,
  refusal,
  type RoutePolicy,
} from './route-policy.js';
import type {
  GoogleUserIdentity,
  IapIdentity,
  ServiceAccountIdentity,
} from './token-verification.js';

export type { RoutePolicy } from './route-policy.js';

/** The parameters of a `WWW-Authenticate: Bearer …` challenge besides the realm. */
export interface BearerChallenge {
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  scope?: string;
}

/** A handler's policy, by controller class (a handler may be inherited by several). */
type PoliciesByClass = WeakMap<object, RoutePolicy>;

/**
 * Guards routes with callers' Google tokens (RFC 6750 §3):
 * - no bearer credentials → 401, `WWW-Authenticate: Bearer realm="…"`;
 * - a malformed, invalid, expired or revoked token, or another client's → 401,
 *   `Bearer realm="…", error="invalid_token"`;
 * - a valid token lacking a required scope, or the email scope (it does not say who the user
 *   is) → 403, `Bearer realm="…", error="insufficient_scope", scope="…"`;
 * - a valid caller of a kind (or a service account) the route does not admit → 403,
 *   `Bearer realm="…", error="insufficient_scope"` (no scope would help);
 * - Google unreachable → 503 (the caller's token is not blamed).
 *
 * `@Scopes(...)` and `@AllowServiceAccounts(...)` apply it to a controller or handler. As a
 * global guard (`{ provide: APP_GUARD, useClass: GoogleOAuth2Guard }`) every route needs a valid
 * token, and `@Public()` opts a route out. The route's metadata: the handler's
 * `@Scopes`/`@AllowServiceAccounts`/`@Public` win over the controller's. HTTP only (Express and
 * Fastify); other contexts get a clear error.
 *
 * A singleton. The route's policy is read once per handler (`getPolicy`) and kept; when the
 * caller's token check is cached, `canActivate` answers synchronously, without allocating.
 * Subclass it and override the protected methods to change a step.
 *
 * @publicApi
 */
@Injectable()
export class GoogleOAuth2Guard implements CanActivate {
  readonly #policies = new WeakMap<object, PoliciesByClass>();

  constructor(
    protected readonly reflector: Reflector,
    protected readonly authenticator: EndpointsAuthenticator,
    @Optional() protected readonly adapterHost?: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.#policyOf(context);
    if (policy.kind === 'public') return true;
    const outcome = this.authenticator.authenticate(this.getRequest(context));
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#admit(context, policy, settled))
      : this.#admit(context, policy, outcome);
  }

  /**
   * The route's policy: the handler's metadata, else the controller's (the first of the two that
   * carries `@Scopes`, `@AllowServiceAccounts` or `@Public` decides, as
   * `Reflector.getAllAndOverride` reads a key); on one target `@Scopes` and
   * `@AllowServiceAccounts` add up and win over `@Public`. No metadata (a global guard on an
   * undecorated route): any valid user token or IAP caller. Called once per handler and
   * controller; the result is kept. Throws when `@AllowServiceAccounts` names an account that
   * `endpoints.serviceAccounts.allowed` does not list.
   */
  protected getPolicy(context: ExecutionContext): RoutePolicy {
    for (const target of [context.getHandler(), context.getClass()]) {
      const scopes = this.reflector.get<readonly string[] | undefined>(SCOPES_METADATA, target);
      const accounts = this.reflector.get<readonly string[] | undefined>(
        SERVICE_ACCOUNTS_METADATA,
        target,
      );
      if (accounts) return this.#serviceAccountPolicy(scopes, accounts);
      if (scopes) return scopes.length === 0 ? ANY_VALID_TOKEN : { kind: 'token', scopes };
      if (this.reflector.get<boolean | undefined>(PUBLIC_METADATA, target)) return PUBLIC_ROUTE;
    }
    return ANY_VALID_TOKEN;
  }

  /** The Node request; throws a clear error outside HTTP. */
  protected getRequest(context: ExecutionContext): RawRequest {
    return httpRequestOf(context, 'GoogleOAuth2Guard (@Scopes)');
  }

  /** 401 with the Bearer challenge (no `error` when the request carried no bearer credentials). */
  protected onUnauthenticated(
    context: ExecutionContext,
    authentication: Extract<Authentication, { status: 'anonymous' | 'malformed' | 'invalid' }>,
  ): never {
    if (authentication.status === 'anonymous') {
      this.setChallenge(context, {});
      throw new UnauthorizedException('A Google access token is required');
    }
    this.setChallenge(context, { error: 'invalid_token' });
    throw new UnauthorizedException('The access token is invalid or expired');
  }

  /**
   * 403 naming the scopes the caller should ask for: every scope the route requires, and the
   * email scope first when the token does not say who the user is (`identity` is then absent).
   * `scopes` is empty when no scope would help: the route does not admit this kind of caller
   * (a service account, an IAP caller, a user on a service-accounts-only route) or this
   * service account.
   */
  protected onInsufficientScope(
    context: ExecutionContext,
    scopes: readonly string[],
    _identity: GoogleUserIdentity | ServiceAccountIdentity | IapIdentity | undefined,
  ): never {
    if (scopes.length === 0) {
      this.setChallenge(context, { error: 'insufficient_scope' });
      throw new ForbiddenException('This route does not admit this caller');
    }
    this.setChallenge(context, { error: 'insufficient_scope', scope: scopes.join(' ') });
    throw new ForbiddenException('The access token does not grant the required scope');
  }

  /** 503: Google could not be asked; the token may be valid. */
  protected onUnavailable(
    _context: ExecutionContext,
    _authentication: Extract<Authentication, { status: 'unavailable' }>,
  ): never {
    throw unavailableException();
  }

  /** Sets `WWW-Authenticate` on the platform's response (Express or Fastify). */
  protected setChallenge(context: ExecutionContext, challenge: BearerChallenge): void {
    const value = bearerChallenge(this.authenticator.options.realm, challenge);
    const response: unknown = context.switchToHttp().getResponse();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      adapter.setHeader(response, 'WWW-Authenticate', value);
      return;
    }
    const res = response as {
      header?: (name: string, value: string) => unknown;
      setHeader?: (name: string, value: string) => unknown;
    };
    if (typeof res.header === 'function') res.header('WWW-Authenticate', value);
    else res.setHeader?.('WWW-Authenticate', value);
  }

  #admit(context: ExecutionContext, policy: RoutePolicy, outcome: Authentication): true {
    if (policy.kind === 'public') return true;
    switch (outcome.status) {
      case 'authenticated': {
        const scopes = refusal(policy, outcome.identity);
        if (scopes) this.onInsufficientScope(context, scopes, outcome.identity);
        return true;
      }
      case 'insufficient_scope':
        // A user's token without the email scope: naming scopes helps only where users may call.
        return this.onInsufficientScope(
          context,
          policy.users !== false ? [...new Set([outcome.scope, ...policy.scopes])] : NO_SCOPE_HELPS,
          undefined,
        );
      case 'unavailable':
        return this.onUnavailable(context, outcome);
      default:
        return this.onUnauthenticated(context, outcome);
    }
  }

  /** `@AllowServiceAccounts` (with `@Scopes`, if any, on the same target). */
  #serviceAccountPolicy(
    scopes: readonly string[] | undefined,
    accounts: readonly string[],
  ): RoutePolicy {
    const allowed = this.authenticator.options.serviceAccounts?.allowed ?? new Set<string>();
    for (const email of accounts) {
      if (!allowed.has(email)) {
        throw new Error(
          `nestjs-google-oauth2: @AllowServiceAccounts() names ${email}, which ` +
            'endpoints.serviceAccounts.allowed does not list; add it there (the options say ' +
            'which accounts the module accepts, the decorator which of them a route admits)',
        );
      }
    }
    return Object.freeze({
      kind: 'token',
      scopes: scopes ?? NO_SCOPE_HELPS,
      ...(scopes === undefined ? { users: false } : {}),
      serviceAccounts: accounts.length > 0 ? new Set(accounts) : allowed,
    });
  }

  #policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const type = context.getClass();
    let byClass = this.#policies.get(handler);
    let policy = byClass?.get(type);
    if (policy === undefined) {
      policy = this.getPolicy(context);
      if (!byClass) this.#policies.set(handler, (byClass = new WeakMap()));
      byClass.set(type, policy);
    }
    return policy;
  }
}

/** `Bearer realm="…"[, error="…"][, scope="…"]`; the values are checked to need no escaping. */
export function bearerChallenge(realm: string, challenge: BearerChallenge = {}): string {
  let value = `Bearer realm="${realm}"`;
  if (challenge.error) value += `, error="${challenge.error}"`;
  if (challenge.scope) value += `, scope="${challenge.scope}"`;
  return value;
}
