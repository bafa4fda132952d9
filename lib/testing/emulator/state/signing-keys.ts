import { certificatePem, generateRsaKey, toJwk, type RsaJwk, type RsaKey } from '../keys.js';

/** A key Google signs ID tokens with, and its published forms. */
export interface SigningKey extends RsaKey {
  certificatePem: string;
  jwk: RsaJwk;
}

const GOOGLE_SIGNER_CN = 'federated-signon.system.gserviceaccount.com';

/**
 * Google's ID-token signing keys: the current one signs; after a rotation the previous one stays
 * published (in the certs endpoints) for one more rotation, then is dropped.
 */
export class SigningKeys {
  #current: SigningKey | undefined;
  #previous: SigningKey | undefined;
  readonly #nowMs: () => number;

  /** The first key is generated when first needed (RSA key generation takes a while). */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  #create(): SigningKey {
    const key = generateRsaKey();
    return {
      ...key,
      certificatePem: certificatePem(key, GOOGLE_SIGNER_CN, this.#nowMs()),
      jwk: toJwk(key),
    };
  }

  get current(): SigningKey {
    this.#current ??= this.#create();
    return this.#current;
  }

  /** Current first, then the previous one if still published. */
  published(): SigningKey[] {
    return this.#previous ? [this.current, this.#previous] : [this.current];
  }

  find(kid: string): SigningKey | undefined {
    return this.published().find((key) => key.kid === kid);
  }

  rotate(): void {
    this.#previous = this.current;
    this.#current = this.#create();
  }
}
