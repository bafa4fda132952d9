/** Helpers of the store e2e tests. */
import { randomBytes } from 'node:crypto';
import type { StoredToken } from 'nestjs-google-oauth2';

/** A fresh AES-256 key for a test. */
export const testEncryptionKey = (): Buffer => randomBytes(32);

let counter = 0;

/** A store key shaped like the library's. */
export const testKey = (): string =>
  `sa-token:v1:e2e-${randomBytes(6).toString('base64url')}-${++counter}`;

export function testToken(overrides: Partial<StoredToken> = {}): StoredToken {
  return {
    accessToken: `ya29.e2e-${randomBytes(16).toString('base64url')}`,
    expiresAt: Date.now() + 3_600_000,
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    ...overrides,
  };
}
