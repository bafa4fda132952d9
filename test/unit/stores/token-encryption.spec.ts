import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { TokenCipher } from '../../../lib/stores/token-encryption.js';

const KEY = randomBytes(32);

describe('TokenCipher', () => {
  it('is absent without a key', () => {
    expect(TokenCipher.fromOptions('S', undefined)).toBeUndefined();
  });

  it('accepts 32 bytes as a Buffer, a Uint8Array, base64 or base64url', () => {
    for (const key of [
      KEY,
      new Uint8Array(KEY),
      KEY.toString('base64'),
      KEY.toString('base64url'),
      ` ${KEY.toString('base64')}\n`,
    ]) {
      const cipher = TokenCipher.fromOptions('S', key)!;
      expect(cipher.open(cipher.seal('hello', 'k'), 'k')).toBe('hello');
    }
  });

  it('refuses a key of the wrong length or form, and never prints it', () => {
    const short = randomBytes(16).toString('base64');
    const hex = randomBytes(32).toString('hex');
    const cases: [unknown, RegExp][] = [
      [randomBytes(16), /16 bytes long, AES-256 needs 32/],
      [short, /16 bytes long/],
      [hex, /48 bytes long/],
      ['not base64 at all!', /is not base64/],
      ['', /is not base64/],
      [42, /must be a Buffer or a base64 string/],
      [[], /empty list/],
    ];
    for (const [key, message] of cases) {
      let error: unknown;
      try {
        TokenCipher.fromOptions('MyStore', key as Uint8Array);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TypeError);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text).toMatch(/^MyStore: /);
      // A key long enough to be a key never appears in the message.
      const secret = typeof key === 'string' && key.length > 8 ? key : '\u0000never';
      expect(text).not.toContain(secret);
    }
  });

  it('names the bad key of a list by its index', () => {
    expect(() => TokenCipher.fromOptions('S', [KEY, randomBytes(8)])).toThrow(
      /"encryptionKey"\[1\] is 8 bytes long/,
    );
  });

  it('uses a fresh nonce for every value: the same plaintext seals differently', () => {
    const cipher = TokenCipher.fromOptions('S', KEY)!;
    const a = cipher.seal('same', 'k');
    const b = cipher.seal('same', 'k');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.')).toBe(true);
    expect(Buffer.from(a.slice(3), 'base64url').length).toBe(12 + 4 + 16);
  });

  it('opens nothing sealed with another key, for another store key, tampered with, or foreign', () => {
    const cipher = TokenCipher.fromOptions('S', KEY)!;
    const sealed = cipher.seal('secret', 'k');
    expect(TokenCipher.fromOptions('S', randomBytes(32))!.open(sealed, 'k')).toBeUndefined();
    expect(cipher.open(sealed, 'other-key')).toBeUndefined();
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 1;
      expect(cipher.open(`v1.${copy.toString('base64url')}`, 'k')).toBeUndefined();
    }
    for (const foreign of ['v1.', 'v1.AAAA', 'v2.' + sealed.slice(3), 'secret', 42, null, {}]) {
      expect(cipher.open(foreign, 'k')).toBeUndefined();
    }
  });

  it('rotates keys: the first seals, every one opens', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = TokenCipher.fromOptions('S', oldKey)!.seal('token', 'k');
    const rotated = TokenCipher.fromOptions('S', [newKey, oldKey])!;
    expect(rotated.open(before, 'k')).toBe('token');
    const after = rotated.seal('token', 'k');
    expect(TokenCipher.fromOptions('S', newKey)!.open(after, 'k')).toBe('token');
    expect(TokenCipher.fromOptions('S', oldKey)!.open(after, 'k')).toBeUndefined();
  });
});
