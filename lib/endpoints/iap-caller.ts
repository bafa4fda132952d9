import { IdentifiedCaller } from './identified-caller.js';
import type { IapIdentity } from './token-verification.js';

/**
 * A caller that Identity-Aware Proxy let through, as its signed assertion says
 * (`endpoints.iap`): a user or a service account that IAP authenticated and authorized. What
 * `@InjectCredentials()` gives for such a caller. Holds no token: IAP keeps the caller's own.
 *
 * @publicApi
 */
export class IapCaller extends IdentifiedCaller<IapIdentity> {
  /** The kind of caller, to tell it from the others of `GoogleCaller`. */
  get kind(): 'iap' {
    return 'iap';
  }

  /** The caller's Google Workspace domain (`hd`), when they have one. */
  get hostedDomain(): string | undefined {
    return this.identity.hostedDomain;
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
}
