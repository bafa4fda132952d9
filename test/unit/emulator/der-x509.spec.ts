import { describe, expect, it } from '@jest/globals';
import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  bitString,
  integer,
  objectIdentifier,
  sequence,
  time,
} from '../../../lib/testing/emulator/der.js';
import { selfSignedCertificateDer, toPem } from '../../../lib/testing/emulator/x509.js';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('DER encoders', () => {
  it("encode INTEGERs as positive two's complement", () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0x00, 0x00, 0x7f])))).toBe('02017f');
    expect(hex(integer(Buffer.from([0xff])))).toBe('020200ff');
  });

  it('encode OIDs with base-128 arcs', () => {
    expect(hex(objectIdentifier('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(objectIdentifier('2.5.4.3'))).toBe('0603550403');
  });

  it('use long-form lengths past 127 bytes', () => {
    const long = sequence(Buffer.alloc(200));
    expect(hex(long.subarray(0, 3))).toBe('3081c8');
    const longer = sequence(Buffer.alloc(300));
    expect(hex(longer.subarray(0, 4))).toBe('3082012c');
  });

  it('encode BIT STRINGs with their unused-bit count', () => {
    expect(hex(bitString(Buffer.from([0x80]), 7))).toBe('03020780');
  });

  it('use UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).toString('latin1')).toBe(
      '\x17\x0d260102030405Z',
    );
    expect(time(new Date(Date.UTC(2051, 0, 2, 3, 4, 5))).toString('latin1')).toBe(
      '\x18\x0f20510102030405Z',
    );
  });
});

describe('selfSignedCertificateDer', () => {
  it('makes a v3 certificate Node parses, self-signed by the key, with the given names and dates', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const notBefore = new Date(Date.UTC(2026, 0, 1));
    const notAfter = new Date(Date.UTC(2026, 0, 15));
    const der = selfSignedCertificateDer({
      publicKey,
      privateKey,
      commonName: 'test.example',
      notBefore,
      notAfter,
    });
    const cert = new X509Certificate(toPem(der));
    expect(cert.subject).toBe('CN=test.example');
    expect(cert.issuer).toBe('CN=test.example');
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom).getTime()).toBe(notBefore.getTime());
    expect(new Date(cert.validTo).getTime()).toBe(notAfter.getTime());
    expect(cert.verify(publicKey)).toBe(true);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(createPublicKey(toPem(der)).export({ format: 'jwk' })).toEqual(
      publicKey.export({ format: 'jwk' }),
    );
    expect(
      toPem(der)
        .split('\n')
        .every((line) => line.length <= 64),
    ).toBe(true);
  });
});
