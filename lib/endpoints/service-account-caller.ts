import { inspect } from 'node:util';
import type { ServiceAccountIdentity } from './token-verification.js';

/**
 * Another service that called as its service account, with a Google-signed ID token minted for
 * this service (`endpoints.serviceAccounts`; routes admit it with `@AllowServiceAccounts`).
 * What `@InjectCredentials()` gives for such a caller. It says who called and holds no token:
 * the caller's ID token proves who it is and grants nothing, so there is nothing to call Google
 * with as it.
 *
 * @publicApi
 */
export class ServiceAccountCaller {
  readonly #identity: ServiceAccountIdentity;

  /** @param identity who the token stands for (frozen, or not changed after) */
  constructor(identity: ServiceAccountIdentity) {
    this.#identity = identity;
  }

  /** The kind of caller, to tell it from the others of `GoogleCaller`. */
  get kind(): 'serviceAccount' {
    return 'serviceAccount';
  }

  /** Always `id_token`. */
  get tokenType(): 'id_token' {
    return 'id_token';
  }

  /** The service account's email, in lower case. */
  get email(): string {
    return this.#identity.email;
  }

  /** The service account's unique id (`sub`). */
  get userId(): string {
    return this.#identity.userId;
  }

  /** The audience the token was minted for: one of `endpoints.serviceAccounts.audiences`. */
  get audience(): string {
    return this.#identity.audience;
  }

  /** When the token expires (a new `Date` each time). */
  get expiresAt(): Date {
    return new Date(this.#identity.expiresAt);
  }

  /** The members, for JSON. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      tokenType: this.tokenType,
      email: this.email,
      userId: this.userId,
      audience: this.audience,
      expiresAt: this.expiresAt.toISOString(),
    };
  }

  /** What `console.log` and `util.inspect` show. */
  [inspect.custom](): string {
    return `ServiceAccountCaller ${inspect(this.toJSON())}`;
  }
}
