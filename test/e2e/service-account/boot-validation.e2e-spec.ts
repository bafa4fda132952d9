import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';

describe('service-account configuration at boot', () => {
  const emulator = new GoogleOAuth2Emulator();
  let key: ServiceAccountKeyFile;
  let dir: string;
  let keyLine: string; // a line of key material: no message may contain it
  const savedAdc = process.env.GOOGLE_APPLICATION_CREDENTIALS;

  beforeAll(async () => {
    await emulator.start();
    key = emulator.createServiceAccount();
    keyLine = key.private_key.split('\n')[1]!;
    dir = await mkdtemp(join(tmpdir(), 'sa-boot-'));
  });
  afterEach(() => {
    if (savedAdc === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = savedAdc;
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Boots with `options`, mints one token, closes: answers the token. */
  async function mintWith(options: OAuth2ModuleOptions): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ google: emulator.urls, ...options })],
    }).compile();
    const app = await moduleRef.init();
    try {
      return (await app.get(ServiceAccountCredentialsFactory).getAccessToken('openid')).token;
    } finally {
      await app.close();
    }
  }

  /** The error that stops the boot, whether the options or the key refuse it. */
  async function bootError(options: OAuth2ModuleOptions): Promise<Error> {
    let app: INestApplication | undefined;
    const err = await (async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [OAuth2Module.forRoot({ google: emulator.urls, ...options })],
      }).compile();
      app = moduleRef.createNestApplication();
      await app.init();
    })().then(
      () => new Error('app.init() was expected to fail'),
      (failure: Error) => failure,
    );
    await app?.close().catch(() => undefined);
    expect(err.message).not.toContain(keyLine);
    expect(err.message).not.toContain('PRIVATE KEY');
    expect(err.message).not.toBe('app.init() was expected to fail');
    return err;
  }

  it("accepts Ferris's hand-written form { client_id, client_email, private_key }", async () => {
    const serviceAccount = {
      client_id: key.client_id,
      client_email: key.client_email,
      private_key: key.private_key,
    };
    expect(await mintWith({ serviceAccount })).toMatch(/^ya29\./);
  });

  it.each([
    [
      'a missing client_email',
      { client_email: undefined },
      /serviceAccount: "client_email" is missing/,
    ],
    [
      'a missing private_key',
      { private_key: undefined },
      /serviceAccount: "private_key" is missing/,
    ],
    [
      'a private_key that is not PEM',
      { private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' },
      /serviceAccount: "private_key" is not a PEM private key/,
    ],
    [
      'a key of another type',
      { type: 'authorized_user' },
      /serviceAccount: "type" is "authorized_user"/,
    ],
  ])('fails app.init() on %s, naming the field', async (_, overrides, message) => {
    const err = await bootError({ serviceAccount: { ...key, ...overrides } as never });
    expect(err.message).toMatch(message);
  });

  it('fails app.init() on a damaged private key without printing it', async () => {
    const damaged = key.private_key.replace(keyLine, keyLine.split('').reverse().join(''));
    const err = await bootError({ serviceAccount: { ...key, private_key: damaged } });
    expect(err.message).toMatch(/"private_key" is not a readable PEM private key/);
  });

  it('fails app.init() on an unreadable key file, naming the path', async () => {
    const path = join(dir, 'missing.json');
    const err = await bootError({ serviceAccount: path });
    expect(err.message).toBe(`service-account key file ${path} cannot be read (ENOENT)`);
  });

  it('fails app.init() on a key file that is not JSON, naming the path and not quoting it', async () => {
    const path = join(dir, 'key.pem');
    await writeFile(path, key.private_key);
    const err = await bootError({ serviceAccount: path });
    expect(err.message).toBe(`service-account key file ${path} is not valid JSON`);
  });

  it('fails app.init() on a bad GOOGLE_APPLICATION_CREDENTIALS file, naming the variable', async () => {
    const path = join(dir, 'adc.json');
    await writeFile(path, JSON.stringify({ ...key, client_email: 'not-an-email' }));
    process.env.GOOGLE_APPLICATION_CREDENTIALS = path;
    const err = await bootError({});
    expect(err.message).toMatch(
      /^GOOGLE_APPLICATION_CREDENTIALS: service-account key file .*adc\.json: "client_email" is not an email address$/,
    );
  });

  describe("the key's JSON text (as secret managers and environment variables hold it)", () => {
    /** The key's JSON with one line of its private key damaged: it no longer parses. */
    const damagedText = () =>
      JSON.stringify({
        ...key,
        private_key: key.private_key.replace(keyLine, keyLine.split('').reverse().join('')),
      });

    /** No line of the key, as PEM or as the JSON text's escaped form, is in `message`. */
    function expectNoKeyText(message: string, text: string) {
      expect(message).not.toContain(text);
      for (const line of key.private_key.split('\n').filter((l) => l.length > 8)) {
        expect(message).not.toContain(line);
        expect(message).not.toContain(line.split('').reverse().join(''));
      }
      expect(message).not.toContain('\\n');
    }

    it('in serviceAccount: a bad private_key fails the boot naming the field, not the text', async () => {
      const text = damagedText();
      const err = await bootError({ serviceAccount: text });
      expect(err.message).toBe(
        'serviceAccount (JSON text): "private_key" is not a readable PEM private key',
      );
      expectNoKeyText(err.message, text);
    });

    it('in GOOGLE_APPLICATION_CREDENTIALS: the same, naming the variable', async () => {
      const text = damagedText();
      process.env.GOOGLE_APPLICATION_CREDENTIALS = text;
      const err = await bootError({});
      expect(err.message).toBe(
        'GOOGLE_APPLICATION_CREDENTIALS (JSON text): "private_key" is not a readable PEM private key',
      );
      expectNoKeyText(err.message, text);
    });

    it('cut short: "not valid JSON", quoting nothing', async () => {
      const text = JSON.stringify(key).slice(0, 900);
      const err = await bootError({ serviceAccount: text });
      expect(err.message).toBe('serviceAccount (JSON text) is not valid JSON');
      expectNoKeyText(err.message, text);
    });

    it('a PEM where a path belongs is refused without being printed', async () => {
      const err = await bootError({ serviceAccount: key.private_key });
      expect(err.message).toBe(
        "serviceAccount is neither the path of a key file nor the key's JSON text",
      );
      expectNoKeyText(err.message, key.private_key);
    });

    it.each([
      ['serviceAccount', (text: string) => ({ serviceAccount: text })],
      [
        'GOOGLE_APPLICATION_CREDENTIALS',
        (text: string) => {
          process.env.GOOGLE_APPLICATION_CREDENTIALS = text;
          return {};
        },
      ],
    ])('a good one in %s mints', async (_, configure) => {
      expect(await mintWith(configure(JSON.stringify(key)))).toMatch(/^ya29\./);
    });
  });

  it.each([
    [3600, /"refreshMarginSeconds" must be a number ≥ 0 and below 3600 .*got 3600/],
    [7200, /"refreshMarginSeconds" .*refresh on every call\), got 7200/],
    [-1, /"refreshMarginSeconds" must be a number ≥ 0/],
  ])('fails the boot on refreshMarginSeconds %p', async (refreshMarginSeconds, message) => {
    const err = await bootError({ serviceAccount: key, refreshMarginSeconds });
    expect(err.message).toMatch(message);
  });

  it.each([
    ['an empty string', ''],
    ['a name without a domain', 'target'],
    ['a key pasted in by mistake', keyLike()],
    ['a number', 42],
  ])('fails the boot on impersonateServiceAccount as %s, naming the field', async (_, value) => {
    const err = await bootError({
      serviceAccount: key,
      impersonateServiceAccount: value as string,
    });
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(
      /"impersonateServiceAccount" must be the email of a service account/,
    );
    expect(err.message).not.toContain('PRIVATE KEY');
  });

  it('boots with impersonateServiceAccount given in any case and with spaces', async () => {
    emulator.createServiceAccount({ email: 'boot-target@demo.iam.gserviceaccount.com' });
    const token = await mintWith({
      serviceAccount: key,
      impersonateServiceAccount: '  Boot-Target@demo.iam.gserviceaccount.com ',
    });
    expect(token).toMatch(/^ya29\./);
    expect(emulator.requests('generateAccessToken').at(-1)!.path).toContain(
      encodeURIComponent('boot-target@demo.iam.gserviceaccount.com'),
    );
  });

  it.each([0, 1.5, -3])('fails the boot on localCacheMaxEntries %p', async (value) => {
    const err = await bootError({ serviceAccount: key, localCacheMaxEntries: value });
    expect(err.message).toMatch(/"localCacheMaxEntries" must be an integer ≥ 1/);
  });

  it('uses a good GOOGLE_APPLICATION_CREDENTIALS file when no key is configured', async () => {
    const written = await emulator.writeServiceAccountFile(dir);
    process.env.GOOGLE_APPLICATION_CREDENTIALS = written.path;
    const moduleRef = await Test.createTestingModule({
      imports: [OAuth2Module.forRoot({ google: emulator.urls })],
    }).compile();
    const app = await moduleRef.init();
    try {
      await app.get(ServiceAccountCredentialsFactory).getAccessToken('openid');
      const body = new URLSearchParams(String(emulator.requests('token').at(-1)!.body));
      const claims = JSON.parse(
        Buffer.from(body.get('assertion')!.split('.')[1]!, 'base64url').toString(),
      );
      expect(claims.iss).toBe(written.key.client_email);
    } finally {
      await app.close();
    }
  });
});

/** Text that looks like the start of a PEM key: the error must not echo it. */
function keyLike(): string {
  return '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg';
}
