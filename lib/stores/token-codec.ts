import { copyStoredToken, parseStoredToken } from './stored-token.js';
import type { TokenCipher } from './token-encryption.js';
import type { StoredToken } from './token-store.js';

/**
 * A token as a key-value store keeps it: a plain object, or with a cipher a sealed string.
 * With a cipher only sealed values are read back; without one only plain objects.
 */
export class TokenCodec {
  constructor(private readonly cipher: TokenCipher | undefined) {}

  get encrypts(): boolean {
    return this.cipher !== undefined;
  }

  encode(key: string, token: StoredToken): StoredToken | string {
    const plain = copyStoredToken(token);
    return this.cipher ? this.cipher.seal(JSON.stringify(plain), key) : plain;
  }

  decode(key: string, value: unknown): StoredToken | undefined {
    if (!this.cipher) return typeof value === 'string' ? undefined : parseStoredToken(value);
    const text = this.cipher.open(value, key);
    if (text === undefined) return undefined;
    try {
      return parseStoredToken(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
}
