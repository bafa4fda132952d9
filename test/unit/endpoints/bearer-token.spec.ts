import { describe, expect, it } from '@jest/globals';
import {
  isWellFormedToken,
  parseAuthorizationHeader,
  readBearerToken,
} from '../../../lib/endpoints/bearer-token.js';
import { MAX_TOKEN_LENGTH } from '../../../lib/endpoints/endpoints.constants.js';
import { bearerSources } from '../../../lib/endpoints/http-request.js';

const TOKEN = 'ya29.a0AfB_byC-x~y+z/0123456789';

describe('parseAuthorizationHeader', () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['bearer', `bearer ${TOKEN}`],
    ['BEARER', `BEARER ${TOKEN}`],
    ['bEaReR', `bEaReR ${TOKEN}`],
    ['several spaces', `Bearer   ${TOKEN}`],
  ])('accepts the scheme in any case (%s)', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toEqual({
      kind: 'token',
      token: TOKEN,
      from: 'header',
    });
  });

  it('accepts token68 padding', () => {
    expect(parseAuthorizationHeader('Bearer abc==')).toMatchObject({ token: 'abc==' });
  });

  it('accepts a JWT', () => {
    expect(parseAuthorizationHeader('Bearer aaa.bbb.ccc')).toMatchObject({ kind: 'token' });
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['another scheme with params', 'Digest username="alice", realm="x"'],
    ['a scheme alone', 'Negotiate'],
    ['a word, read as an unknown scheme', 'garbage'],
  ])('no bearer credentials: %s', (_name, header) => {
    expect(parseAuthorizationHeader(header)).toEqual({ kind: 'none' });
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
    expect(parseAuthorizationHeader(header)).toEqual({ kind: 'malformed' });
  });

  it('takes a token of exactly the limit', () => {
    const token = 'a'.repeat(MAX_TOKEN_LENGTH);
    expect(parseAuthorizationHeader(`Bearer ${token}`)).toMatchObject({ token });
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

  it('reads the one Authorization header', () => {
    expect(readBearerToken({ authorization: [header], queryTokens: [] })).toMatchObject({
      kind: 'token',
      token: TOKEN,
    });
  });

  it('no header, no query: none', () => {
    expect(readBearerToken({ authorization: [], queryTokens: [] })).toEqual({ kind: 'none' });
  });

  it('the header twice (even the same token): malformed', () => {
    expect(readBearerToken({ authorization: [header, header], queryTokens: [] })).toEqual({
      kind: 'malformed',
    });
  });

  it('ignores query tokens unless allowed', () => {
    expect(readBearerToken({ authorization: [], queryTokens: [TOKEN] })).toEqual({ kind: 'none' });
    expect(readBearerToken({ authorization: [header], queryTokens: ['other'] })).toMatchObject({
      token: TOKEN,
    });
  });

  it('takes a query token when allowed', () => {
    expect(
      readBearerToken({ authorization: [], queryTokens: [TOKEN] }, { allowQueryToken: true }),
    ).toEqual({ kind: 'token', token: TOKEN, from: 'query' });
  });

  it.each([
    ['a header and a query token', [header], [TOKEN]],
    ['two query tokens', [], [TOKEN, TOKEN]],
    ['an empty query token', [], ['']],
    ['a query token with a space (an unencoded +)', [], ['abc def']],
  ])('malformed when allowed: %s', (_name, authorization, queryTokens) => {
    expect(readBearerToken({ authorization, queryTokens }, { allowQueryToken: true })).toEqual({
      kind: 'malformed',
    });
  });
});

describe('bearerSources', () => {
  it('keeps duplicated Authorization headers from rawHeaders', () => {
    const sources = bearerSources({
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Host', 'x', 'authorization', 'Bearer a', 'AUTHORIZATION', 'Bearer b'],
      url: '/',
    });
    expect(sources.authorization).toEqual(['Bearer a', 'Bearer b']);
  });

  it('prefers headersDistinct', () => {
    const sources = bearerSources({
      headers: { authorization: 'Bearer a' },
      headersDistinct: { authorization: ['Bearer a', 'Bearer c'] },
      url: '/',
    });
    expect(sources.authorization).toEqual(['Bearer a', 'Bearer c']);
  });

  it('falls back on headers', () => {
    expect(bearerSources({ headers: { authorization: 'Bearer a' } }).authorization).toEqual([
      'Bearer a',
    ]);
    expect(bearerSources({ headers: {} }).authorization).toEqual([]);
  });

  it('reads access_token query parameters, decoded, from the original URL', () => {
    const sources = bearerSources({
      headers: {},
      url: '/stripped',
      originalUrl: '/api/x?a=1&access_token=abc%2B%2F%3D&access_token=two#frag',
    });
    expect(sources.queryTokens).toEqual(['abc+/=', 'two']);
    expect(bearerSources({ headers: {}, url: '/x' }).queryTokens).toEqual([]);
  });
});
