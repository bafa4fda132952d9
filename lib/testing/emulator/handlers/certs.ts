import { googleApiError } from '../errors.js';
import { jsonAnswer, type EmulatorAnswer } from '../http.js';
import { toJwk } from '../keys.js';
import type { Handler, HandlerContext } from './context.js';

function cacheHeaders(context: HandlerContext): Record<string, string> {
  const maxAge = context.certsMaxAgeSeconds;
  const now = context.state.clock.now();
  return {
    'cache-control': `public, max-age=${maxAge}, must-revalidate, no-transform`,
    date: new Date(now).toUTCString(),
    expires: new Date(now + maxAge * 1000).toUTCString(),
  };
}

function onlyGet(method: string): EmulatorAnswer | undefined {
  return method === 'GET' || method === 'HEAD'
    ? undefined
    : jsonAnswer(405, googleApiError(405), { allow: 'GET' });
}

/** `GET /oauth2/v1/certs`: `{ kid: PEM certificate }` for every published Google signing key. */
export const handleCertsV1: Handler = (request, context) => {
  const wrongMethod = onlyGet(request.method);
  if (wrongMethod) return wrongMethod;
  const certs: Record<string, string> = {};
  for (const key of context.state.signingKeys.published()) certs[key.kid] = key.certificatePem;
  return jsonAnswer(200, certs, cacheHeaders(context));
};

/** `GET /oauth2/v3/certs`: `{ keys: [JWK…] }` for every published Google signing key. */
export const handleCertsV3: Handler = (request, context) => {
  const wrongMethod = onlyGet(request.method);
  if (wrongMethod) return wrongMethod;
  const keys = context.state.signingKeys.published().map((key) => key.jwk);
  return jsonAnswer(200, { keys }, cacheHeaders(context));
};

/** `GET /iap/verify/public_key-jwk` (gstatic.com): IAP's ES256 keys as a JWK set. */
export const handleIapJwk: Handler = (request, context) => {
  const wrongMethod = onlyGet(request.method);
  if (wrongMethod) return wrongMethod;
  const keys = context.state.iapKeys.published().map((key) => key.jwk);
  return jsonAnswer(200, { keys }, cacheHeaders(context));
};

/** `GET /iap/verify/public_key` (gstatic.com): IAP's keys as `{ kid: PEM public key }`. */
export const handleIapPem: Handler = (request, context) => {
  const wrongMethod = onlyGet(request.method);
  if (wrongMethod) return wrongMethod;
  const keys: Record<string, string> = {};
  for (const key of context.state.iapKeys.published()) keys[key.kid] = key.publicKeyPem;
  return jsonAnswer(200, keys, cacheHeaders(context));
};

function serviceAccountKeys(format: 'x509' | 'jwk'): Handler {
  return (request, context) => {
    const wrongMethod = onlyGet(request.method);
    if (wrongMethod) return wrongMethod;
    const email = decodeURIComponent(request.pathname.slice(request.pathname.lastIndexOf('/') + 1));
    const account = context.state.serviceAccounts.find(email);
    if (!account)
      return jsonAnswer(404, googleApiError(404, `Service account ${email} not found.`));
    if (format === 'jwk') {
      return jsonAnswer(200, { keys: account.keys.map(toJwk) }, cacheHeaders(context));
    }
    const certs: Record<string, string> = {};
    const now = context.state.clock.now();
    for (const key of account.keys) {
      certs[key.kid] = context.state.serviceAccounts.certificate(account, key, now);
    }
    return jsonAnswer(200, certs, cacheHeaders(context));
  };
}

/** `GET /robot/v1/metadata/x509/{email}`: a service account's public certificates (its key file's `client_x509_cert_url`). */
export const handleServiceAccountX509: Handler = serviceAccountKeys('x509');
/** `GET /service_accounts/v1/jwk/{email}`: a service account's public keys as JWKs. */
export const handleServiceAccountJwk: Handler = serviceAccountKeys('jwk');
