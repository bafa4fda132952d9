import { jsonAnswer, bodyParams, NO_STORE_HEADERS, type EmulatorAnswer } from '../http.js';
import { oauthError } from '../errors.js';
import { decodeJwt, verifyRs256, type DecodedJwt } from '../jwt.js';
import { parseScopeList } from '../scopes.js';
import { secondsLeft, type ServiceAccountRecord } from '../state/index.js';
import type { Handler, HandlerContext } from './context.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The token URLs Google accepts as an assertion's `aud` (google-auth-library uses the first). */
export const GOOGLE_TOKEN_AUDIENCES: readonly string[] = [
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
  'https://accounts.google.com/o/oauth2/token',
];

/** Longest assertion window Google accepts (`exp - iat`), and the clock skew it tolerates. */
const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
const MAX_CLOCK_SKEW_SECONDS = 300;

export const TOKEN_ERRORS = {
  accountNotFound: oauthError('invalid_grant', 'Invalid grant: account not found'),
  badSignature: oauthError('invalid_grant', 'Invalid JWT Signature.'),
  badTime: oauthError(
    'invalid_grant',
    'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
  ),
  badAudience: oauthError(
    'invalid_grant',
    'Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token',
  ),
  badScope: oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.'),
  unauthorizedClient: oauthError(
    'unauthorized_client',
    'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
  ),
  unknownSubject: oauthError('invalid_grant', 'Invalid email or User ID'),
  malformed: oauthError('invalid_grant', 'Invalid JWT: the assertion is not a well-formed JWS.'),
  missingAssertion: oauthError('invalid_request', 'Missing required parameter: assertion'),
} as const;

function fail(status: number, body: unknown): EmulatorAnswer {
  return jsonAnswer(status, body, { ...NO_STORE_HEADERS });
}

function signatureOk(jwt: DecodedJwt, account: ServiceAccountRecord): boolean {
  const kid = jwt.header.kid;
  const keys = kid === undefined ? account.keys : account.keys.filter((key) => key.kid === kid);
  return keys.some((key) => verifyRs256(jwt, key.publicKey));
}

function timeWindowOk(payload: Record<string, unknown>, nowSeconds: number): boolean {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') return false;
  if (exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) return false;
  if (iat > nowSeconds + MAX_CLOCK_SKEW_SECONDS) return false;
  return exp >= nowSeconds - MAX_CLOCK_SKEW_SECONDS;
}

function audienceOk(aud: unknown, context: HandlerContext): boolean {
  const accepted = [`${context.baseUrl}/token`, ...GOOGLE_TOKEN_AUDIENCES];
  return typeof aud === 'string' && accepted.includes(aud);
}

/**
 * `POST /token` with the jwt-bearer grant, checked as Google does: the signer, its signature, the
 * time window, the audience, the scopes, and domain-wide delegation for `sub`.
 */
export const handleToken: Handler = (request, context) => {
  if (request.method !== 'POST') {
    return jsonAnswer(405, oauthError('invalid_request', 'Method not allowed: use POST'), {
      allow: 'POST',
    });
  }
  const params = bodyParams(request);
  const grantType = params.get('grant_type') ?? '';
  if (grantType !== JWT_BEARER_GRANT) {
    return fail(400, oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType}`));
  }
  const assertion = params.get('assertion');
  if (!assertion) return fail(400, TOKEN_ERRORS.missingAssertion);
  const jwt = decodeJwt(assertion);
  if (!jwt) return fail(400, TOKEN_ERRORS.malformed);

  const { state } = context;
  const { payload } = jwt;
  const account =
    typeof payload.iss === 'string' ? state.serviceAccounts.find(payload.iss) : undefined;
  if (!account) return fail(400, TOKEN_ERRORS.accountNotFound);
  if (!signatureOk(jwt, account)) return fail(400, TOKEN_ERRORS.badSignature);
  if (!timeWindowOk(payload, state.clock.nowSeconds())) return fail(400, TOKEN_ERRORS.badTime);
  if (!audienceOk(payload.aud, context)) return fail(400, TOKEN_ERRORS.badAudience);

  const scopes = typeof payload.scope === 'string' ? parseScopeList(payload.scope) : [];
  const targetAudience = payload.target_audience;
  if (typeof targetAudience === 'string' && targetAudience !== '') {
    // An ID token for the service account itself (what IdTokenClient asks for). A `scope` beside
    // the audience, which google-auth-library sends when the client has scopes, changes nothing.
    const idToken = state.serviceAccountIdToken(account, targetAudience, { includeEmail: true });
    return jsonAnswer(200, { id_token: idToken }, { ...NO_STORE_HEADERS });
  }
  if (scopes.length === 0) return fail(400, TOKEN_ERRORS.badScope);

  let principal = state.serviceAccounts.principal(account);
  const sub = payload.sub;
  if (typeof sub === 'string' && sub !== '' && state.serviceAccounts.find(sub) !== account) {
    if (!state.delegations.covers(account.clientId, scopes)) {
      return fail(401, TOKEN_ERRORS.unauthorizedClient);
    }
    const user = state.users.find(sub);
    if (!user) return fail(400, TOKEN_ERRORS.unknownSubject);
    principal = state.users.principal(user);
  }

  const issued = state.issueAccessToken({
    principal,
    clientId: account.clientId,
    scopes,
    source: 'token',
  });
  const expiresIn = secondsLeft(issued, state.clock.now());
  return jsonAnswer(
    200,
    { access_token: issued.token, expires_in: expiresIn, token_type: 'Bearer' },
    { ...NO_STORE_HEADERS },
  );
};
