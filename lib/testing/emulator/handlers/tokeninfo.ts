import { oauthError } from '../errors.js';
import {
  bearerToken,
  jsonAnswer,
  NO_STORE_HEADERS,
  param,
  type EmulatorAnswer,
  type EmulatorRequest,
} from '../http.js';
import { hasEmailScope, hasIdentityScope } from '../scopes.js';
import { secondsLeft, type IssuedAccessToken } from '../state/index.js';
import type { Handler, HandlerContext } from './context.js';

export const INVALID_TOKEN = oauthError('invalid_token', 'Invalid Value');

function invalid(): EmulatorAnswer {
  return jsonAnswer(400, INVALID_TOKEN, { ...NO_STORE_HEADERS });
}

/** The token to look at: `access_token`/`id_token` in the query or form body, or a Bearer header. */
function requestedToken(
  request: EmulatorRequest,
): { kind: 'access_token' | 'id_token'; token: string } | undefined {
  const idToken = param(request, 'id_token');
  if (idToken) return { kind: 'id_token', token: idToken };
  const accessToken = param(request, 'access_token') ?? bearerToken(request);
  return accessToken ? { kind: 'access_token', token: accessToken } : undefined;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function idTokenInfo(token: string, context: HandlerContext, version: 'v2' | 'v3'): EmulatorAnswer {
  const verified = context.state.verifyIdToken(token);
  if (!verified) return invalid();
  if (version === 'v2') return jsonAnswer(200, idTokenInfoV2(verified.payload, context));
  const info: Record<string, string> = {};
  for (const [name, value] of Object.entries(verified.payload)) info[name] = stringify(value);
  for (const name of ['alg', 'kid', 'typ']) {
    const value = verified.header[name];
    if (value !== undefined) info[name] = stringify(value);
  }
  return jsonAnswer(200, info, { ...NO_STORE_HEADERS });
}

/** v2 names for an ID token's claims. */
function idTokenInfoV2(
  claims: Record<string, unknown>,
  context: HandlerContext,
): Record<string, unknown> {
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  const info: Record<string, unknown> = {
    issuer: claims.iss,
    issued_to: claims.azp ?? claims.aud,
    audience: claims.aud,
    user_id: claims.sub,
    expires_in: Math.max(0, exp - context.state.clock.nowSeconds()),
    issued_at: claims.iat,
  };
  if (claims.email !== undefined) {
    info.email = claims.email;
    info.email_verified = claims.email_verified;
  }
  return info;
}

/** v3 (`/tokeninfo`, `/oauth2/v3/tokeninfo`): every value a string. */
function accessTokenInfoV3(issued: IssuedAccessToken, nowMs: number): Record<string, string> {
  const info: Record<string, string> = { azp: issued.clientId, aud: issued.clientId };
  if (hasIdentityScope(issued.scopes)) info.sub = issued.principal.id;
  info.scope = issued.scopes.join(' ');
  info.exp = String(Math.floor(issued.expiresAt / 1000));
  info.expires_in = String(secondsLeft(issued, nowMs));
  if (hasEmailScope(issued.scopes)) {
    info.email = issued.principal.email;
    info.email_verified = String(issued.principal.emailVerified);
  }
  info.access_type = 'online';
  return info;
}

/** v2 (`/oauth2/v2/tokeninfo`, what `@googleapis/oauth2` calls): the older names and types. */
function accessTokenInfoV2(issued: IssuedAccessToken, nowMs: number): Record<string, unknown> {
  const info: Record<string, unknown> = {
    issued_to: issued.clientId,
    audience: issued.clientId,
  };
  if (hasIdentityScope(issued.scopes)) info.user_id = issued.principal.id;
  info.scope = issued.scopes.join(' ');
  info.expires_in = secondsLeft(issued, nowMs);
  if (hasEmailScope(issued.scopes)) {
    info.email = issued.principal.email;
    info.verified_email = issued.principal.emailVerified;
  }
  info.access_type = 'online';
  return info;
}

function tokenInfo(version: 'v2' | 'v3'): Handler {
  return (request, context) => {
    if (request.method !== 'GET' && request.method !== 'POST') {
      return jsonAnswer(405, oauthError('invalid_request', 'Method not allowed'), {
        allow: 'GET, POST',
      });
    }
    const requested = requestedToken(request);
    if (!requested) {
      return jsonAnswer(
        400,
        oauthError('invalid_request', 'either access_token or id_token required'),
        { ...NO_STORE_HEADERS },
      );
    }
    if (requested.kind === 'id_token') return idTokenInfo(requested.token, context, version);
    const now = context.state.clock.now();
    const issued = context.state.validAccessToken(requested.token);
    if (!issued) return invalid();
    const body = version === 'v3' ? accessTokenInfoV3(issued, now) : accessTokenInfoV2(issued, now);
    return jsonAnswer(200, body, { ...NO_STORE_HEADERS });
  };
}

/** `GET|POST /tokeninfo` and `/oauth2/v3/tokeninfo`. */
export const handleTokenInfo: Handler = tokenInfo('v3');
/** `GET|POST /oauth2/v2/tokeninfo`. */
export const handleTokenInfoV2: Handler = tokenInfo('v2');
