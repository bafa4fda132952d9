import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { selfSignedCertificateDer, toPem } from './x509.js';

/** An RSA-2048 key pair with its key id. */
export interface RsaKey {
  /** 40 hex characters, like Google's key ids. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A public key in the shape of Google's JWK sets. */
export interface RsaJwk {
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  kid: string;
  n: string;
  e: string;
}

/** A P-256 key pair with its key id (IAP signs its assertions with such keys, ES256). */
export interface EcKey {
  /** 6 base64url characters, like IAP's key ids. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A public key in the shape of IAP's JWK set. */
export interface EcJwk {
  kty: 'EC';
  alg: 'ES256';
  use: 'sig';
  crv: 'P-256';
  kid: string;
  x: string;
  y: string;
}

/** Generates a fresh RSA-2048 key; nothing is ever read from disk. */
export function generateRsaKey(): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomBytes(20).toString('hex'), privateKey, publicKey };
}

/** Generates a fresh P-256 key. */
export function generateEcKey(): EcKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: randomBytes(6).toString('base64url').slice(0, 6), privateKey, publicKey };
}

export function privateKeyPem(key: RsaKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function toJwk(key: RsaKey): RsaJwk {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid, n: String(jwk.n), e: String(jwk.e) };
}

export function toEcJwk(key: EcKey): EcJwk {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return {
    kty: 'EC',
    alg: 'ES256',
    use: 'sig',
    crv: 'P-256',
    kid: key.kid,
    x: String(jwk.x),
    y: String(jwk.y),
  };
}

/** The public key as PEM (SubjectPublicKeyInfo). */
export function publicKeyPem(key: { publicKey: KeyObject }): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A self-signed PEM certificate for the key, valid from a day before `nowMs` for `days` days. */
export function certificatePem(key: RsaKey, commonName: string, nowMs: number, days = 14): string {
  const der = selfSignedCertificateDer({
    publicKey: key.publicKey,
    privateKey: key.privateKey,
    commonName,
    notBefore: new Date(nowMs - DAY_MS),
    notAfter: new Date(nowMs + days * DAY_MS),
  });
  return toPem(der);
}
