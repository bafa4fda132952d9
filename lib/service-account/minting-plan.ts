import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { GoogleUrls } from '../google/google-urls.js';
import { IamSignedTokenSource } from './iam-signed-token-source.js';
import { KeyTokenSource } from './key-token-source.js';
import { KeylessTokenSource } from './keyless-token-source.js';
import { MetadataTokenSource } from './metadata-token-source.js';
import {
  loadServiceAccountKey,
  loadServiceAccountKeyString,
  type LoadedServiceAccountKey,
  type ServiceAccountKey,
  ServiceAccountKeyError,
} from './service-account-key.js';
import type { TokenSource } from './token-source.js';

/**
 * Reads and checks the credentials to mint with, at boot, so that a bad key fails the boot
 * rather than the first request: the `serviceAccount` option (a key, its JSON text or its file's
 * path), else `GOOGLE_APPLICATION_CREDENTIALS` (the JSON text or the path). `undefined`: neither
 * is set, and tokens come from the metadata server.
 */
export async function loadCredentials(
  serviceAccount: ServiceAccountKey | string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedServiceAccountKey | undefined> {
  if (typeof serviceAccount === 'string') {
    return loadServiceAccountKeyString(serviceAccount, 'serviceAccount');
  }
  if (serviceAccount !== undefined) return loadServiceAccountKey(serviceAccount, 'serviceAccount');
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!adc) return undefined;
  try {
    return await loadServiceAccountKeyString(adc, 'GOOGLE_APPLICATION_CREDENTIALS');
  } catch (err) {
    if (err instanceof ServiceAccountKeyError && !err.message.startsWith('GOOGLE_APPLICATION')) {
      throw new ServiceAccountKeyError(`GOOGLE_APPLICATION_CREDENTIALS: ${err.message}`);
    }
    throw err;
  }
}

/** How tokens are minted: a finished source, and the account it mints for. */
export interface MintingPlan {
  source: TokenSource;
  serviceAccountEmail(): Promise<string>;
}

/**
 * The minting source for `key`: its own jwt-bearer grant; without a key, the metadata server
 * for plain tokens and IAM signJwt for a user's. IAM is called with a token of the account
 * itself, which `cached` (the caching layers, shared with every other source) keeps.
 */
export function planMinting(
  key: LoadedServiceAccountKey | undefined,
  http: GoogleHttpClient,
  urls: GoogleUrls,
  cached: (source: TokenSource) => TokenSource,
): MintingPlan {
  if (key) {
    return {
      source: new KeyTokenSource(key, http, urls.token),
      serviceAccountEmail: () => Promise.resolve(key.clientEmail),
    };
  }
  const metadata = new MetadataTokenSource(http, urls.metadata);
  const delegated = new IamSignedTokenSource(http, urls, metadata, cached(metadata));
  return {
    source: new KeylessTokenSource(metadata, delegated),
    serviceAccountEmail: () => metadata.serviceAccountEmail(),
  };
}
