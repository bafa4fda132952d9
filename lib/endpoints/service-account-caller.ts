import { IdentifiedCaller } from './identified-caller.js';
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
export class ServiceAccountCaller extends IdentifiedCaller<ServiceAccountIdentity> {
  /** The kind of caller, to tell it from the others of `GoogleCaller`. */
  get kind(): 'serviceAccount' {
    return 'serviceAccount';
  }

  /** Always `id_token`. */
  get tokenType(): 'id_token' {
    return 'id_token';
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
}
