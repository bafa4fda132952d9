import { accessTokenString } from './ids.js';
import type { Principal } from './principal.js';
import { normalizeScopes } from '../scopes.js';

/** Where an access token came from. */
export type TokenSource = 'token' | 'metadata' | 'generateAccessToken' | 'issueAccessToken';

/** An access token the emulator handed out, and what it grants. */
export interface IssuedAccessToken {
  token: string;
  principal: Principal;
  /** The OAuth client it was issued to (`azp`/`aud` at tokeninfo). */
  clientId: string;
  /** Canonical scope names, de-duplicated, in the order asked for. */
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  source: TokenSource;
}

export interface IssueOptions {
  principal: Principal;
  clientId: string;
  scopes: readonly string[];
  lifetimeSeconds: number;
  source: TokenSource;
  nowMs: number;
}

/**
 * Whole seconds left, as Google reports `expires_in`: a token fresh from a 3600 s mint says 3599,
 * and it never over-reports.
 */
export function secondsLeft(issued: IssuedAccessToken, nowMs: number): number {
  return Math.max(0, Math.ceil((issued.expiresAt - nowMs) / 1000) - 1);
}

/** Every access token handed out, so that tokeninfo, userinfo and IAM can answer for it. */
export class IssuedTokens {
  readonly #byToken = new Map<string, IssuedAccessToken>();

  issue(options: IssueOptions): IssuedAccessToken {
    const issued: IssuedAccessToken = {
      token: accessTokenString(),
      principal: options.principal,
      clientId: options.clientId,
      scopes: normalizeScopes(options.scopes),
      issuedAt: options.nowMs,
      expiresAt: options.nowMs + options.lifetimeSeconds * 1000,
      revoked: false,
      source: options.source,
    };
    this.#byToken.set(issued.token, issued);
    return issued;
  }

  /** The token if it is known, unrevoked and unexpired at `nowMs`. */
  findValid(token: string, nowMs: number): IssuedAccessToken | undefined {
    const issued = this.#byToken.get(token);
    if (!issued || issued.revoked || issued.expiresAt <= nowMs) return undefined;
    return issued;
  }

  /** Marks the token revoked; false when it is not an access token the emulator issued. */
  revoke(token: string): boolean {
    const issued = this.#byToken.get(token);
    if (!issued) return false;
    issued.revoked = true;
    return true;
  }
}
