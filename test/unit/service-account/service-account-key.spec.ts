import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceAccountKeyError } from 'nestjs-google-oauth2';
import {
  loadServiceAccountKey,
  loadServiceAccountKeyFile,
} from '../../../lib/service-account/service-account-key.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const keyBody = pkcs8.split('\n')[1]!; // a line of key material that must never be echoed

function consoleKey(overrides: Record<string, unknown> = {}) {
  return {
    type: 'service_account',
    project_id: 'p',
    private_key_id: 'kid-1',
    private_key: pkcs8,
    client_email: 'svc@p.iam.gserviceaccount.com',
    client_id: '1234',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  };
}

function failure(run: () => unknown): ServiceAccountKeyError {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ServiceAccountKeyError);
  expect((thrown as Error).message).not.toContain(keyBody);
  return thrown as ServiceAccountKeyError;
}

describe('loadServiceAccountKey', () => {
  it('reads the console JSON', () => {
    const key = loadServiceAccountKey(consoleKey(), 'serviceAccount');
    expect(key).toMatchObject({
      clientEmail: 'svc@p.iam.gserviceaccount.com',
      clientId: '1234',
      projectId: 'p',
      privateKeyId: 'kid-1',
    });
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it("reads Ferris's hand-written form, with a PKCS#1 key", () => {
    const key = loadServiceAccountKey(
      { client_id: '1', client_email: 'svc@p.iam.gserviceaccount.com', private_key: pkcs1 },
      'serviceAccount',
    );
    expect(key.privateKeyId).toBeUndefined();
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('reads a key whose newlines arrived escaped, as from an environment variable', () => {
    const escaped = pkcs8.replace(/\n/g, '\\n');
    expect(loadServiceAccountKey(consoleKey({ private_key: escaped }), 's').clientEmail).toBe(
      'svc@p.iam.gserviceaccount.com',
    );
  });

  it.each([
    ['client_email missing', { client_email: undefined }, /"client_email" is missing/],
    ['client_email not an email', { client_email: 'svc' }, /"client_email" is not an email/],
    ['private_key missing', { private_key: undefined }, /"private_key" is missing/],
    ['private_key not PEM', { private_key: 'abc' + keyBody }, /"private_key" is not a PEM/],
    [
      'private_key a broken PEM',
      { private_key: pkcs8.replace(keyBody, keyBody.slice(0, 20)) },
      /"private_key" is not a readable PEM/,
    ],
    ['private_key not RSA', { private_key: ec }, /"private_key" is a ec key/],
    ['type other than service_account', { type: 'authorized_user' }, /"type" is "authorized_user"/],
    ['client_id not a string', { client_id: 12 }, /"client_id" must be a string/],
  ])('names the problem when %s, without the key', (_, overrides, message) => {
    const err = failure(() => loadServiceAccountKey(consoleKey(overrides), 'serviceAccount'));
    expect(err.message).toMatch(/^serviceAccount: /);
    expect(err.message).toMatch(message);
  });

  it('refuses something that is not an object', () => {
    expect(failure(() => loadServiceAccountKey('x', 'serviceAccount')).message).toMatch(
      /must be a JSON object/,
    );
  });
});

describe('loadServiceAccountKeyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sa-key-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a key file', async () => {
    const path = join(dir, 'key.json');
    await writeFile(path, JSON.stringify(consoleKey()));
    expect((await loadServiceAccountKeyFile(path)).clientEmail).toBe(
      'svc@p.iam.gserviceaccount.com',
    );
  });

  it('names the path of a file that cannot be read', async () => {
    const path = join(dir, 'absent.json');
    await expect(loadServiceAccountKeyFile(path)).rejects.toThrow(
      `service-account key file ${path} cannot be read (ENOENT)`,
    );
  });

  it('says a file is not JSON without quoting it', async () => {
    const path = join(dir, 'pem.json');
    await writeFile(path, pkcs8);
    const err = await loadServiceAccountKeyFile(path).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ServiceAccountKeyError);
    expect((err as Error).message).toBe(`service-account key file ${path} is not valid JSON`);
  });

  it('names the file and the field of a bad key in a file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify(consoleKey({ private_key: 'nope' })));
    const err = (await loadServiceAccountKeyFile(path).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      `service-account key file ${path}: "private_key" is not a PEM private key`,
    );
  });
});
