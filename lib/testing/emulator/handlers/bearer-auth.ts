import {
  googleApiError,
  INSUFFICIENT_SCOPES_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  MISSING_CREDENTIALS_MESSAGE,
} from '../errors.js';
import { bearerToken, jsonAnswer, type EmulatorAnswer, type EmulatorRequest } from '../http.js';
import type { IssuedAccessToken } from '../state/index.js';
import type { HandlerContext } from './context.js';

const REALM = 'Bearer realm="https://accounts.google.com/"';

export type Authenticated =
  { ok: true; issued: IssuedAccessToken } | { ok: false; answer: EmulatorAnswer };

/**
 * Checks the request's Bearer token as Google's API front end does: 401 when missing or not
 * valid, 403 when it lacks every one of `anyOfScopes` (if given).
 */
export function authenticate(
  request: EmulatorRequest,
  context: HandlerContext,
  check: { anyOfScopes?: readonly string[]; service: string; method: string },
): Authenticated {
  const token = bearerToken(request);
  if (!token) {
    return {
      ok: false,
      answer: jsonAnswer(401, googleApiError(401, MISSING_CREDENTIALS_MESSAGE), {
        'www-authenticate': REALM,
      }),
    };
  }
  const issued = context.state.validAccessToken(token);
  if (!issued) {
    return {
      ok: false,
      answer: jsonAnswer(401, googleApiError(401, INVALID_CREDENTIALS_MESSAGE), {
        'www-authenticate': `${REALM}, error="invalid_token"`,
      }),
    };
  }
  const wanted = check.anyOfScopes;
  if (wanted && !wanted.some((scope) => issued.scopes.includes(scope))) {
    const details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { service: check.service, method: check.method },
      },
    ];
    return {
      ok: false,
      answer: jsonAnswer(403, googleApiError(403, INSUFFICIENT_SCOPES_MESSAGE, details), {
        'www-authenticate': `${REALM}, error="insufficient_scope", scope="${wanted.join(' ')}"`,
      }),
    };
  }
  return { ok: true, issued };
}
