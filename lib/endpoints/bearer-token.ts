import { MAX_TOKEN_LENGTH } from './endpoints.constants.js';

/**
 * What a request carries, as far as a bearer token goes:
 * - `none`: no bearer credentials at all (no `Authorization` header, or another scheme);
 * - `malformed`: bearer credentials that are not one well-formed token (two tokens, bad
 *   characters, over-long, the header sent twice, a header and a query token at once…);
 * - `token`: exactly one token of RFC 6750 syntax.
 */
export type BearerToken =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'token'; token: string; from: 'header' | 'query' };

/** RFC 6750 §2.1 `b64token` (RFC 7235 token68): `1*( ALPHA / DIGIT / "-._~+/" ) *"="`. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** `Bearer`, any case, one or more spaces, then the credentials (checked apart). */
const BEARER = /^bearer +(.*)$/is;
/** An auth scheme at the start of a header value (RFC 7235 `token`). */
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?: |$)/;

const NONE: BearerToken = Object.freeze({ kind: 'none' });
const MALFORMED: BearerToken = Object.freeze({ kind: 'malformed' });

/** True when `value` is one token of RFC 6750 syntax, not longer than `MAX_TOKEN_LENGTH`. */
export function isWellFormedToken(value: string): boolean {
  return value.length > 0 && value.length <= MAX_TOKEN_LENGTH && TOKEN68.test(value);
}

/** Reads one `Authorization` header value. */
export function parseAuthorizationHeader(value: string): BearerToken {
  // Node trims the value's outer whitespace; a header of spaces only is no credentials.
  if (value.trim() === '') return NONE;
  // Checked before any regular expression runs on it.
  if (value.length > MAX_TOKEN_LENGTH + 'Bearer '.length + 16) return MALFORMED;
  const bearer = BEARER.exec(value);
  if (!bearer) {
    // Another scheme (Basic, Negotiate…) carries no bearer token; garbage is malformed.
    return SCHEME.test(value) && !/^bearer$/i.test(value) ? NONE : MALFORMED;
  }
  const token = bearer[1]!;
  return isWellFormedToken(token) ? { kind: 'token', token, from: 'header' } : MALFORMED;
}

export interface BearerSources {
  /** Every `Authorization` header the request carries, as sent (duplicates included). */
  authorization: readonly string[];
  /** Every `access_token` query parameter, decoded. */
  queryTokens: readonly string[];
}

/**
 * The one bearer token of a request (RFC 6750 §2): the `Authorization` header, or the
 * `access_token` query parameter when `allowQueryToken` is on. More than one of them is
 * malformed, as RFC 6750 says a client must use only one method.
 */
export function readBearerToken(
  sources: BearerSources,
  options: { allowQueryToken?: boolean } = {},
): BearerToken {
  const queryTokens = options.allowQueryToken ? sources.queryTokens : [];
  if (sources.authorization.length > 1 || queryTokens.length > 1) return MALFORMED;
  const header = sources.authorization[0];
  const query = queryTokens[0];
  if (header !== undefined && query !== undefined) return MALFORMED;
  if (header !== undefined) return parseAuthorizationHeader(header);
  if (query !== undefined) {
    return isWellFormedToken(query) ? { kind: 'token', token: query, from: 'query' } : MALFORMED;
  }
  return NONE;
}
