import { inspect } from 'node:util';
import { gaxios, OAuth2Client } from 'google-auth-library';
import { missingScopes } from './scopes.js';

/** What {@link GoogleUserCredentials} is made of: a checked token and what Google said of it. */
export interface GoogleUserCredentialsInit {
  accessToken: string;
  tokenType?: 'access_token' | 'id_token';
  email: string;
  emailVerified: boolean;
  userId: string;
  clientId: string;
  scopes: readonly string[];
  expiresAt: Date;
  /** The HTTP client `authClient` sends through (the module's, with its timeout). */
  transporter?: gaxios.Gaxios;
}

/**
 * The caller's Google credentials: who they are, what their token grants, and an `authClient`
 * that calls Google APIs as them (`oauth2({ version: 'v2', auth: creds.authClient })`).
 *
 * The token is kept out of sight: `accessToken` and `authClient` are getters over private
 * fields, so `JSON.stringify(creds)`, `console.log(creds)` and loggers print everything but
 * them. There is no refresh token: when the token expires the caller must send a new one.
 */
export class GoogleUserCredentials {
  readonly #accessToken: string;
  readonly #transporter?: gaxios.Gaxios;
  #authClient?: OAuth2Client;

  /** `access_token` (checked with tokeninfo) or `id_token` (a Google ID token, checked locally). */
  readonly tokenType: 'access_token' | 'id_token';
  readonly email: string;
  readonly emailVerified: boolean;
  /** Google's user id (`sub`). */
  readonly userId: string;
  /** The OAuth client the token was issued to (`azp`, else `aud`). */
  readonly clientId: string;
  /** Granted scopes; `email` and `profile` appear as their URLs. */
  readonly scopes: readonly string[];
  readonly expiresAt: Date;

  constructor(init: GoogleUserCredentialsInit) {
    this.#accessToken = init.accessToken;
    this.#transporter = init.transporter;
    this.tokenType = init.tokenType ?? 'access_token';
    this.email = init.email;
    this.emailVerified = init.emailVerified;
    this.userId = init.userId;
    this.clientId = init.clientId;
    this.scopes = Object.freeze([...init.scopes]);
    this.expiresAt = new Date(init.expiresAt.getTime());
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
        expiry_date: this.expiresAt.getTime(),
      });
      this.#authClient = client;
    }
    return this.#authClient;
  }

  /** Whether the token grants every one of `scopes` (`email`/`profile` aliases understood). */
  hasScopes(...scopes: string[]): boolean {
    return missingScopes(this.scopes, scopes).length === 0;
  }

  /** Everything but the token. */
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
