import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

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
  [field: string]: unknown;
}

/** A key checked at boot: the fields the library uses, and the private key parsed once. */
export interface LoadedServiceAccountKey {
  clientEmail: string;
  clientId?: string;
  projectId?: string;
  privateKeyId?: string;
  privateKey: KeyObject;
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
  };
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's own message quotes the file's text, which may be key material.
    throw new ServiceAccountKeyError(`service-account key file ${path} is not valid JSON`);
  }
  return loadServiceAccountKey(json, `service-account key file ${path}`);
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
