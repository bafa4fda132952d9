import { createSign, KeyObject } from 'node:crypto';
import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { StoredToken } from '../stores/token-store.js';
import type { IdTokenRequest } from './id-token-request.js';
import { readIdToken } from './id-token-response.js';
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
  return claims(issuer, audience, nowMs, {
    scope: request.scopes.join(' '),
    ...(request.subject ? { sub: request.subject } : {}),
  });
}

/**
 * The claims of a jwt-bearer assertion for `iss`'s own ID token: `target_audience` in place of
 * `scope`, which Google answers with `{ id_token }` whose `aud` is `request.audience`.
 */
export function idTokenAssertionClaims(
  issuer: string,
  audience: string,
  request: IdTokenRequest,
  nowMs = Date.now(),
): Record<string, string | number> {
  return claims(issuer, audience, nowMs, { target_audience: request.audience });
}

/** What every assertion says (issuer, audience, an hour from now) and what it asks for. */
function claims(
  issuer: string,
  audience: string,
  nowMs: number,
  grant: Record<string, string>,
): Record<string, string | number> {
  const iat = Math.floor(nowMs / 1000);
  return { iss: issuer, ...grant, aud: audience, iat, exp: iat + ASSERTION_LIFETIME_SECONDS };
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
  const data = await postAssertion<TokenResponseBody>(http, tokenUrl, assertion);
  return readTokenResponse('token', data, sentAt, request);
}

/** Trades a signed `target_audience` assertion for an ID token at the token endpoint. */
export async function exchangeIdTokenAssertion(
  http: GoogleHttpClient,
  tokenUrl: string,
  assertion: string,
): Promise<StoredToken> {
  const data = await postAssertion<{ id_token?: unknown }>(http, tokenUrl, assertion);
  return readIdToken('token', data?.id_token);
}

async function postAssertion<T>(
  http: GoogleHttpClient,
  tokenUrl: string,
  assertion: string,
): Promise<T | undefined> {
  const { data } = await http.request<T>({
    endpoint: 'token',
    method: 'POST',
    url: tokenUrl,
    form: { grant_type: JWT_BEARER, assertion },
  });
  return data;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
