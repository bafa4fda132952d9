import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GoogleCerts } from '../../../lib/endpoints/google-certs.js';
import { TokenVerificationUnavailableError } from '../../../lib/endpoints/token-verification.js';
import { startTimeTravel } from '../../support/time-travel.js';
import { fakeGoogle, type FakeAnswer } from './fake-google.js';

const jwk = (kid: string) => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});
const K1 = jwk('k1');
const K2 = jwk('k2');
const URL = 'http://google/certs';
/** A short cool-down, so that waiting for its end costs the tests little. */
const COOLDOWN_MS = 300;

/** Certs whose answers come from `answer`, which may change what is published between calls. */
function certs(answer: () => FakeAnswer) {
  const google = fakeGoogle(answer);
  return { certs: new GoogleCerts(google.http, URL, COOLDOWN_MS), google };
}

describe('GoogleCerts', () => {
  let travel: ReturnType<typeof startTimeTravel> | undefined;
  afterEach(() => {
    travel?.stop();
    travel = undefined;
  });

  it('fetches once and keeps the keys for max-age', async () => {
    travel = startTimeTravel();
    const { certs: c, google } = certs(() => ({
      status: 200,
      data: { keys: [K1] },
      headers: { 'cache-control': 'public, max-age=60' },
    }));
    expect(await c.key('k1')).toBeDefined();
    travel.jump(59_000);
    expect(await c.key('k1')).toBeDefined();
    expect(google.calls()).toBe(1);
    travel.jump(2_000);
    expect(await c.key('k1')).toBeDefined();
    expect(google.calls()).toBe(2);
  });

  it('single-flights concurrent fetches', async () => {
    const { certs: c, google } = certs(() => ({ status: 200, data: { keys: [K1] } }));
    const keys = await Promise.all(Array.from({ length: 20 }, () => c.key('k1')));
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(google.calls()).toBe(1);
  });

  it('takes a key published after the last fetch on first sight', async () => {
    let published = [K1];
    const { certs: c, google } = certs(() => ({
      status: 200,
      data: { keys: published },
      headers: { 'cache-control': 'max-age=3600' },
    }));
    await c.key('k1');
    published = [K1, K2];
    expect(await c.key('k2')).toBeDefined();
    expect(google.calls()).toBe(2);
  });

  it('junk kids: one fetch per cool-down, shared by the kids met during it', async () => {
    const { certs: c, google } = certs(() => ({
      status: 200,
      data: { keys: [K1] },
      headers: { 'cache-control': 'max-age=3600' },
    }));
    await c.key('k1');
    expect(await c.key('junk-0')).toBeUndefined(); // fetches again at once: keys rotate
    expect(google.calls()).toBe(2);
    const started = Date.now();
    const during = await Promise.all(Array.from({ length: 10 }, (_, i) => c.key(`junk-${i + 1}`)));
    expect(during.every((k) => k === undefined)).toBe(true);
    expect(google.calls()).toBe(3); // one more, at the end of the cool-down
    expect(Date.now() - started).toBeGreaterThanOrEqual(COOLDOWN_MS - 50);
    expect(await c.key('k1')).toBeDefined(); // a known kid never waits
    expect(google.calls()).toBe(3);
  });

  it('a failed fetch counts for the cool-down: an outage costs one fetch per cool-down', async () => {
    let up = false;
    const { certs: c, google } = certs(() =>
      up ? { status: 200, data: { keys: [K1] } } : { status: 503 },
    );
    for (let i = 0; i < 10; i++) {
      await expect(c.key(`junk-${i}`)).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    }
    expect(google.calls()).toBe(2); // one fetch, and the client's one retry of a 503
    up = true;
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 20));
    expect(await c.key('k1')).toBeDefined();
    expect(google.calls()).toBe(3);
  });

  it('an unknown kid during an outage is unavailable without a call; known kids still work', async () => {
    let up = true;
    const { certs: c, google } = certs(() =>
      up
        ? { status: 200, data: { keys: [K1] }, headers: { 'cache-control': 'max-age=3600' } }
        : { status: 503 },
    );
    await c.key('k1');
    up = false;
    await expect(c.key('k2')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    const calls = google.calls();
    await expect(c.key('k3')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    expect(google.calls()).toBe(calls);
    expect(await c.key('k1')).toBeDefined();
  });

  it('uses keys past their max-age when a new fetch fails', async () => {
    travel = startTimeTravel();
    let up = true;
    const { certs: c } = certs(() =>
      up
        ? { status: 200, data: { keys: [K1] }, headers: { 'cache-control': 'max-age=60' } }
        : { status: 503 },
    );
    await c.key('k1');
    travel.jump(61_000);
    up = false;
    expect(await c.key('k1')).toBeDefined();
    await expect(c.key('k2')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
  });

  it('an unreadable certs endpoint is "unavailable", not "unknown kid"', async () => {
    const { certs: junk } = certs(() => ({ status: 200, data: '<html>' }));
    await expect(junk.key('k1')).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
  });
});
