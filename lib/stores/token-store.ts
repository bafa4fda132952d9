/**
 * A token as the token cache keeps it: the token, when it stops working, and what it grants.
 * Never a private key or any other long-lived secret.
 *
 * A service account's ID token (`getIdToken`) is kept in this same shape, so that every store
 * carries it unchanged: the ID token in `accessToken`, its `exp` as `expiresAt`, `scopes` empty
 * and no `subject`. Its audience is not stored: it is part of the (hashed) key, in a namespace
 * of its own (`sa-id-token:v1:…`), and inside the token.
 */
export interface StoredToken {
  /** The OAuth2 access token (`ya29.…`), or a service account's ID token (a JWT; see above). */
  accessToken: string;
  /** When the token stops working, in milliseconds since the epoch. */
  expiresAt: number;
  /** The scopes the token was minted for, sorted and without duplicates; empty for an ID token. */
  scopes: string[];
  /** The Workspace user the token acts as (domain-wide delegation), if any. */
  subject?: string;
}

/** A held cross-instance lock; `release()` frees it only if this holder still owns it. */
export interface TokenStoreLock {
  /** Frees the lock if this holder still owns it (a lock that expired and was taken is left alone). */
  release(): Promise<void>;
}

/**
 * Where minted service-account tokens are kept, so that every instance of an app shares them.
 *
 * Keys are opaque strings made by the library (a hash: no email or token in clear). A store
 * keeps each entry at most until its token's `expiresAt` and never returns an expired one.
 */
export interface TokenStore {
  /** The token stored under `key`, or `undefined` when there is none or it has expired. */
  get(key: string): Promise<StoredToken | undefined>;
  /** Stores the token until its `expiresAt`. */
  set(key: string, token: StoredToken): Promise<void>;
  /** Removes the token under `key` (nothing happens when there is none). */
  delete(key: string): Promise<void>;
  /**
   * Optional: takes a lock on `key` for at most `ttlMs`, so that one instance in a fleet mints
   * while the others wait. Resolves to the lock, or `null` when another holder has it.
   */
  lock?(key: string, ttlMs: number): Promise<TokenStoreLock | null>;
}

/** Injection token of the `TokenStore` the module uses (the same name as the interface). */
export const TokenStore = Symbol('TokenStore');
