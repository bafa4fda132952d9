/** Helpers of the emulator's e2e tests: hand-made assertions and plain HTTP. */
import { sign } from 'node:crypto';
import type { ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { GOOGLE_TOKEN_URL } from '../../support/google-transport.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An RS256 JWT signed with the key file's private key (or another PEM). */
export function signAssertion(
  claims: Record<string, unknown>,
  privateKeyPem: string,
  header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' },
): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input), privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

/** The claims google-auth-library's JWT client sends, with overrides. */
export function assertionClaims(
  key: ServiceAccountKeyFile,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: key.client_email,
    scope: CLOUD_PLATFORM,
    aud: GOOGLE_TOKEN_URL,
    iat,
    exp: iat + 3600,
    ...overrides,
  };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function postForm(url: string, form: Record<string, string>): Promise<HttpResult> {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

export function postAssertion(tokenUrl: string, assertion: string): Promise<HttpResult> {
  return postForm(tokenUrl, { grant_type: JWT_BEARER, assertion });
}
