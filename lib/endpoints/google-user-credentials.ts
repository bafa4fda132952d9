import { inspect } from 'node:util';
import { gaxios, OAuth2Client } from 'google-auth-library';
import { missingScopes } from './scopes.js';
import type { GoogleUserIdentity } from './token-verification.js';

/**
 * The caller's Google credentials: who they are (`GoogleUserIdentity`, as their token was
 * checked), what their token grants, and an `authClient` that calls Google APIs as them
 * (`oauth2({ version: 'v2', auth: creds.authClient })`).
 *
 * The token is kept out of sight: `accessToken` and `authClient` are getters over private
 * fields, so `JSON.stringify(creds)`, `console.log(creds)` and loggers print everything but
 * them. There is no refresh token: when the token expires the caller must send a new one.
 *
 * @publicApi
 */
export class GoogleUserCredentials {
  readonly #accessToken: string;
  readonly #identity: GoogleUserIdentity;
  readonly #transporter?: gaxios.Gaxios;
  #authClient?: OAuth2Client;

  /**
   * @param identity who the token stands for (frozen, or not changed after)
   * @param transporter the HTTP client `authClient` sends through (the module's, with its
   *   timeout)
   */
  constructor(accessToken: string, identity: GoogleUserIdentity, transporter?: gaxios.Gaxios) {
    this.#accessToken = accessToken;
    this.#identity = identity;
    this.#transporter = transporter;
  }

  /** The kind of caller, to tell it from the others of `GoogleCaller`. */
  get kind(): 'user' {
    return 'user';
  }

  /** `access_token` (checked with tokeninfo) or `id_token` (a Google ID token, checked locally). */
  get tokenType(): 'access_token' | 'id_token' {
    return this.#identity.tokenType;
  }

  get email(): string {
    return this.#identity.email;
  }

  get emailVerified(): boolean {
    return this.#identity.emailVerified;
  }

  /** Google's user id (`sub`). */
  get userId(): string {
    return this.#identity.userId;
  }

  /** The OAuth client the token was issued to (`azp`, else `aud`). */
  get clientId(): string {
    return this.#identity.clientId;
  }

  /** Granted scopes; `email` and `profile` appear as their URLs. */
  get scopes(): readonly string[] {
    return this.#identity.scopes;
  }

  /** When the token expires (a new `Date` each time: changing it changes nothing here). */
  get expiresAt(): Date {
    return new Date(this.#identity.expiresAt);
  }

  /** The caller's token, as sent. Not enumerable: absent from JSON and `inspect`. */
  get accessToken(): string {
    return this.#accessToken;
  }

  /**
   * A google-auth-library `OAuth2Client` holding the caller's token (no refresh token), using
   * the module's HTTP client: pass it as `auth` to googleapis / `@googleapis/*` clients.
   * Created on first use. Past `expiresAt` it fails ("No refresh token is set"): the caller
   * must send a fresh token. An ID token is sent as-is and Google APIs refuse it.
   */
  get authClient(): OAuth2Client {
    if (!this.#authClient) {
      const client = new OAuth2Client(this.#transporter ? { transporter: this.#transporter } : {});
      // No refresh token: use the token up to its expiry rather than "refresh" it 5 minutes
      // early (set here: the constructor ignores a 0 option).
      client.eagerRefreshThresholdMillis = 0;
      client.setCredentials({
        access_token: this.#accessToken,
        token_type: 'Bearer',
        expiry_date: this.#identity.expiresAt,
      });
      this.#authClient = client;
    }
    return this.#authClient;
  }

  /** Whether the token grants every one of `scopes` (`email`/`profile` aliases understood). */
  hasScopes(...scopes: string[]): boolean {
    return missingScopes(this.scopes, scopes).length === 0;
  }

  /** Everything but the token, and without `kind`: the JSON apps already send stays the same. */
  toJSON(): Record<string, unknown> {
    return {
      tokenType: this.tokenType,
      email: this.email,
      emailVerified: this.emailVerified,
      userId: this.userId,
      clientId: this.clientId,
      scopes: this.scopes,
      expiresAt: this.expiresAt.toISOString(),
    };
  }

  /** What `console.log` and `util.inspect` show: the members, never the token. */
  [inspect.custom](): string {
    return `GoogleUserCredentials ${inspect(this.toJSON())}`;
  }
}
