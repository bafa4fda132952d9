import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { EmulatorClock } from '../../../lib/testing/emulator/clock.js';
import { FaultQueue } from '../../../lib/testing/emulator/faults.js';
import { decodeJwt, signJwt, verifyRs256 } from '../../../lib/testing/emulator/jwt.js';
import { KeyRing } from '../../../lib/testing/emulator/state/key-ring.js';
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
    const jwt = signJwt({ a: 1 }, { alg: 'RS256', privateKey, kid: 'kid-1' });
    const decoded = decodeJwt(jwt);
    expect(decoded?.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(decoded?.payload).toEqual({ a: 1 });
    expect(verifyRs256(decoded!, publicKey)).toBe(true);
    expect(verifyRs256({ ...decoded!, header: { alg: 'none' } }, publicKey)).toBe(false);
    const other = decodeJwt(signJwt({ a: 2 }, { alg: 'RS256', privateKey }));
    expect(other?.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(verifyRs256({ ...decoded!, signingInput: other!.signingInput }, publicKey)).toBe(false);
  });

  it('decodeJwt refuses what is not a compact JWS of two JSON objects', () => {
    expect(decodeJwt('a.b')).toBeUndefined();
    expect(decodeJwt('a.b.c')).toBeUndefined();
    expect(decodeJwt('e30.W10.')).toBeUndefined(); // payload is an array
    expect(decodeJwt('e30.e30.')).toEqual(expect.objectContaining({ header: {}, payload: {} }));
    expect(decodeJwt('e30=.e30.')).toEqual(expect.objectContaining({ header: {} })); // padded
    expect(decodeJwt('e30==.e30.')).toBeUndefined(); // padding that does not make a multiple of 4
    expect(decodeJwt('e3=0.e30.')).toBeUndefined(); // padding inside
    expect(decodeJwt('e30.e30.a+b/')).toBeUndefined(); // base64, not base64url
  });

  it('decodeJwt takes padded segments (Python google-auth 1.x) and keeps them in the signing input', () => {
    const pad = (part: string) => part + '='.repeat((4 - (part.length % 4)) % 4);
    const jwt = signJwt({ iss: 'a' }, { alg: 'RS256', privateKey });
    const [h, p, sig] = jwt.split('.') as [string, string, string];
    const input = `${pad(h)}.${pad(p)}`;
    const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    const padded = `${input}.${pad(signature)}`;
    expect(padded).toMatch(/=/);
    const decoded = decodeJwt(padded);
    expect(decoded?.payload).toEqual({ iss: 'a' });
    expect(decoded?.signingInput).toBe(input);
    expect(verifyRs256(decoded!, publicKey)).toBe(true);
    expect(sig).not.toMatch(/=/);
  });

  it('signs ES256 as JWS wants it: a 64-byte r||s signature', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwt = signJwt(
      { a: 1 },
      { alg: 'ES256', privateKey: ec.privateKey, kid: 'k' },
      {
        typ: undefined,
        x: 1,
      },
    );
    const decoded = decodeJwt(jwt)!;
    expect(decoded.header).toEqual({ alg: 'ES256', kid: 'k', x: 1 });
    expect(decoded.signature).toHaveLength(64);
    const ok = verify(
      'sha256',
      Buffer.from(decoded.signingInput),
      { key: ec.publicKey, dsaEncoding: 'ieee-p1363' },
      decoded.signature,
    );
    expect(ok).toBe(true);
  });
});

describe('KeyRing', () => {
  let made = 0;
  const ring = () => {
    made = 0;
    return new KeyRing(() => ({ kid: `k${++made}` }));
  };
  const kids = (r: KeyRing<{ kid: string }>) => r.published().map((key) => key.kid);

  it('publishes the next key before it signs; the previous one stays one more rotation', () => {
    const r = ring();
    expect(r.current.kid).toBe('k1');
    expect(kids(r)).toEqual(['k1', 'k2']);
    r.rotate();
    expect(r.current.kid).toBe('k2'); // published before it signed
    expect(kids(r)).toEqual(['k2', 'k3', 'k1']);
    r.rotate();
    expect(kids(r)).toEqual(['k3', 'k4', 'k2']);
    expect(r.find('k1')).toBeUndefined();
    expect(r.find('k4')?.kid).toBe('k4');
  });

  it('abrupt: a key never published signs at once; the announced next key stays next', () => {
    const r = ring();
    expect(kids(r)).toEqual(['k1', 'k2']);
    r.rotate({ abrupt: true });
    expect(r.current.kid).toBe('k3');
    expect(kids(r)).toEqual(['k3', 'k2', 'k1']);
    r.rotate();
    expect(kids(r)).toEqual(['k2', 'k4', 'k3']);
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

  it("takes Object.prototype's names as plain scope names", () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
    expect(parseScopeList(names.join(' '))).toEqual(names);
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
