import { describe, expect, it } from '@jest/globals';
import { tokenCacheKey } from '../../../lib/service-account/token-cache-key.js';
import {
  normalizeScopes,
  normalizeSubject,
  tokenRequest,
} from '../../../lib/service-account/token-source.js';

describe('normalizeScopes', () => {
  it('sorts and de-duplicates a list', () => {
    expect(normalizeScopes(['b', 'a', 'b', ' c '])).toEqual(['a', 'b', 'c']);
  });

  it('splits a space-separated string', () => {
    expect(normalizeScopes('  https://x/b   https://x/a ')).toEqual(['https://x/a', 'https://x/b']);
  });

  it('splits list items on spaces too (a scope never holds one), so a list and its string agree', () => {
    expect(normalizeScopes(['https://x/b https://x/a'])).toEqual(
      normalizeScopes('https://x/b https://x/a'),
    );
  });

  it('refuses no scope at all', () => {
    expect(() => normalizeScopes([])).toThrow(/at least one/);
    expect(() => normalizeScopes('  ')).toThrow(/at least one/);
  });
});

describe('normalizeSubject', () => {
  it('lower-cases and trims an email, and treats empty as none', () => {
    expect(normalizeSubject(' Ann@Example.COM ')).toBe('ann@example.com');
    expect(normalizeSubject('')).toBeUndefined();
    expect(normalizeSubject(undefined)).toBeUndefined();
  });
});

describe('tokenCacheKey', () => {
  const sa = 'svc@p.iam.gserviceaccount.com';

  it('is the same for the same scopes in any order', () => {
    expect(tokenCacheKey(sa, { scopes: normalizeScopes(['b', 'a']) })).toBe(
      tokenCacheKey(sa, { scopes: normalizeScopes('a b a') }),
    );
  });

  it('differs by account, scopes and subject, with no ambiguity across the separators', () => {
    const keys = new Set([
      tokenCacheKey(sa, { scopes: ['a'] }),
      tokenCacheKey('other@p.iam.gserviceaccount.com', { scopes: ['a'] }),
      tokenCacheKey(sa, { scopes: ['a', 'b'] }),
      tokenCacheKey(sa, { scopes: ['a b'.replace(' ', '')] }),
      tokenCacheKey(sa, { scopes: ['a'], subject: 'u@example.com' }),
      tokenCacheKey(sa, { scopes: ['a'], subject: 'None' }),
      tokenCacheKey(sa + 'a', { scopes: [''] }),
    ]);
    expect(keys.size).toBe(7);
  });

  it('holds neither the account nor the user in clear', () => {
    const key = tokenCacheKey(sa, { scopes: ['a'], subject: 'ann@example.com' });
    expect(key).not.toContain('ann');
    expect(key).not.toContain('svc');
    expect(key).not.toContain('@');
  });
});

describe('tokenRequest', () => {
  it('carries its cache key, made once from the account, scopes and subject', () => {
    const sa = 'svc@p.iam.gserviceaccount.com';
    const request = tokenRequest(sa, ['a'], 'ann@example.com');
    expect(request).toEqual({
      key: tokenCacheKey(sa, { scopes: ['a'], subject: 'ann@example.com' }),
      scopes: ['a'],
      subject: 'ann@example.com',
    });
    expect(tokenRequest(sa, ['a'])).not.toHaveProperty('subject');
  });
});
