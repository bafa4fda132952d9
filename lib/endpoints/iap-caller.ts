import { inspect } from 'node:util';
import type { IapIdentity } from './token-verification.js';

/**
 * A caller that Identity-Aware Proxy let through, as its signed assertion says
 * (`endpoints.iap`): a user or a service account that IAP authenticated and authorized. What
 * `@InjectCredentials()` gives for such a caller. Holds no token: IAP keeps the caller's own.
 *
 * @publicApi
 */
export class IapCaller {
  readonly #identity: IapIdentity;

  /** @param identity who the assertion stands for (frozen, or not changed after) */
  constructor(identity: IapIdentity) {
    this.#identity = identity;
  }

  /** The kind of caller, to tell it from the others of `GoogleCaller`. */
  get kind(): 'iap' {
    return 'iap';
  }

  /** The caller's email, as IAP says it. */
  get email(): string {
    return this.#identity.email;
  }

  /** IAP's id of the caller (`sub`, `accounts.google.com:<id>`). */
  get userId(): string {
    return this.#identity.userId;
  }

  /** The assertion's audience: one of `endpoints.iap.audiences`. */
  get audience(): string {
    return this.#identity.audience;
  }

  /** The caller's Google Workspace domain (`hd`), when they have one. */
  get hostedDomain(): string | undefined {
    return this.#identity.hostedDomain;
  }

  /** When the assertion expires (a new `Date` each time). */
  get expiresAt(): Date {
    return new Date(this.#identity.expiresAt);
  }

  /** The members, for JSON. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      email: this.email,
      userId: this.userId,
      audience: this.audience,
      ...(this.hostedDomain !== undefined ? { hostedDomain: this.hostedDomain } : {}),
      expiresAt: this.expiresAt.toISOString(),
    };
  }

  /** What `console.log` and `util.inspect` show. */
  [inspect.custom](): string {
    return `IapCaller ${inspect(this.toJSON())}`;
  }
}
