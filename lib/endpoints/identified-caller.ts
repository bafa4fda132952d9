import { inspect } from 'node:util';

/** The fields every caller without a token of its own is known by. */
export interface CallerIdentity {
  readonly email: string;
  readonly userId: string;
  readonly audience: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * What `ServiceAccountCaller` and `IapCaller` share: who called, read from the checked identity
 * (frozen, and shared by every request that sends the same token), never a token.
 *
 * @publicApi
 */
export abstract class IdentifiedCaller<I extends CallerIdentity = CallerIdentity> {
  readonly #identity: I;

  /** @param identity who the token stands for (frozen, or not changed after) */
  constructor(identity: I) {
    this.#identity = identity;
  }

  /** The checked identity, for what a subclass adds. */
  protected get identity(): I {
    return this.#identity;
  }

  /** The caller's email (a service account's in lower case). */
  get email(): string {
    return this.#identity.email;
  }

  /** Google's (or IAP's) id of the caller: the token's `sub`. */
  get userId(): string {
    return this.#identity.userId;
  }

  /** The audience the token was minted for: one of this service's configured audiences. */
  get audience(): string {
    return this.#identity.audience;
  }

  /** When the token expires (a new `Date` each time). */
  get expiresAt(): Date {
    return new Date(this.#identity.expiresAt);
  }

  /** The members, for JSON. */
  abstract toJSON(): Record<string, unknown>;

  /** What `console.log` and `util.inspect` show: the class and its JSON. */
  [inspect.custom](): string {
    return `${this.constructor.name} ${inspect(this.toJSON())}`;
  }
}
