import type { StoredToken } from './token-store.js';

/**
 * Helpers the shared stores have in common: what a stored value must look like, and how long a
 * backend keeps an entry. Internal (not exported from the package).
 */

/**
 * A fresh `StoredToken` built from what a backend gave back, or `undefined` when it is not one
 * (a foreign or damaged value is a miss, never an exception that could echo its content).
 */
export function parseStoredToken(value: unknown): StoredToken | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { accessToken, expiresAt, scopes, subject } = record;
  if (typeof accessToken !== 'string' || accessToken === '') return undefined;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return undefined;
  }
  if (subject !== undefined && subject !== null && typeof subject !== 'string') return undefined;
  return {
    accessToken,
    expiresAt,
    scopes: [...(scopes as string[])],
    ...(typeof subject === 'string' && subject !== '' ? { subject } : {}),
  };
}

/** A plain copy of the token with only the fields of `StoredToken` (no stray properties). */
export function copyStoredToken(token: StoredToken): StoredToken {
  return {
    accessToken: token.accessToken,
    expiresAt: token.expiresAt,
    scopes: [...token.scopes],
    ...(token.subject ? { subject: token.subject } : {}),
  };
}

/** True while the token has time left. */
export function isLive(token: StoredToken, now = Date.now()): boolean {
  return token.expiresAt > now;
}

/**
 * How long a backend keeps the entry of a token with `remainingMs` to live: rounded up to a
 * whole second, plus one. Memcached counts whole seconds (and drops `floor(ms / 1000)`), so an
 * exact TTL could lose the entry early; a read checks the token's own `expiresAt` anyway, so the
 * slack never hands out an expired token.
 */
export function backendTtlMs(remainingMs: number): number {
  return Math.ceil(remainingMs / 1000) * 1000 + 1000;
}

/** Fails with a clear message when `key` is not a usable store key. */
export function checkKey(store: string, key: string): void {
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`${store}: a key must be a non-empty string`);
  }
}

/** A lock TTL as the stores take it: a whole number of milliseconds, at least 1. */
export function lockTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`a lock TTL must be a number of milliseconds > 0`);
  }
  return Math.max(1, Math.ceil(ttlMs));
}
