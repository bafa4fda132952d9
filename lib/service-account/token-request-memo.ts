import type { TokenRequest } from './token-source.js';

/**
 * One generation of the memo: requests by scopes as given, then (acting as a user) by user as
 * given. Scopes first: there are few spellings of scopes and many users, so one map per
 * spelling of scopes, not one per user.
 */
interface Generation<R> {
  plain: Map<string, R>;
  delegated: Map<string, Map<string, R>>;
  size: number;
}

/**
 * The `TokenRequest` of each (scopes, user) as callers spell them (or, as `R`, the
 * `IdTokenRequest` of each audience, given as the scopes are, without a user), so that
 * normalizing and hashing the cache key happen once per spelling: a warm call costs one or two
 * `Map.get`s. Bounded by generations of half of `maxEntries` each: when the current one is
 * full it becomes the previous one (the older is dropped); a hit there moves the spelling
 * forward. At most `maxEntries` spellings are kept, as many as the local cache's tokens.
 */
export class TokenRequestMemo<R = TokenRequest> {
  private current = newGeneration<R>();
  private previous = newGeneration<R>();
  private readonly generationSize: number;

  constructor(maxEntries: number) {
    this.generationSize = Math.max(1, Math.ceil(maxEntries / 2));
  }

  get(scopes: string | readonly string[], user: string | undefined): R | undefined {
    const spelled = scopesAsGiven(scopes);
    if (spelled === undefined) return undefined;
    const hit = lookUp(this.current, spelled, user);
    if (hit !== undefined) return hit;
    const old = lookUp(this.previous, spelled, user);
    if (old !== undefined) this.set(scopes, user, old);
    return old;
  }

  set(scopes: string | readonly string[], user: string | undefined, request: R): void {
    const spelled = scopesAsGiven(scopes);
    if (spelled === undefined) return;
    if (this.current.size >= this.generationSize) {
      this.previous = this.current;
      this.current = newGeneration<R>();
    }
    if (user === undefined) {
      if (!this.current.plain.has(spelled)) this.current.size++;
      this.current.plain.set(spelled, request);
      return;
    }
    let byUser = this.current.delegated.get(spelled);
    if (!byUser) this.current.delegated.set(spelled, (byUser = new Map()));
    if (!byUser.has(user)) this.current.size++;
    byUser.set(user, request);
  }
}

function newGeneration<R>(): Generation<R> {
  return { plain: new Map(), delegated: new Map(), size: 0 };
}

function lookUp<R>(
  generation: Generation<R>,
  spelled: string,
  user: string | undefined,
): R | undefined {
  return user === undefined
    ? generation.plain.get(spelled)
    : generation.delegated.get(spelled)?.get(user);
}

/**
 * The scopes as one string, spelled as given: a list joined with spaces normalizes exactly as
 * the list does (`normalizeScopes`), so the two may share an entry. `undefined` for anything
 * that is not scopes, left to `normalizeScopes` to refuse.
 */
function scopesAsGiven(scopes: string | readonly string[]): string | undefined {
  if (typeof scopes === 'string') return scopes;
  if (!Array.isArray(scopes)) return undefined;
  return scopes.length === 1 && typeof scopes[0] === 'string' ? scopes[0] : scopes.join(' ');
}
