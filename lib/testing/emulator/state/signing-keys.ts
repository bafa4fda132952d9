import type { JwtSigner } from '../jwt.js';
import {
  certificatePem,
  generateEcKey,
  generateRsaKey,
  publicKeyPem,
  toEcJwk,
  toJwk,
  type EcJwk,
  type EcKey,
  type RsaJwk,
  type RsaKey,
} from '../keys.js';

/** A key Google signs ID tokens with (RS256), and its published forms. */
export interface GoogleSigningKey extends RsaKey {
  certificatePem: string;
  jwk: RsaJwk;
}

/** A key IAP signs its assertions with (ES256), and its published forms. */
export interface IapSigningKey extends EcKey {
  publicKeyPem: string;
  jwk: EcJwk;
}

const GOOGLE_SIGNER_CN = 'federated-signon.system.gserviceaccount.com';

export function createGoogleSigningKey(nowMs: number): GoogleSigningKey {
  const key = generateRsaKey();
  return { ...key, certificatePem: certificatePem(key, GOOGLE_SIGNER_CN, nowMs), jwk: toJwk(key) };
}

export function createIapSigningKey(): IapSigningKey {
  const key = generateEcKey();
  return { ...key, publicKeyPem: publicKeyPem(key), jwk: toEcJwk(key) };
}

/** The signer of a Google (RS256) key. */
export function rs256Signer(key: RsaKey): JwtSigner {
  return { alg: 'RS256', privateKey: key.privateKey, kid: key.kid };
}

/** The signer of an IAP (ES256) key. */
export function es256Signer(key: EcKey): JwtSigner {
  return { alg: 'ES256', privateKey: key.privateKey, kid: key.kid };
}
