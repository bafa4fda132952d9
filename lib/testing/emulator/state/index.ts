import type { EmulatorClock } from '../clock.js';
import { decodeJwt, signJwt, verifyRs256 } from '../jwt.js';
import { CLOUD_PLATFORM_SCOPE, normalizeScopes } from '../scopes.js';
import type { ServiceAccountKeyFile } from '../types.js';
import { numericId } from './ids.js';
import type { Principal } from './principal.js';
import { ServiceAccounts, type ServiceAccountRecord } from './service-accounts.js';
import { KeyRing } from './key-ring.js';
import {
  createGoogleSigningKey,
  createIapSigningKey,
  rs256Signer,
  type GoogleSigningKey,
  type IapSigningKey,
} from './signing-keys.js';
import { IssuedTokens, type IssuedAccessToken, type TokenSource } from './tokens.js';
import { Users } from './users.js';
import { Delegations } from './delegation.js';

export type { Principal } from './principal.js';
export type { ServiceAccountRecord } from './service-accounts.js';
export type { IssuedAccessToken, TokenSource } from './tokens.js';
export { secondsLeft } from './tokens.js';
export type { GoogleSigningKey, IapSigningKey } from './signing-keys.js';
export { es256Signer, rs256Signer } from './signing-keys.js';

/** Google's issuer for ID tokens. */
export const GOOGLE_ISSUER = 'https://accounts.google.com';
/** IAP's issuer for its assertions. */
export const IAP_ISSUER = 'https://cloud.google.com/iap';
/** How long an IAP assertion lives here (IAP's are short-lived). */
export const IAP_ASSERTION_LIFETIME_SECONDS = 600;
/** Lifetime of every token Google mints by default. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
/** The metadata server hands out its cached token until this close to expiry. */
const METADATA_TOKEN_REFRESH_SECONDS = 300;

/** Everything the emulated Google knows: accounts, users, tokens, keys, grants. */
export class EmulatorState {
  readonly clock: EmulatorClock;
  readonly serviceAccounts = new ServiceAccounts();
  readonly users = new Users();
  readonly tokens = new IssuedTokens();
  readonly delegations = new Delegations();
  /** Google's ID-token signing keys (RS256). */
  readonly signingKeys: KeyRing<GoogleSigningKey>;
  /** IAP's assertion signing keys (ES256). */
  readonly iapKeys = new KeyRing<IapSigningKey>(createIapSigningKey);
  readonly projectId: string;
  readonly projectNumber: string;
  /** Life of the access tokens the token endpoint and the metadata server mint. */
  readonly accessTokenLifetimeSeconds: number;
  /** The emulated VM's numeric id (metadata `instance/id`). */
  readonly instanceId = numericId(19);
  readonly defaultServiceAccountKey: ServiceAccountKeyFile;
  readonly defaultServiceAccount: ServiceAccountRecord;
  readonly #metadataTokens = new Map<string, IssuedAccessToken>();

  constructor(clock: EmulatorClock, projectId: string, accessTokenLifetimeSeconds: number) {
    this.clock = clock;
    this.projectId = projectId;
    this.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
    this.projectNumber = numericId(12);
    this.signingKeys = new KeyRing(() => createGoogleSigningKey(clock.now()));
    this.defaultServiceAccountKey = this.serviceAccounts.create({
      email: `${this.projectNumber}-compute@developer.gserviceaccount.com`,
      projectId,
    });
    this.defaultServiceAccount = this.serviceAccounts.find(
      this.defaultServiceAccountKey.client_email,
    ) as ServiceAccountRecord;
  }

  /** A service account or a known user. */
  principalFor(email: string): Principal | undefined {
    const account = this.serviceAccounts.find(email);
    if (account) return this.serviceAccounts.principal(account);
    const user = this.users.find(email);
    return user ? this.users.principal(user) : undefined;
  }

  issueAccessToken(options: {
    principal: Principal;
    clientId: string;
    scopes: readonly string[];
    source: TokenSource;
    lifetimeSeconds?: number;
  }): IssuedAccessToken {
    return this.tokens.issue({
      principal: options.principal,
      clientId: options.clientId,
      scopes: options.scopes,
      source: options.source,
      lifetimeSeconds: options.lifetimeSeconds ?? this.accessTokenLifetimeSeconds,
      nowMs: this.clock.now(),
    });
  }

