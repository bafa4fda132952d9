import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { EmulatorClock } from '../../../lib/testing/emulator/clock.js';
import { FaultQueue } from '../../../lib/testing/emulator/faults.js';
import { decodeJwt, signJwtRs256, verifyRs256 } from '../../../lib/testing/emulator/jwt.js';
import { normalizeScopes, parseScopeList } from '../../../lib/testing/emulator/scopes.js';
import { Delegations } from '../../../lib/testing/emulator/state/delegation.js';

describe('EmulatorClock', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads Date.now() on every call, so faked Date moves it', () => {
    const clock = new EmulatorClock();
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    expect(clock.now()).toBe(Date.parse('2030-01-01T00:00:00Z'));
    jest.setSystemTime(new Date('2031-01-01T00:00:00Z'));
    expect(clock.now()).toBe(Date.parse('2031-01-01T00:00:00Z'));
    clock.advance(1000);
    expect(clock.now()).toBe(Date.parse('2031-01-01T00:00:01Z'));
    expect(clock.nowSeconds()).toBe(Date.parse('2031-01-01T00:00:01Z') / 1000);
    clock.set(Date.parse('2020-05-05T00:00:00Z'));
    expect(clock.now()).toBe(Date.parse('2020-05-05T00:00:00Z'));
    jest.advanceTimersByTime(5000);
    expect(clock.now()).toBe(Date.parse('2020-05-05T00:00:05Z'));
    clock.reset();
    expect(clock.now()).toBe(Date.now());
  });
});

describe('FaultQueue', () => {
  it('hands out queued faults in order, each `times` times, per endpoint', () => {
    const queue = new FaultQueue();
    queue.add('token', { status: 500 }, 2);
    queue.add('token', 'reset');
    queue.add('certs', 'timeout');
    expect(queue.take('token')).toEqual({ status: 500 });
    expect(queue.take('token')).toEqual({ status: 500 });
    expect(queue.take('token')).toBe('reset');
    expect(queue.take('token')).toBeUndefined();
    expect(queue.take('certs')).toBe('timeout');
    expect(queue.take('metadata')).toBeUndefined();
  });
});

describe('JWT helpers', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('sign RS256 with a kid and verify; reject another alg or a tampered payload', () => {
    const jwt = signJwtRs256({ a: 1 }, privateKey, 'kid-1');
    const decoded = decodeJwt(jwt);
    expect(decoded?.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(decoded?.payload).toEqual({ a: 1 });
    expect(verifyRs256(decoded!, publicKey)).toBe(true);
    expect(verifyRs256({ ...decoded!, header: { alg: 'none' } }, publicKey)).toBe(false);
    const other = decodeJwt(signJwtRs256({ a: 2 }, privateKey));
    expect(verifyRs256({ ...decoded!, signingInput: other!.signingInput }, publicKey)).toBe(false);
  });

  it('decodeJwt refuses what is not a compact JWS of two JSON objects', () => {
    expect(decodeJwt('a.b')).toBeUndefined();
    expect(decodeJwt('a.b.c')).toBeUndefined();
    expect(decodeJwt('e30.W10.')).toBeUndefined(); // payload is an array
    expect(decodeJwt('e30.e30.')).toEqual(expect.objectContaining({ header: {}, payload: {} }));
  });
});

describe('scopes and delegation', () => {
  it('fold email/profile into their URLs and split on spaces or commas', () => {
    expect(parseScopeList('openid email,profile  openid')).toEqual([
      'openid',
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/userinfo.profile',
    ]);
    expect(normalizeScopes([' a ', '', 'a'])).toEqual(['a']);
  });

  it('delegation covers only granted scopes, cumulatively, alias-aware', () => {
    const delegations = new Delegations();
    expect(delegations.covers('c', ['a'])).toBe(false);
    delegations.grant('c', ['a', 'email']);
    expect(delegations.covers('c', ['a', 'https://www.googleapis.com/auth/userinfo.email'])).toBe(
      true,
    );
    expect(delegations.covers('c', ['a', 'b'])).toBe(false);
    delegations.grant('c', ['b']);
    expect(delegations.covers('c', ['a', 'b'])).toBe(true);
    expect(delegations.covers('other', ['a'])).toBe(false);
  });
});
