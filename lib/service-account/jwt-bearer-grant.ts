import { createSign, KeyObject } from 'node:crypto';
import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { StoredToken } from '../stores/token-store.js';
import { readTokenResponse, type TokenResponseBody } from './token-response.js';
import type { TokenRequest } from './token-source.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;

/**
 * The claims of a jwt-bearer assertion for `iss`, asking for `request`'s scopes as its subject.
 * `audience` is Google's token URL (see `GOOGLE_TOKEN_AUDIENCES`), not where the assertion is sent.
 */
export function assertionClaims(
  issuer: string,
  audience: string,
  request: TokenRequest,
  nowMs = Date.now(),
): Record<string, string | number> {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: issuer,
    scope: request.scopes.join(' '),
    aud: audience,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
    ...(request.subject ? { sub: request.subject } : {}),
  };
}

/** Signs claims as an RS256 JWT with a service account's private key. */
export function signAssertion(
  claims: Record<string, string | number>,
  privateKey: KeyObject,
  keyId?: string,
): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(keyId ? { kid: keyId } : {}) };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Trades a signed assertion for `request`'s access token at the token endpoint (`tokenUrl`). */
export async function exchangeAssertion(
  http: GoogleHttpClient,
  tokenUrl: string,
  assertion: string,
  request: TokenRequest,
): Promise<StoredToken> {
  const sentAt = Date.now();
  const { data } = await http.request<TokenResponseBody>({
    endpoint: 'token',
    method: 'POST',
    url: tokenUrl,
    form: { grant_type: JWT_BEARER, assertion },
  });
  return readTokenResponse('token', data, sentAt, request);
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
