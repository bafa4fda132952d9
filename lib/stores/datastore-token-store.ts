import type { Datastore, Key } from '@google-cloud/datastore';
import { randomBytes } from 'node:crypto';
import { checkKey, isLive, lockTtl, parseStoredToken } from './stored-token.js';
import { TokenCipher, type TokenEncryptionOptions } from './token-encryption.js';
import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.js';

export interface DatastoreTokenStoreOptions extends TokenEncryptionOptions {
  /** The kind of the token entities. Default `'OAuth2Token'`. */
  kind?: string;
  /** The kind of the mint-lock entities. Default: `kind` + `'Lock'` (`'OAuth2TokenLock'`). */
  lockKind?: string;
  /** The namespace of both kinds. Default: the client's (the default namespace). */
  namespace?: string;
}

/**
 * The entity's property that holds when it may go: a timestamp, for a Datastore TTL policy
 * (`gcloud firestore fields ttls update expireAt --collection-group=OAuth2Token --enable-ttl`).
 */
export const DATASTORE_EXPIRY_PROPERTY = 'expireAt';

/** Nothing queries these entities: every property is left out of the indexes. */
const TOKEN_PROPERTIES = [
  'accessToken',
  'scopes[]',
  'subject',
  'sealed',
  DATASTORE_EXPIRY_PROPERTY,
];
const LOCK_PROPERTIES = ['owner', DATASTORE_EXPIRY_PROPERTY];
/** gRPC's ABORTED: a transaction lost to a concurrent one. */
const ABORTED = 10;
const RELEASE_ATTEMPTS = 3;
const NAME = 'DatastoreTokenStore';

/**
 * Tokens in Cloud Datastore (Firestore in Datastore mode), one entity per key. The entity keeps
 * the token, its scopes and subject, and `expireAt`, a timestamp for a TTL policy that deletes
 * what has expired. With `encryptionKey`, `expireAt` stays in clear (the TTL needs it) and the
 * rest is one sealed property. The mint lock is an entity of its own kind, taken and released in
 * transactions, and only by its owner.
 */
export class DatastoreTokenStore implements TokenStore {
  private readonly kind: string;
  private readonly lockKind: string;
  private readonly namespace: string | undefined;
  private readonly cipher: TokenCipher | undefined;

  constructor(
    private readonly datastore: Datastore,
    options: DatastoreTokenStoreOptions = {},
  ) {
    if (
      !datastore ||
      typeof datastore.key !== 'function' ||
      typeof datastore.transaction !== 'function'
    ) {
      throw new TypeError(
        `${NAME}: expected a Datastore client (new Datastore() of @google-cloud/datastore)`,
      );
    }
    this.kind = kindOption(options.kind, 'kind', 'OAuth2Token');
    this.lockKind = kindOption(options.lockKind, 'lockKind', `${this.kind}Lock`);
    if (this.lockKind === this.kind) {
      throw new TypeError(`${NAME}: "lockKind" must differ from "kind"`);
    }
    this.namespace = options.namespace;
    this.cipher = TokenCipher.fromOptions(NAME, options.encryptionKey);
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const [entity] = (await this.datastore.get(this.key(this.kind, key))) as [unknown];
    const token = this.decode(key, entity);
    return token && isLive(token) ? token : undefined;
  }

  async set(key: string, token: StoredToken): Promise<void> {
    const entityKey = this.key(this.kind, key);
    if (!isLive(token)) {
      await this.datastore.delete(entityKey);
      return;
    }
    await this.datastore.upsert({
      key: entityKey,
      data: this.encode(key, token),
      excludeFromIndexes: TOKEN_PROPERTIES,
    });
  }

  async delete(key: string): Promise<void> {
    await this.datastore.delete(this.key(this.kind, key));
  }

