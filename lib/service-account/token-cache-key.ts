import { hash } from 'node:crypto';

/**
 * The cache key of one (service account, scopes, user): a hash, so that no email appears in
 * clear in a shared store, with separators, so that no two different requests share a key.
 * Scopes arrive sorted and de-duplicated: any order of the same scopes hits the same entry.
 * Computed once per request (`tokenRequest`), never on a warm call.
 */
export function tokenCacheKey(
  serviceAccountEmail: string,
  request: { scopes: readonly string[]; subject?: string },
): string {
  const fields = `${serviceAccountEmail}\0${request.scopes.join(' ')}\0${request.subject ?? ''}`;
  return `sa-token:v1:${hash('sha256', fields, 'base64url')}`;
}
