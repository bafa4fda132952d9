import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GoogleCerts } from '../../../lib/endpoints/google-certs.js';
import { TokenVerificationUnavailableError } from '../../../lib/endpoints/token-verification.js';
import { startTimeTravel } from '../../support/time-travel.js';
import { fakeGoogle } from './fake-google.js';

const jwk = (kid: string) => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});
const K1 = jwk('k1');
const K2 = jwk('k2');

describe('GoogleCerts', () => {
  let travel: ReturnType<typeof startTimeTravel> | undefined;
  afterEach(() => {
    travel?.stop();
    travel = undefined;
  });

  it('fetches once and keeps the keys for max-age', async () => {
    travel = startTimeTravel();
    const google = fakeGoogle(() => ({
      status: 200,
      data: { keys: [K1] },
      headers: { 'cache-control': 'public, max-age=60' },
    }));
    const certs = new GoogleCerts(google.http, 'http://google/certs');
    expect(await certs.key('k1')).toBeDefined();
    travel.jump(59_000);
    expect(await certs.key('k1')).toBeDefined();
    expect(google.calls()).toBe(1);
    travel.jump(2_000);
    expect(await certs.key('k1')).toBeDefined();
    expect(google.calls()).toBe(2);
  });

  it('single-flights concurrent fetches', async () => {
    const google = fakeGoogle(() => ({ status: 200, data: { keys: [K1] } }));
    const certs = new GoogleCerts(google.http, 'http://google/certs');
    const keys = await Promise.all(Array.from({ length: 20 }, () => certs.key('k1')));
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(google.calls()).toBe(1);
  });

  it('fetches again for an unknown kid, at most once per cool-down', async () => {
    travel = startTimeTravel();
    let published = [K1];
    const google = fakeGoogle(() => ({
      status: 200,
      data: { keys: published },
      headers: { 'cache-control': 'max-age=3600' },
    }));
    const certs = new GoogleCerts(google.http, 'http://google/certs');
    await certs.key('k1');
    published = [K1, K2];
    // Just fetched: an unknown kid does not fetch again (no storm of fetches for junk kids).
    expect(await certs.key('k2')).toBeUndefined();
    expect(google.calls()).toBe(1);
    travel.jump(10_001);
    expect(await certs.key('k2')).toBeDefined();
    expect(google.calls()).toBe(2);
    expect(await certs.key('junk')).toBeUndefined();
    expect(google.calls()).toBe(2);
  });

  it('an unreachable or unreadable certs endpoint is "unavailable", not "unknown kid"', async () => {
    const down = new GoogleCerts(fakeGoogle(() => ({ status: 503 })).http, 'http://google/certs');
    await expect(down.key('k1')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    const junk = new GoogleCerts(
      fakeGoogle(() => ({ status: 200, data: '<html>' })).http,
      'http://google/certs',
    );
    await expect(junk.key('k1')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
  });
});
