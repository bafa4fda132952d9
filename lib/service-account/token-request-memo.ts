import type { TokenRequest } from './token-source.js';

/** One generation of the memo: requests by user as given ('' none) and scopes as given. */
interface Generation {
  plain: Map<string, TokenRequest>;
  delegated: Map<string, Map<string, TokenRequest>>;
  size: number;
}

/**
 * The `TokenRequest` of each (scopes, user) as callers spell them, so that normalizing the
 * scopes and hashing the cache key happen once per spelling: a warm call costs one or two
 * `Map.get`s. Bounded by generations: when the current one holds `maxEntries` spellings it
 * becomes the previous one (the older is dropped); a hit there moves the spelling forward.
 */
export class TokenRequestMemo {
  private current = newGeneration();
  private previous = newGeneration();

  constructor(private readonly maxEntries: number) {}

  get(scopes: string | readonly string[], user: string | undefined): TokenRequest | undefined {
    const spelled = scopesAsGiven(scopes);
    if (spelled === undefined) return undefined;
    const hit = lookUp(this.current, spelled, user);
    if (hit !== undefined) return hit;
    const old = lookUp(this.previous, spelled, user);
    if (old !== undefined) this.set(scopes, user, old);
    return old;
  }

  set(scopes: string | readonly string[], user: string | undefined, request: TokenRequest): void {
    const spelled = scopesAsGiven(scopes);
    if (spelled === undefined) return;
    if (this.current.size >= this.maxEntries) {
      this.previous = this.current;
      this.current = newGeneration();
    }
    let byScopes = this.current.plain;
    if (user !== undefined) {
      byScopes = this.current.delegated.get(user) ?? new Map<string, TokenRequest>();
      this.current.delegated.set(user, byScopes);
    }
    if (!byScopes.has(spelled)) this.current.size++;
    byScopes.set(spelled, request);
  }
}

function newGeneration(): Generation {
  return { plain: new Map(), delegated: new Map(), size: 0 };
}

function lookUp(
  generation: Generation,
  spelled: string,
  user: string | undefined,
): TokenRequest | undefined {
  return user === undefined
    ? generation.plain.get(spelled)
    : generation.delegated.get(user)?.get(spelled);
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
