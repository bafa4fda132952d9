import { googleApiError } from '../errors.js';
import { jsonAnswer, NO_STORE_HEADERS } from '../http.js';
import {
  EMAIL_SCOPE,
  hasEmailScope,
  hasProfileScope,
  OPENID_SCOPE,
  PROFILE_SCOPE,
} from '../scopes.js';
import type { Principal } from '../state/index.js';
import { authenticate } from './bearer-auth.js';
import type { Handler } from './context.js';

function nameParts(principal: Principal): Record<string, string> {
  if (principal.name === undefined) return {};
  const [given, ...rest] = principal.name.split(' ');
  const parts: Record<string, string> = { name: principal.name };
  if (given) parts.given_name = given;
  if (rest.length) parts.family_name = rest.join(' ');
  return parts;
}

function userInfo(version: 'v2' | 'openid'): Handler {
  return (request, context) => {
    if (request.method !== 'GET' && request.method !== 'POST') {
      return jsonAnswer(405, googleApiError(405), { allow: 'GET, POST' });
    }
    const auth = authenticate(request, context, {
      anyOfScopes: [OPENID_SCOPE, EMAIL_SCOPE, PROFILE_SCOPE],
      service: version === 'v2' ? 'oauth2.googleapis.com' : 'openidconnect.googleapis.com',
      method: 'userinfo',
    });
    if (!auth.ok) return auth.answer;
    const { principal, scopes } = auth.issued;
    const body: Record<string, unknown> =
      version === 'v2' ? { id: principal.id } : { sub: principal.id };
    if (hasEmailScope(scopes)) {
      body.email = principal.email;
      body[version === 'v2' ? 'verified_email' : 'email_verified'] = principal.emailVerified;
    }
    if (hasProfileScope(scopes)) Object.assign(body, nameParts(principal));
    if (principal.hostedDomain !== undefined) body.hd = principal.hostedDomain;
    return jsonAnswer(200, body, { ...NO_STORE_HEADERS });
  };
}

/** `GET /oauth2/v2/userinfo` (and `/userinfo/v2/me`): `{ id, email, verified_email, name, …, hd }`. */
export const handleUserInfoV2: Handler = userInfo('v2');
/** `GET /v1/userinfo` (and `/oauth2/v3/userinfo`): OpenID `{ sub, email, email_verified, name, …, hd }`. */
export const handleUserInfoOpenId: Handler = userInfo('openid');
