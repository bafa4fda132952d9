/**
 * Signing keys that rotate as Google rotates its own: the next key is published before it signs,
 * so a verifier holding fresh keys already knows it; after a rotation the previous key stays
 * published for one more rotation, then is dropped.
 */
export class KeyRing<Key extends { kid: string }> {
  readonly #create: () => Key;
  #previous: Key | undefined;
  #current: Key | undefined;
  #next: Key | undefined;

  /** Keys are made when first needed (an RSA key takes a while to generate). */
  constructor(create: () => Key) {
    this.#create = create;
  }

  /** The key that signs now. */
  get current(): Key {
    this.#current ??= this.#create();
    return this.#current;
  }

  /** The key that signs after the next rotation: already published. */
  get next(): Key {
    this.#next ??= this.#create();
    return this.#next;
  }

  /** Current first, then the next one, then the previous one if still published. */
  published(): Key[] {
    return this.#previous ? [this.current, this.next, this.#previous] : [this.current, this.next];
  }

  find(kid: string): Key | undefined {
    return this.published().find((key) => key.kid === kid);
  }

  /**
   * The next key becomes current and a new next key is published. `abrupt`: a key never
   * published before becomes current instead (the next one stays next), so a verifier that
   * fetched the keys before the rotation does not know it.
   */
  rotate(options: { abrupt?: boolean } = {}): void {
    this.#previous = this.current;
    if (options.abrupt) {
      this.#current = this.#create();
      return;
    }
    this.#current = this.next;
    this.#next = this.#create();
  }
}
