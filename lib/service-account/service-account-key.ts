import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { GOOGLE_TOKEN_AUDIENCES } from '../google/google-urls.js';

/**
 * A service-account key: the JSON the Cloud console downloads, or the hand-written
 * `{ client_id, client_email, private_key }` form (Ferris's documented form).
 */
export interface ServiceAccountKey {
  type?: string;
  project_id?: string;
  private_key_id?: string;
  /** PEM, PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  private_key: string;
  client_email: string;
  client_id?: string;
  token_uri?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** A key checked at boot: the fields the library uses, and the private key parsed once. */
export interface LoadedServiceAccountKey {
  clientEmail: string;
  clientId?: string;
  projectId?: string;
  privateKeyId?: string;
  privateKey: KeyObject;
  /** The `aud` of this key's assertions: Google's token URL, or the key's own `token_uri` if Google's. */
  assertionAudience: string;
}

/** A key that cannot be used. The message names the field or file; it never holds key material. */
export class ServiceAccountKeyError extends Error {
  override readonly name = 'ServiceAccountKeyError';
}

/**
 * Checks a key object and parses its private key. `source` names where it came from in
 * messages (`serviceAccount`, or the key file's path).
 */
export function loadServiceAccountKey(key: unknown, source: string): LoadedServiceAccountKey {
  if (!key || typeof key !== 'object' || Array.isArray(key)) {
    throw new ServiceAccountKeyError(`${source}: a service-account key must be a JSON object`);
  }
  const fields = key as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'service_account') {
    throw new ServiceAccountKeyError(
      `${source}: "type" is ${JSON.stringify(String(fields.type))}; only "service_account" keys can mint tokens`,
    );
  }
  const clientEmail = requireString(fields, 'client_email', source);
  if (!/^[^@\s]+@[^@\s]+$/.test(clientEmail)) {
    throw new ServiceAccountKeyError(`${source}: "client_email" is not an email address`);
  }
  const pem = requireString(fields, 'private_key', source);
  return {
    clientEmail,
    clientId: optionalString(fields, 'client_id', source),
    projectId: optionalString(fields, 'project_id', source),
    privateKeyId: optionalString(fields, 'private_key_id', source),
    privateKey: parsePrivateKey(pem, source),
    assertionAudience: assertionAudience(
      optionalString(fields, 'token_uri', source),
      optionalString(fields, 'universe_domain', source),
    ),
  };
}

/**
 * Reads a key given as a string: the key's JSON text (as secret managers and environment
 * variables hold it), or else the path of the key file. `source` names the setting in messages.
 */
export async function loadServiceAccountKeyString(
  value: string,
  source: string,
): Promise<LoadedServiceAccountKey> {
  if (value.trimStart().startsWith('{')) {
    return loadServiceAccountKeyText(value, `${source} (JSON text)`);
  }
  if (!looksLikePath(value)) {
    // Likely key material pasted where a path belongs: say what is wrong, never what it holds.
    throw new ServiceAccountKeyError(
      `${source} is neither the path of a key file nor the key's JSON text`,
    );
  }
  return loadServiceAccountKeyFile(value);
}

/** Parses and checks a key's JSON text; the parser's message (which quotes the text) is dropped. */
export function loadServiceAccountKeyText(text: string, source: string): LoadedServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServiceAccountKeyError(`${source} is not valid JSON`);
  }
  return loadServiceAccountKey(json, source);
}

/** Reads and checks a JSON key file. */
export async function loadServiceAccountKeyFile(path: string): Promise<LoadedServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ServiceAccountKeyError(`service-account key file ${path} cannot be read (${code})`);
  }
  return loadServiceAccountKeyText(text, `service-account key file ${path}`);
}

/** A path is one line, of a sane length, and holds no PEM armour. */
function looksLikePath(value: string): boolean {
  return value.length <= 4096 && !/[\r\n]/.test(value) && !value.includes('-----');
}

/**
 * Google's token URL as an assertion's `aud`: the key's `token_uri` when it is one of Google's
 * (or its universe's `https://oauth2.<universe_domain>/token`), else Google's first. Never the URL
 * the assertion is posted to, which may be a proxy (`google.token`).
 */
function assertionAudience(tokenUri?: string, universeDomain?: string): string {
  if (tokenUri && GOOGLE_TOKEN_AUDIENCES.includes(tokenUri)) return tokenUri;
  if (tokenUri && universeDomain && tokenUri === `https://oauth2.${universeDomain}/token`) {
    return tokenUri;
  }
  return GOOGLE_TOKEN_AUDIENCES[0]!;
}

function requireString(fields: Record<string, unknown>, name: string, source: string): string {
  const value = fields[name];
  if (value === undefined || value === null || value === '') {
    throw new ServiceAccountKeyError(`${source}: "${name}" is missing`);
  }
  if (typeof value !== 'string') {
    throw new ServiceAccountKeyError(`${source}: "${name}" must be a string`);
  }
  return value;
}

function optionalString(
  fields: Record<string, unknown>,
  name: string,
  source: string,
): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ServiceAccountKeyError(`${source}: "${name}" must be a string`);
  }
  return value;
}

function parsePrivateKey(pem: string, source: string): KeyObject {
  // Keys pasted into environment variables often arrive with literal "\n" for newlines.
  const text = pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) {
    throw new ServiceAccountKeyError(`${source}: "private_key" is not a PEM private key`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new ServiceAccountKeyError(`${source}: "private_key" is not a readable PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ServiceAccountKeyError(
      `${source}: "private_key" is a ${key.asymmetricKeyType ?? 'non-RSA'} key; Google service accounts sign with RSA`,
    );
  }
  return key;
}
