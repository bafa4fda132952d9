import type { StoredToken } from '../stores/token-store.js';

/**
 * The refresh rule, in one place. A token is refreshed `marginMs` before it expires, so that a
 * caller always gets one with at least that long left, except when Google has nothing better:
 * a token that arrives fresh from its source with less than the margin left (the metadata
 * server hands out its own cached token until about four minutes before expiry) is used until
 * half of what it had left has passed, rather than fetched again on every call.
 */

/** Whether a token read from the store may be handed out: more than the margin left. */
export function hasMarginLeft(
  token: StoredToken | undefined,
  marginMs: number,
  now = Date.now(),
): token is StoredToken {
  return token !== undefined && token.expiresAt - marginMs > now;
}

/** Until when this process hands out a token it has just been given (ms since the epoch). */
export function reuseUntil(token: StoredToken, marginMs: number, now = Date.now()): number {
  const left = token.expiresAt - now;
  return left > marginMs ? token.expiresAt - marginMs : token.expiresAt - left / 2;
}