  /** A valid (known, unexpired, unrevoked) access token, by the emulator's clock. */
  validAccessToken(token: string | undefined): IssuedAccessToken | undefined {
    return token ? this.tokens.findValid(token, this.clock.now()) : undefined;
  }

  /**
   * The default service account's token from the metadata server: like the real one, it hands
   * out the same token for the same scopes until it is close to expiry.
   */
  metadataToken(requestedScopes: readonly string[]): IssuedAccessToken {
    const scopes = requestedScopes.length
      ? normalizeScopes(requestedScopes)
      : [CLOUD_PLATFORM_SCOPE];
    const cacheKey = [...scopes].sort().join(' ');
    const cached = this.#metadataTokens.get(cacheKey);
    const now = this.clock.now();
    if (
      cached &&
      !cached.revoked &&
      cached.expiresAt - now > METADATA_TOKEN_REFRESH_SECONDS * 1000
    ) {
      return cached;
    }
    const account = this.defaultServiceAccount;
    const issued = this.issueAccessToken({
      principal: this.serviceAccounts.principal(account),
      clientId: account.clientId,
      scopes,
      source: 'metadata',
    });
    this.#metadataTokens.set(cacheKey, issued);
    return issued;
  }

  /** Standard Google ID-token claims for a principal. */
  idTokenClaims(options: {
    principal: Principal;
    audience: string;
    authorizedParty?: string;
    lifetimeSeconds?: number;
  }): Record<string, unknown> {
    const iat = this.clock.nowSeconds();
    const claims: Record<string, unknown> = {
      iss: GOOGLE_ISSUER,
      azp: options.authorizedParty ?? options.audience,
      aud: options.audience,
      sub: options.principal.id,
      email: options.principal.email,
      email_verified: options.principal.emailVerified,
      iat,
      exp: iat + (options.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS),
    };
    if (options.principal.hostedDomain !== undefined) claims.hd = options.principal.hostedDomain;
    return claims;
  }

  /**
   * A service account's own ID token, as the token endpoint (`target_audience`), the metadata
   * server (`identity`) and IAM (`generateIdToken`) mint it: `azp` and `sub` are the account's
   * unique id; `email` and `email_verified` only when asked for.
   */
  serviceAccountIdToken(
    account: ServiceAccountRecord,
    audience: string,
    options: { includeEmail: boolean },
  ): string {
    const claims = this.idTokenClaims({
      principal: this.serviceAccounts.principal(account),
      audience,
      authorizedParty: account.clientId,
    });
    if (!options.includeEmail) {
      delete claims.email;
      delete claims.email_verified;
    }
    return this.signIdToken(claims);
  }

  /** Signs claims as Google does ID tokens: RS256, the current key's kid. */
  signIdToken(claims: Record<string, unknown>): string {
    return signJwt(claims, rs256Signer(this.signingKeys.current));
  }

  /**
   * The claims of an IAP assertion for a principal: `iss` IAP, `aud`, `sub`
   * `accounts.google.com:<id>`, `email`, `hd` (when the user has one), `iat`, `exp`.
   */
  iapAssertionClaims(options: {
    principal: Principal;
    audience: string;
    lifetimeSeconds?: number;
  }): Record<string, unknown> {
    const iat = this.clock.nowSeconds();
    const claims: Record<string, unknown> = {
      iss: IAP_ISSUER,
      aud: options.audience,
      sub: `accounts.google.com:${options.principal.id}`,
      email: options.principal.email,
      iat,
      exp: iat + (options.lifetimeSeconds ?? IAP_ASSERTION_LIFETIME_SECONDS),
    };
    if (options.principal.hostedDomain !== undefined) claims.hd = options.principal.hostedDomain;
    return claims;
  }

  /**
   * Checks an ID token as Google's tokeninfo does: signed by a published Google key, not expired.
   * Returns the header and claims, or undefined.
   */
  verifyIdToken(
    jwt: string,
  ): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
    const decoded = decodeJwt(jwt);
    if (!decoded) return undefined;
    const kid = decoded.header.kid;
    const candidates =
      typeof kid === 'string'
        ? [this.signingKeys.find(kid)].filter((key) => key !== undefined)
        : this.signingKeys.published();
    if (!candidates.some((key) => verifyRs256(decoded, key.publicKey))) return undefined;
    const exp = decoded.payload.exp;
    if (typeof exp !== 'number' || exp * 1000 <= this.clock.now()) return undefined;
    return { header: decoded.header, payload: decoded.payload };
  }
}
