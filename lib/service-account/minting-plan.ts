import type { GoogleHttpClient } from '../google/google-http-client.js';
import type { GoogleUrls } from '../google/google-urls.js';
import { IamAccessTokenSource } from './iam-access-token-source.js';
import { IamCredentialsClient } from './iam-credentials-client.js';
import { IamIdTokenSource } from './iam-id-token-source.js';
import { IamSignedTokenSource } from './iam-signed-token-source.js';
import type { IdTokenRequest } from './id-token-request.js';
import { KeyIdTokenSource } from './key-id-token-source.js';
import { KeyTokenSource } from './key-token-source.js';
import { KeylessTokenSource } from './keyless-token-source.js';
import { MetadataIdTokenSource } from './metadata-id-token-source.js';
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

/** How tokens are minted: finished sources, and the account they mint for. */
export interface MintingPlan {
  /** Access tokens, plain or as a user. */
  source: TokenSource;
  /** Google-signed ID tokens of the account. */
  idTokens: TokenSource<IdTokenRequest>;
  serviceAccountEmail(): Promise<string>;
}

/** Wraps a minting source in the caching layers that every source shares. */
export type Caching = <R extends { readonly key: string }>(
  source: TokenSource<R>,
) => TokenSource<R>;

/**
 * The minting sources: those of the app's own credentials (see `ownCredentials`), or, with
 * `impersonate`, IAM Credentials on that account, called with a cloud-platform token of the
 * app's own credentials that `cached` keeps like any other.
 */
export function planMinting(
  key: LoadedServiceAccountKey | undefined,
  http: GoogleHttpClient,
  urls: GoogleUrls,
  cached: Caching,
  impersonate?: string,
): MintingPlan {
  const own = ownCredentials(key, http, urls, cached);
  if (impersonate === undefined) return own;
  const iam = new IamCredentialsClient(http, urls.iamCredentials, own, cached(own.source));
  const target = { serviceAccountEmail: () => Promise.resolve(impersonate) };
  return {
    source: new KeylessTokenSource(
      new IamAccessTokenSource(iam, impersonate),
      new IamSignedTokenSource(iam, http, urls.token, target),
    ),
    idTokens: new IamIdTokenSource(iam, impersonate),
    serviceAccountEmail: target.serviceAccountEmail,
  };
}

/**
 * The sources of the app's own credentials: with `key`, its own jwt-bearer grants; without, the
 * metadata server, and IAM signJwt for a user's tokens (called with a token of the account
 * itself, which `cached` keeps).
 */
function ownCredentials(
  key: LoadedServiceAccountKey | undefined,
  http: GoogleHttpClient,
  urls: GoogleUrls,
  cached: Caching,
): MintingPlan {
  if (key) {
    return {
      source: new KeyTokenSource(key, http, urls.token),
      idTokens: new KeyIdTokenSource(key, http, urls.token),
      serviceAccountEmail: () => Promise.resolve(key.clientEmail),
    };
  }
  const metadata = new MetadataTokenSource(http, urls.metadata);
  const iam = new IamCredentialsClient(http, urls.iamCredentials, metadata, cached(metadata));
  return {
    source: new KeylessTokenSource(
      metadata,
      new IamSignedTokenSource(iam, http, urls.token, metadata),
    ),
    idTokens: new MetadataIdTokenSource(http, urls.metadata),
    serviceAccountEmail: () => metadata.serviceAccountEmail(),
  };
}
