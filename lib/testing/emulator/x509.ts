import { randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  utf8String,
} from './der.js';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';

export interface SelfSignedCertificateOptions {
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** Subject and issuer common name. */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), boolean(critical), octetString(value));
}

/**
 * A minimal self-signed X.509 v3 certificate (RSA, SHA-256), like the ones Google publishes at
 * `oauth2/v1/certs`: subject = issuer, CA:FALSE, key usage digitalSignature. Returns DER.
 */
export function selfSignedCertificateDer(options: SelfSignedCertificateOptions): Buffer {
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const spki = options.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = sequence(
    extension(BASIC_CONSTRAINTS, true, sequence()),
    // digitalSignature is bit 0: one byte 0x80 with 7 unused bits.
    extension(KEY_USAGE, true, bitString(Buffer.from([0x80]), 7)),
  );
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    name(options.commonName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.commonName),
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, options.privateKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** DER to PEM with the given label, 64 characters a line. */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