  /** Takes the lock entity in a transaction if it is absent or expired; `null` if held or contended. */
  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | null> {
    const lockKey = this.key(this.lockKind, key);
    const ttl = lockTtl(ttlMs);
    const owner = randomBytes(16).toString('base64url');
    const taken = await this.inTransaction(async (transaction) => {
      const [current] = (await transaction.get(lockKey)) as [unknown];
      if (lockHeld(current)) return false;
      transaction.upsert({
        key: lockKey,
        data: { owner, [DATASTORE_EXPIRY_PROPERTY]: new Date(Date.now() + ttl) },
        excludeFromIndexes: LOCK_PROPERTIES,
      });
      return true;
    });
    if (!taken) return null;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        await this.release(lockKey, owner);
        released = true;
      },
    };
  }

  /** Deletes the lock entity if `owner` still holds it; retries when a transaction loses a race. */
  private async release(lockKey: Key, owner: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.inTransaction(async (transaction) => {
        const [current] = (await transaction.get(lockKey)) as [unknown];
        if (!current || (current as { owner?: unknown }).owner !== owner) return false;
        transaction.delete(lockKey);
        return true;
      });
      if (outcome !== null || attempt >= RELEASE_ATTEMPTS) return;
    }
  }

  /**
   * Runs `work` in a transaction and commits when it answers true. Answers what `work` answered,
   * or `null` when the transaction lost to a concurrent one (ABORTED). Other errors propagate.
   */
  private async inTransaction(
    work: (transaction: ReturnType<Datastore['transaction']>) => Promise<boolean>,
  ): Promise<boolean | null> {
    const transaction = this.datastore.transaction();
    let open = false;
    try {
      await transaction.run();
      open = true;
      const write = await work(transaction);
      if (write) {
        open = false; // a failed commit rolls itself back
        await transaction.commit();
      } else {
        open = false;
        await transaction.rollback();
      }
      return write;
    } catch (error) {
      if (open) await transaction.rollback().catch(() => undefined);
      if ((error as { code?: unknown } | null)?.code === ABORTED) return null;
      throw error;
    }
  }

  private key(kind: string, name: string): Key {
    checkKey(NAME, name);
    return this.datastore.key({
      path: [kind, name],
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
    });
  }

  private encode(key: string, token: StoredToken): Record<string, unknown> {
    const expireAt = new Date(token.expiresAt);
    if (this.cipher) {
      const plain = JSON.stringify({
        accessToken: token.accessToken,
        expiresAt: token.expiresAt,
        scopes: token.scopes,
        ...(token.subject ? { subject: token.subject } : {}),
      });
      return { [DATASTORE_EXPIRY_PROPERTY]: expireAt, sealed: this.cipher.seal(plain, key) };
    }
    return {
      accessToken: token.accessToken,
      scopes: [...token.scopes],
      ...(token.subject ? { subject: token.subject } : {}),
      [DATASTORE_EXPIRY_PROPERTY]: expireAt,
    };
  }

  private decode(key: string, entity: unknown): StoredToken | undefined {
    if (typeof entity !== 'object' || entity === null) return undefined;
    const record = entity as Record<string, unknown>;
    if (this.cipher) {
      const text = this.cipher.open(record.sealed, key);
      if (text === undefined) return undefined;
      try {
        return parseStoredToken(JSON.parse(text));
      } catch {
        return undefined;
      }
    }
    const expireAt = record[DATASTORE_EXPIRY_PROPERTY];
    if (!(expireAt instanceof Date)) return undefined;
    return parseStoredToken({ ...record, expiresAt: expireAt.getTime() });
  }
}

function lockHeld(entity: unknown): boolean {
  if (typeof entity !== 'object' || entity === null) return false;
  const expireAt = (entity as Record<string, unknown>)[DATASTORE_EXPIRY_PROPERTY];
  return expireAt instanceof Date && expireAt.getTime() > Date.now();
}

function kindOption(value: string | undefined, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || /^__.*__$/.test(value)) {
    throw new TypeError(`${NAME}: "${name}" must be a non-empty string, not reserved (__…__)`);
  }
  return value;
}
