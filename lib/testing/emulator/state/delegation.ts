import { normalizeScopes } from '../scopes.js';

/** Domain-wide delegation grants: OAuth client id → scopes a Workspace admin allowed. */
export class Delegations {
  readonly #grants = new Map<string, Set<string>>();

  /** Adds to what the client may ask for (grants are cumulative). */
  grant(clientId: string, scopes: readonly string[]): void {
    const granted = this.#grants.get(clientId) ?? new Set<string>();
    for (const scope of normalizeScopes(scopes)) granted.add(scope);
    this.#grants.set(clientId, granted);
  }

  /** True when every requested scope was granted to the client. */
  covers(clientId: string, scopes: readonly string[]): boolean {
    const granted = this.#grants.get(clientId);
    if (!granted) return false;
    return normalizeScopes(scopes).every((scope) => granted.has(scope));
  }
}
