import { randomBytes, randomInt } from 'node:crypto';

/** A numeric id of `length` digits not starting with 0, like Google's user and client ids. */
export function numericId(length = 21): string {
  let id = String(randomInt(1, 10));
  while (id.length < length) id += String(randomInt(0, 10));
  return id;
}

/** `ya29.` and random base64url: the look of a Google access token. */
export function accessTokenString(): string {
  return `ya29.${randomBytes(96).toString('base64url')}`;
}

export function shortHex(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
