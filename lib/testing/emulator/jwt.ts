import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A JWT's three parts, decoded but not verified. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, the bytes the signature covers (as sent, padding included). */
  signingInput: string;
  signature: Buffer;
}

/** The algorithms the emulator signs with: Google's ID tokens and assertions, IAP's assertions. */
export type JwsAlgorithm = 'RS256' | 'ES256';

/** What signs a JWT: the algorithm, the private key, and the `kid` put in the header (if any). */
export interface JwtSigner {
  alg: JwsAlgorithm;
  privateKey: KeyObject | string;
  kid?: string;
}

export function base64UrlEncode(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * base64url, unpadded or padded to a multiple of 4 (`…g==`): Python's google-auth 1.x pads its
 * assertions, and Google's token endpoint accepts them.
 */
function isBase64Url(part: string): boolean {
  const match = /^[A-Za-z0-9_-]*(={0,2})$/.exec(part);
  if (!match) return false;
  const padding = match[1] ?? '';
  return padding === '' || part.length % 4 === 0;
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and parses a compact JWS; `undefined` when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(isBase64Url)) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = parseJsonObject(h);
  const payload = parseJsonObject(p);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** A copy of `fields` with `overrides` applied: a value replaces, `undefined` removes. */
export function withOverrides(
  fields: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const out = { ...fields };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

/**
 * Signs `payload` with the signer's algorithm; the header is `{ alg, typ: 'JWT', kid }` (no `kid`
 * when the signer has none), then `headerOverrides` (a field set to `undefined` is removed).
 */
export function signJwt(
  payload: Record<string, unknown>,
  signer: JwtSigner,
  headerOverrides: Record<string, unknown> = {},
): string {
  const header = withOverrides(
    signer.kid === undefined
      ? { alg: signer.alg, typ: 'JWT' }
      : { alg: signer.alg, typ: 'JWT', kid: signer.kid },
    headerOverrides,
  );
  const signingInput = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(payload))}`;
  const data = Buffer.from(signingInput);
  const signature =
    signer.alg === 'ES256'
      ? sign('sha256', data, { key: toPrivateKey(signer.privateKey), dsaEncoding: 'ieee-p1363' })
      : sign('sha256', data, signer.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function toPrivateKey(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

/** True when `jwt` is RS256 and its signature verifies with `publicKey`. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), key, jwt.signature);
  } catch {
    return false;
  }
}
