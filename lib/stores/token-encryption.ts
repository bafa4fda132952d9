import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * An AES-256 key: 32 bytes, as a `Buffer`/`Uint8Array` or a base64 (or base64url) string of them
 * (`openssl rand -base64 32`).
 */
export type TokenEncryptionKey = Uint8Array | string;

/** The `encryptionKey` option of the shared stores. */
export interface TokenEncryptionOptions {
  /**
   * Encrypts what the store keeps (AES-256-GCM, a random 12-byte nonce per value). A list rotates
   * keys: the first encrypts, every one of them decrypts. A value no key opens is a miss.
   */
  encryptionKey?: TokenEncryptionKey | readonly TokenEncryptionKey[];
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Marks the format of a sealed value; a later format gets another prefix. */
const PREFIX = 'v1.';
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/**
 * Seals and opens stored values: `v1.` + base64url(nonce ‖ ciphertext ‖ tag). The store key is
 * the additional authenticated data, so a value copied under another key does not open there.
 */
export class TokenCipher {
  private readonly keys: Buffer[];

  private constructor(keys: Buffer[]) {
    this.keys = keys;
  }

  /** The cipher for a store's options, or `undefined` when no key is set. Checks the keys. */
  static fromOptions(
    store: string,
    option: TokenEncryptionOptions['encryptionKey'],
  ): TokenCipher | undefined {
    if (option === undefined) return undefined;
    const list: readonly TokenEncryptionKey[] = isKeyList(option) ? option : [option];
    if (list.length === 0) {
      throw new TypeError(`${store}: "encryptionKey" is an empty list; give at least one key`);
    }
    return new TokenCipher(
      list.map((key, index) => decodeKey(store, key, list.length > 1 ? index : undefined)),
    );
  }

  seal(plaintext: string, key: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys[0]!, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(key));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext, or `undefined` when the value is not sealed by one of the keys for `key`. */
  open(sealed: unknown, key: string): string | undefined {
    if (typeof sealed !== 'string' || !sealed.startsWith(PREFIX)) return undefined;
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    for (const secret of this.keys) {
      try {
        const decipher = createDecipheriv(ALGORITHM, secret, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(key));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        // not this key, or tampered with: try the next one
      }
    }
    return undefined;
  }
}

function aad(key: string): Buffer {
  return Buffer.from(`nestjs-google-oauth2 token\0${key}`, 'utf8');
}

function isKeyList(
  option: TokenEncryptionKey | readonly TokenEncryptionKey[],
): option is readonly TokenEncryptionKey[] {
  return Array.isArray(option);
}

/** The key's bytes; the messages say what is wrong with it, never what it is. */
function decodeKey(store: string, key: TokenEncryptionKey, index: number | undefined): Buffer {
  const name = index === undefined ? '"encryptionKey"' : `"encryptionKey"[${index}]`;
  const hint = 'give 32 random bytes as a Buffer or a base64 string (openssl rand -base64 32)';
  let bytes: Buffer;
  if (typeof key === 'string') {
    const text = key.trim();
    if (!BASE64.test(text)) {
      throw new TypeError(`${store}: ${name} is not base64; ${hint}`);
    }
    bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  } else if (key instanceof Uint8Array) {
    bytes = Buffer.from(key);
  } else {
    throw new TypeError(`${store}: ${name} must be a Buffer or a base64 string; ${hint}`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new TypeError(
      `${store}: ${name} is ${bytes.length} bytes long, AES-256 needs ${KEY_BYTES}; ${hint}`,
    );
  }
  return bytes;
}
