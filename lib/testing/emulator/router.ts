import type { EmulatorEndpoint } from './types.js';
import type { Handler } from './handlers/context.js';
import {
  handleCertsV1,
  handleCertsV3,
  handleIapJwk,
  handleIapPem,
  handleServiceAccountJwk,
  handleServiceAccountX509,
} from './handlers/certs.js';
import {
  handleGenerateAccessToken,
  handleGenerateIdToken,
  handleSignBlob,
  handleSignJwt,
  IAM_PATH,
  type IamMethod,
} from './handlers/iam.js';
import { handleMetadata, handleMetadataRoot, METADATA_BASE_PATH } from './handlers/metadata.js';
import { handleToken } from './handlers/token.js';
import { handleTokenInfo, handleTokenInfoV2 } from './handlers/tokeninfo.js';
import { handleUserInfoOpenId, handleUserInfoV2 } from './handlers/userinfo.js';

/** Which endpoint a path belongs to and who answers it. */
export interface Route {
  endpoint: EmulatorEndpoint;
  handler: Handler;
}

const EXACT: Readonly<Record<string, Route>> = {
  '/token': { endpoint: 'token', handler: handleToken },
  '/oauth2/v4/token': { endpoint: 'token', handler: handleToken },
  '/o/oauth2/token': { endpoint: 'token', handler: handleToken },
  '/tokeninfo': { endpoint: 'tokeninfo', handler: handleTokenInfo },
  '/oauth2/v3/tokeninfo': { endpoint: 'tokeninfo', handler: handleTokenInfo },
  '/oauth2/v2/tokeninfo': { endpoint: 'tokeninfo', handler: handleTokenInfoV2 },
  '/oauth2/v2/userinfo': { endpoint: 'userinfo', handler: handleUserInfoV2 },
  '/userinfo/v2/me': { endpoint: 'userinfo', handler: handleUserInfoV2 },
  '/v1/userinfo': { endpoint: 'userinfo', handler: handleUserInfoOpenId },
  '/oauth2/v3/userinfo': { endpoint: 'userinfo', handler: handleUserInfoOpenId },
  '/oauth2/v1/certs': { endpoint: 'certs', handler: handleCertsV1 },
  '/oauth2/v3/certs': { endpoint: 'certs', handler: handleCertsV3 },
  '/iap/verify/public_key-jwk': { endpoint: 'iapKeys', handler: handleIapJwk },
  '/iap/verify/public_key': { endpoint: 'iapKeys', handler: handleIapPem },
  // The metadata server's root: what Python's google-auth pings.
  '/': { endpoint: 'metadata', handler: handleMetadataRoot },
};

const IAM_HANDLERS: Readonly<Record<IamMethod, Handler>> = {
  signJwt: handleSignJwt,
  signBlob: handleSignBlob,
  generateAccessToken: handleGenerateAccessToken,
  generateIdToken: handleGenerateIdToken,
};

const PREFIXES: readonly [string, Route][] = [
  ['/robot/v1/metadata/x509/', { endpoint: 'certs', handler: handleServiceAccountX509 }],
  ['/service_accounts/v1/metadata/x509/', { endpoint: 'certs', handler: handleServiceAccountX509 }],
  ['/service_accounts/v1/jwk/', { endpoint: 'certs', handler: handleServiceAccountJwk }],
];

/** The route of a pathname, or undefined when the emulator plays nothing there. */
export function resolveRoute(pathname: string): Route | undefined {
  const exact = EXACT[pathname];
  if (exact) return exact;
  for (const [prefix, route] of PREFIXES) {
    if (pathname.startsWith(prefix) && pathname.length > prefix.length) return route;
  }
  const iam = IAM_PATH.exec(pathname);
  if (iam) {
    const method = iam[3] as IamMethod;
    return { endpoint: method, handler: IAM_HANDLERS[method] };
  }
  if (pathname === METADATA_BASE_PATH || pathname.startsWith(`${METADATA_BASE_PATH}/`)) {
    return { endpoint: 'metadata', handler: handleMetadata };
  }
  return undefined;
}
