import { MAX_TOKEN_LENGTH } from './endpoints.constants.js';
import type { RawRequest } from './http-request.js';

/** No bearer credentials at all: no `Authorization` header (nor query token), or another scheme. */
export const NO_BEARER: unique symbol = Symbol('no bearer credentials');
/**
 * Bearer credentials that are not one well-formed token: two tokens, bad characters,
 * over-long, the header sent twice, a header and a query token at once…
 */
export const MALFORMED_BEARER: unique symbol = Symbol('malformed bearer credentials');

/** What a request carries, as far as a bearer token goes: the token, or why there is none. */
export type BearerToken = string | typeof NO_BEARER | typeof MALFORMED_BEARER;

/** RFC 6750 §2.1 `b64token` (RFC 7235 token68): `1*( ALPHA / DIGIT / "-._~+/" ) *"="`. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth scheme at the start of a header value (RFC 7235 `token`). */
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?: |$)/;
const BEARER = 'bearer';

/** True when `value` is one token of RFC 6750 syntax, not longer than `MAX_TOKEN_LENGTH`. */
export function isWellFormedToken(value: string): boolean {
  return value.length > 0 && value.length <= MAX_TOKEN_LENGTH && TOKEN68.test(value);
}

/** Whether `value` starts with `Bearer` in any case (compared by character: no copy is made). */
function startsWithBearer(value: string): boolean {
  if (value.length < BEARER.length) return false;
  for (let i = 0; i < BEARER.length; i++) {
    // ASCII letters only: setting bit 0x20 makes an upper-case letter lower-case.
    if ((value.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Reads one `Authorization` header value: `Bearer`, any case, one or more spaces, then exactly
 * one token.
 */
export function parseAuthorizationHeader(value: string): BearerToken {
  const token = bearerCandidate(value);
  return typeof token !== 'string' || isWellFormedToken(token) ? token : MALFORMED_BEARER;
}

/**
 * What follows `Bearer ` in the header, its syntax not checked yet (see `readBearerToken`), or
 * why there is no bearer token.
 */
function bearerCandidate(value: string): BearerToken {
  // Checked before anything else runs on it.
  if (value.length > MAX_TOKEN_LENGTH + 'Bearer '.length + 16) return MALFORMED_BEARER;
  if (startsWithBearer(value) && value.charCodeAt(BEARER.length) === 0x20) {
    let start = BEARER.length + 1;
    while (value.charCodeAt(start) === 0x20) start++;
    return value.slice(start);
  }
  // Node trims the value's outer whitespace; a header of spaces only is no credentials.
  if (value.trim() === '') return NO_BEARER;
  // Another scheme (Basic, Negotiate…) carries no bearer token; garbage is malformed.
  return SCHEME.test(value) && value.toLowerCase() !== BEARER ? NO_BEARER : MALFORMED_BEARER;
}

/**
 * The one bearer token of a request (RFC 6750 §2): the `Authorization` header, or the
 * `access_token` query parameter when `allowQueryToken` is on. More than one of them is
 * malformed, as RFC 6750 says a client must use only one method. Reads the headers Node has
 * parsed already; builds no dictionary of them.
 *
 * With `checked: false` a header's token is returned without its syntax checked, for a cache
 * lookup that may make the check needless: only well-formed tokens are ever cached, so a token
 * found there is well-formed. Check it (`isWellFormedToken`) before anything else.
 */
export function readBearerToken(
  request: RawRequest,
  allowQueryToken: boolean,
  checked = true,
): BearerToken {
  const header = request.headers.authorization;
  if (header !== undefined && authorizationCount(request) > 1) return MALFORMED_BEARER;
  if (allowQueryToken) {
    const query = queryTokens(request);
    if (query.length > 1 || (query.length === 1 && header !== undefined)) return MALFORMED_BEARER;
    if (query.length === 1) return isWellFormedToken(query[0]!) ? query[0]! : MALFORMED_BEARER;
  }
  if (header === undefined) return NO_BEARER;
  return checked ? parseAuthorizationHeader(header) : bearerCandidate(header);
}

/** How many `Authorization` headers the request carries (Node's `headers` keeps the first only). */
function authorizationCount(request: RawRequest): number {
  const raw = request.rawHeaders;
  if (!raw) return 1;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++;
  }
  return count;
}

/** Every `access_token` query parameter, decoded, from the URL as the client sent it. */
function queryTokens(request: RawRequest): string[] {
  const url = request.originalUrl ?? request.url ?? '';
  const start = url.indexOf('?');
  if (start < 0) return [];
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end)).getAll(
    'access_token',
  );
}
