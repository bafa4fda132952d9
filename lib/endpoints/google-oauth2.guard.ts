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
import { PUBLIC_METADATA, SCOPES_METADATA } from './endpoints.metadata.js';
import type { GoogleUserCredentials } from './google-user-credentials.js';
import { httpRequestOf, RawRequest } from './http-request.js';
import { missingScopes } from './scopes.js';

/** What a route asks of its caller. */
export type RoutePolicy =
  | { kind: 'public' }
  /** A valid token granting every one of `scopes` (none: any valid token). */
  | { kind: 'token'; scopes: readonly string[] };

/** The parameters of a `WWW-Authenticate: Bearer …` challenge besides the realm. */
export interface BearerChallenge {
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  scope?: string;
}

/**
 * Guards routes with callers' Google tokens (RFC 6750 §3):
 * - no bearer credentials → 401, `WWW-Authenticate: Bearer realm="…"`;
 * - a malformed, invalid, expired or revoked token, or another client's → 401,
 *   `Bearer realm="…", error="invalid_token"`;
 * - a valid token lacking a required scope → 403,
 *   `Bearer realm="…", error="insufficient_scope", scope="…"`;
 * - Google unreachable → 503 (the caller's token is not blamed).
 *
 * `@Scopes(...)` applies it to a controller or handler. As a global guard
 * (`{ provide: APP_GUARD, useClass: GoogleOAuth2Guard }`) every route needs a valid token, and
 * `@Public()` opts a route out. The route's metadata: the handler's `@Scopes`/`@Public` wins
 * over the controller's. HTTP only (Express and Fastify); other contexts get a clear error.
 *
 * A singleton; subclass it and override the protected methods to change a step.
 */
@Injectable()
export class GoogleOAuth2Guard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly authenticator: EndpointsAuthenticator,
    @Optional() protected readonly adapterHost?: HttpAdapterHost,
  ) {
    authenticator.verifier.reportConfiguration();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.getPolicy(context);
    if (policy.kind === 'public') return true;
    const request = this.getRequest(context);
    const authentication = await this.authenticator.authenticate(request);
    switch (authentication.status) {
      case 'authenticated': {
        const missing = missingScopes(authentication.credentials.scopes, policy.scopes);
        if (missing.length > 0) {
          return this.onInsufficientScope(context, authentication.credentials, policy.scopes);
        }
        return true;
      }
      case 'unavailable':
        return this.onUnavailable(context, authentication);
      default:
        return this.onUnauthenticated(context, authentication);
    }
  }

  /**
   * The route's policy: the handler's metadata, else the controller's (as
   * `Reflector.getAllAndOverride` reads one key); on one target `@Scopes` wins over `@Public`.
   * No metadata (a global guard on an undecorated route): any valid token.
   */
  protected getPolicy(context: ExecutionContext): RoutePolicy {
    for (const target of [context.getHandler(), context.getClass()]) {
      const scopes = this.reflector.get<readonly string[] | undefined>(SCOPES_METADATA, target);
      if (scopes) return { kind: 'token', scopes };
      if (this.reflector.get<boolean | undefined>(PUBLIC_METADATA, target)) {
        return { kind: 'public' };
      }
    }
    return { kind: 'token', scopes: [] };
  }

  /** The Node request; throws a clear error outside HTTP. */
  protected getRequest(context: ExecutionContext): RawRequest {
    return httpRequestOf(context, 'GoogleOAuth2Guard (@Scopes)');
  }

  /** 401 with the Bearer challenge (no `error` when the request carried no bearer credentials). */
  protected onUnauthenticated(
    context: ExecutionContext,
    authentication: Exclude<Authentication, { status: 'authenticated' | 'unavailable' }>,
  ): never {
    if (authentication.status === 'anonymous') {
      this.setChallenge(context, {});
      throw new UnauthorizedException('A Google access token is required');
    }
    this.setChallenge(context, { error: 'invalid_token' });
    throw new UnauthorizedException('The access token is invalid or expired');
  }

  /** 403 naming every scope the route requires. */
  protected onInsufficientScope(
    context: ExecutionContext,
    _credentials: GoogleUserCredentials,
    required: readonly string[],
  ): never {
    this.setChallenge(context, { error: 'insufficient_scope', scope: required.join(' ') });
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
    const value = bearerChallenge(this.authenticator.realm, challenge);
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
}

/** `Bearer realm="…"[, error="…"][, scope="…"]`; the values are checked to need no escaping. */
export function bearerChallenge(realm: string, challenge: BearerChallenge = {}): string {
  let value = `Bearer realm="${realm}"`;
  if (challenge.error) value += `, error="${challenge.error}"`;
  if (challenge.scope) value += `, scope="${challenge.scope}"`;
  return value;
}
