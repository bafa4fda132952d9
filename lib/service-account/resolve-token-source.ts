import type { GoogleUrls } from '../google/google-urls.js';
import type { GoogleHttpClient } from '../google/google-http-client.js';
import { KeyTokenSource } from './key-token-source.js';
import { MetadataTokenSource } from './metadata-token-source.js';
import {
  loadServiceAccountKey,
  loadServiceAccountKeyFile,
  ServiceAccountKey,
  ServiceAccountKeyError,
} from './service-account-key.js';

/** How tokens will be minted, decided at boot. */
export type MintingPlan =
  | { kind: 'key'; source: KeyTokenSource; from: string }
  | { kind: 'metadata'; metadata: MetadataTokenSource };

/**
 * Picks the credentials: the `serviceAccount` option (a key or a key file's path), else
 * `GOOGLE_APPLICATION_CREDENTIALS`, else the metadata server. A key is read and checked here,
 * so that a bad one fails the boot rather than the first request.
 */
export async function planMinting(
  serviceAccount: ServiceAccountKey | string | undefined,
  http: GoogleHttpClient,
  urls: GoogleUrls,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MintingPlan> {
  if (typeof serviceAccount === 'string') {
    const key = await loadServiceAccountKeyFile(serviceAccount);
    return {
      kind: 'key',
      source: new KeyTokenSource(key, http, urls.token),
      from: 'serviceAccount',
    };
  }
  if (serviceAccount !== undefined) {
    const key = loadServiceAccountKey(serviceAccount, 'serviceAccount');
    return {
      kind: 'key',
      source: new KeyTokenSource(key, http, urls.token),
      from: 'serviceAccount',
    };
  }
  const adcPath = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (adcPath) {
    try {
      const key = await loadServiceAccountKeyFile(adcPath);
      return {
        kind: 'key',
        source: new KeyTokenSource(key, http, urls.token),
        from: 'GOOGLE_APPLICATION_CREDENTIALS',
      };
    } catch (err) {
      if (err instanceof ServiceAccountKeyError) {
        throw new ServiceAccountKeyError(`GOOGLE_APPLICATION_CREDENTIALS: ${err.message}`);
      }
      throw err;
    }
  }
  return { kind: 'metadata', metadata: new MetadataTokenSource(http, urls.metadata) };
}
