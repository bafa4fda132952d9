import { createSign, KeyObject } from 'node:crypto';
import type { GoogleHttpClient } from '../google/google-http-client.js';
import { GoogleOAuth2Error } from '../google/google-oauth2.error.js';
import type { MintedToken, TokenRequest } from './token-source.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;

/** The claims of a jwt-bearer assertion for `iss`, asking for `request`'s scopes as its subject. */
export function assertionClaims(
  issuer: string,
  tokenUrl: string,
  request: TokenRequest,
  nowMs = Date.now(),
): Record<string, string | number> {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: issuer,
    scope: request.scopes.join(' '),
    aud: tokenUrl,
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

/** Trades a signed assertion for an access token at the token endpoint. */
export async function exchangeAssertion(
  http: GoogleHttpClient,
  tokenUrl: string,
  assertion: string,
): Promise<MintedToken> {
  const sentAt = Date.now();
  const { data } = await http.request<{ access_token?: unknown; expires_in?: unknown }>({
    endpoint: 'token',
    method: 'POST',
    url: tokenUrl,
    form: { grant_type: JWT_BEARER, assertion },
  });
  return readTokenResponse('token', data, sentAt);
}

/** Reads `{ access_token, expires_in }`; expiry counts from when the request was sent. */
export function readTokenResponse(
  endpoint: 'token' | 'metadata',
  data: { access_token?: unknown; expires_in?: unknown } | undefined,
  sentAt: number,
): MintedToken {
  const accessToken = data?.access_token;
  const expiresIn = Number(data?.expires_in);
  if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(expiresIn)) {
    throw new GoogleOAuth2Error(endpoint, 'invalid_response', 'no access_token or expires_in');
  }
  return { accessToken, expiresAt: sentAt + expiresIn * 1000 };
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
