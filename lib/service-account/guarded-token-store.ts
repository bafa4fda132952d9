import { Logger } from '@nestjs/common';
import type { StoredToken, TokenStore, TokenStoreLock } from '../stores/token-store.js';

/** What asking for the fleet's mint lock came to. */
export type LockOutcome =
  /** This process holds the lock: it mints, writes and releases. */
  | { kind: 'held'; lock: TokenStoreLock }
  /** Another instance holds it: read what that one writes. */
  | { kind: 'busy' }
  /** No lock to be had (the store has none, or is failing): mint alone. */
  | { kind: 'none' }
  /** The store did not answer in time; `answer` may still come (see `settle`). */
  | { kind: 'slow'; answer: Promise<TokenStoreLock | null> };

const NONE: LockOutcome = Object.freeze({ kind: 'none' });
const BUSY: LockOutcome = Object.freeze({ kind: 'busy' });

/**
 * The token store as minting sees it: every call bounded by a timeout, and a store that is
 * down, slow or failing treated as empty, so that a request that could be served never fails
 * because of the cache. One warning per outage, one notice when the store answers again.
 */
export class GuardedTokenStore {
  private readonly logger = new Logger('TokenStore');
  private outage = false;

  constructor(
    private readonly store: TokenStore,
    private readonly timeoutMs: number,
  ) {}

  async get(key: string): Promise<StoredToken | undefined> {
    const result = await this.guard('get', () => this.store.get(key));
    return result.ok ? result.value : undefined;
  }

  /** Writes the token; answers whether the store took it. */
  async set(key: string, token: StoredToken): Promise<boolean> {
    return (await this.guard('set', () => this.store.set(key, token), token.accessToken)).ok;
  }

  async delete(key: string): Promise<void> {
    await this.guard('delete', () => this.store.delete(key));
  }

  /**
   * Asks for the lock on `key`. During an outage it is not asked for: nobody can write to a
   * store that is down, and each try would cost a timeout again.
   */
  async lock(key: string, ttlMs: number): Promise<LockOutcome> {
    if (!this.store.lock || this.outage) return NONE;
    let answer: Promise<TokenStoreLock | null>;
    try {
      answer = this.store.lock(key, ttlMs);
    } catch (err) {
      this.failed('lock', err);
      return NONE;
    }
    // A slow lock is not yet an outage: the store answered `get`, and `settle` may still see
    // the lock's answer. It becomes one if that does not come either.
    const result = await this.guard('lock', () => answer, undefined, { slowIsOutage: false });
    if (result.ok) return result.value ? { kind: 'held', lock: result.value } : BUSY;
    if (!result.timedOut) return NONE;
    answer.catch(() => undefined); // a late failure is `settle`'s to see, or nobody's
    return { kind: 'slow', answer };
  }

  /**
   * Waits up to `waitMs` for a slow lock's answer. Past that (or on a failure) there is no lock;
   * a lock granted later is released at once, so that the fleet does not wait on a holder that
   * is not minting.
   */
  async settle(answer: Promise<TokenStoreLock | null>, waitMs: number): Promise<LockOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), waitMs);
    });
    try {
      const result = await Promise.race([answer, late]);
      if (result === LATE) {
        this.failed('lock', new Error(`no answer within ${this.timeoutMs + waitMs} ms`));
        answer.then((lock) => lock?.release()).catch(() => undefined);
        return NONE;
      }
      return result ? { kind: 'held', lock: result } : BUSY;
    } catch (err) {
      this.failed('lock', err);
      return NONE;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Releases a lock; a failure only means the lock lives until its TTL. */
  async release(lock: TokenStoreLock): Promise<void> {
    await this.guard('release', () => lock.release());
  }

  /**
   * Runs `call` within the timeout. A failure or a timeout is an outage, warned once; the first
   * call that answers after it ends it, with a notice.
   */
  private async guard<T>(
    operation: string,
    call: () => Promise<T>,
    secret?: string,
    { slowIsOutage = true } = {},
  ): Promise<{ ok: true; value: T } | { ok: false; timedOut: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      const value = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new Error(`no answer within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
        }),
      ]);
      if (this.outage) {
        this.outage = false;
        this.logger.log('token store is answering again; tokens are shared through it again');
      }
      return { ok: true, value };
    } catch (err) {
      if (!timedOut || slowIsOutage) this.failed(operation, err, secret);
      return { ok: false, timedOut };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts an outage, with its one warning, unless one is under way. */
  private failed(operation: string, err: unknown, secret?: string): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.warn(
      `token store ${operation} failed (${describe(err, secret)}); minting directly until it answers again`,
    );
  }
}

/** What `settle` saw when the lock's answer did not come in time. */
const LATE: unique symbol = Symbol('late');

/** The error's kind and message, without the token: a store's error could echo what it was sent. */
function describe(err: unknown, secret?: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const text =
    err instanceof Error ? `${err.name}${code ? ` ${code}` : ''}: ${err.message}` : String(err);
  return (secret ? text.split(secret).join('[redacted]') : text).slice(0, 200);
}
