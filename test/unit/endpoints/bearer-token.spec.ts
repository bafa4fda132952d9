import { describe, expect, it } from '@jest/globals';
import {
  isWellFormedToken,
  MALFORMED_BEARER,
  NO_BEARER,
  parseAuthorizationHeader,
  readBearerToken,
} from '../../../lib/endpoints/bearer-token.js';
import { MAX_TOKEN_LENGTH } from '../../../lib/endpoints/endpoints.constants.js';
import type { RawRequest } from '../../../lib/endpoints/http-request.js';

const TOKEN = 'ya29.a0AfB_byC-x~y+z/0123456789';

describe('parseAuthorizationHeader', () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['bearer', `bearer ${TOKEN}`],
    ['BEARER', `BEARER ${TOKEN}`],
    ['bEaReR', `bEaReR ${TOKEN}`],
    ['several spaces', `Bearer   ${TOKEN}`],
  ])('accepts the scheme in any case (%s)', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toBe(TOKEN);
  });

  it('accepts token68 padding', () => {
    expect(parseAuthorizationHeader('Bearer abc==')).toBe('abc==');
  });

  it('accepts a JWT', () => {
    expect(parseAuthorizationHeader('Bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['another scheme with params', 'Digest username="alice", realm="x"'],
    ['a scheme alone', 'Negotiate'],
    ['a word, read as an unknown scheme', 'garbage'],
  ])('no bearer credentials: %s', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toBe(NO_BEARER);
  });

  it.each([
    ['the scheme without a token', 'Bearer'],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['a tab instead of a space', `Bearer\t${TOKEN}`],
    ['a trailing tab', `Bearer ${TOKEN}\t`],
    ['padding in the middle', 'Bearer ab=c'],
    ['a comma', 'Bearer abc,def'],
    ['quotes', 'Bearer "abc"'],
    ['a NUL', 'Bearer abc\u0000def'],
    ['a control character', 'Bearer abc\u0001'],
    ['DEL', 'Bearer abc\u007f'],
    ['a newline', 'Bearer abc\ndef'],
    ['non-ASCII', 'Bearer abcé'],
    ['auth-params', 'Bearer token="abc"'],
    ['scheme glued to token', `Bearer${TOKEN}`],
    ['garbage that is no scheme', '{garbage}'],
    ['a scheme followed by a tab', 'Basic\tabc'],
    ['the token over the limit', `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`],
    ['a huge header', `Bearer ${'a'.repeat(1_000_000)}`],
  ])('malformed: %s', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toBe(MALFORMED_BEARER);
  });

  it('takes a token of exactly the limit', () => {
    const token = 'a'.repeat(MAX_TOKEN_LENGTH);
    expect(parseAuthorizationHeader(`Bearer ${token}`)).toBe(token);
  });
});

describe('isWellFormedToken', () => {
  it('is token68', () => {
    expect(isWellFormedToken('A-z0._~+/9==')).toBe(true);
    expect(isWellFormedToken('')).toBe(false);
    expect(isWellFormedToken('=')).toBe(false);
    expect(isWellFormedToken('a b')).toBe(false);
  });
});

describe('readBearerToken', () => {
  const header = `Bearer ${TOKEN}`;
  /** A Node request as the parser leaves it: `headers` keeps the first Authorization only. */
  const request = (rawHeaders: string[], url = '/'): RawRequest => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < rawHeaders.length; i += 2) {
      headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
    }
    return { headers, rawHeaders, url };
  };
  const withToken = (url: string) => request([], url);

  it('reads the one Authorization header', () => {
    expect(readBearerToken(request(['Host', 'x', 'Authorization', header]), false)).toBe(TOKEN);
  });

  it('no header, no query: none', () => {
    expect(readBearerToken(request(['Host', 'x']), false)).toBe(NO_BEARER);
  });

  it('the header twice, in any case (even the same token): malformed', () => {
    const twice = request(['authorization', header, 'Host', 'x', 'AUTHORIZATION', header]);
    expect(twice.headers.authorization).toBe(header);
    expect(readBearerToken(twice, false)).toBe(MALFORMED_BEARER);
  });

  it('without rawHeaders, reads headers', () => {
    expect(readBearerToken({ headers: { authorization: header } }, false)).toBe(TOKEN);
    expect(readBearerToken({ headers: {} }, false)).toBe(NO_BEARER);
  });

  it('unchecked, hands over what follows the scheme for a cache lookup', () => {
    const odd = request(['Authorization', 'Bearer abc def']);
    expect(readBearerToken(odd, false)).toBe(MALFORMED_BEARER);
    expect(readBearerToken(odd, false, false)).toBe('abc def');
    expect(readBearerToken(request(['Authorization', 'Basic x']), false, false)).toBe(NO_BEARER);
  });

  it('ignores query tokens unless allowed', () => {
    expect(readBearerToken(withToken(`/?access_token=${TOKEN}`), false)).toBe(NO_BEARER);
  });

  it('takes a query token when allowed, decoded, from the original URL', () => {
    expect(readBearerToken(withToken('/?a=1&access_token=abc%2B%2F%3D#frag'), true)).toBe('abc+/=');
    const express: RawRequest = {
      headers: {},
      url: '/stripped',
      originalUrl: `/api/x?access_token=${encodeURIComponent(TOKEN)}`,
    };
    expect(readBearerToken(express, true)).toBe(TOKEN);
  });

  it.each([
    ['a header and a query token', request(['Authorization', header], `/?access_token=${TOKEN}`)],
    ['another scheme and a query token', request(['Authorization', 'Basic x'], '/?access_token=a')],
    ['two query tokens', withToken('/?access_token=a&access_token=b')],
    ['an empty query token', withToken('/?access_token=')],
    ['a query token with a space (an unencoded +)', withToken('/?access_token=abc+def')],
  ])('malformed when allowed: %s', (_name, req) => {
    expect(readBearerToken(req, true)).toBe(MALFORMED_BEARER);
  });
});
