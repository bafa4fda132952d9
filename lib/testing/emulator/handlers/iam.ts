import { sign } from 'node:crypto';
import { googleApiError } from '../errors.js';
import { jsonAnswer, parseJsonObject, type EmulatorAnswer, type EmulatorRequest } from '../http.js';
import { signJwt } from '../jwt.js';
import type { RsaKey } from '../keys.js';
import { CLOUD_PLATFORM_SCOPE, IAM_SCOPE, normalizeScopes } from '../scopes.js';
import { rs256Signer, type ServiceAccountRecord } from '../state/index.js';
import { authenticate } from './bearer-auth.js';
import type { Handler, HandlerContext } from './context.js';

/** The IAM methods the emulator plays. */
export type IamMethod = 'signJwt' | 'signBlob' | 'generateAccessToken' | 'generateIdToken';

/**
 * `/v1/projects/{project}/serviceAccounts/{email or unique id}:{method}`: IAM Credentials
 * (`iamcredentials.googleapis.com`), and IAM's older `signBlob` (`iam.googleapis.com`) at the same path.
 */
export const IAM_PATH =
  /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):(signJwt|signBlob|generateAccessToken|generateIdToken)$/;

const SERVICE = 'iamcredentials.googleapis.com';
const MAX_SIGNED_JWT_LIFETIME_SECONDS = 12 * 60 * 60;
const DEFAULT_SIGNED_JWT_LIFETIME_SECONDS = 60 * 60;
const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

function invalidArgument(message: string): EmulatorAnswer {
  return jsonAnswer(400, googleApiError(400, message));
}

/**
 * The common part of both IAM methods: POST, a caller bearing a valid cloud-platform (or iam)
 * token, a known service account, a JSON body. Real IAM also checks the caller's
 * `iam.serviceAccounts.*` permission on the account; the emulator lets any such caller through.
 */
function prepare(
  request: EmulatorRequest,
  context: HandlerContext,
  method: 'SignJwt' | 'SignBlob' | 'GenerateAccessToken' | 'GenerateIdToken',
):
  | { ok: true; account: ServiceAccountRecord; body: Record<string, unknown> }
  | { ok: false; answer: EmulatorAnswer } {
  if (request.method !== 'POST') {
    return { ok: false, answer: jsonAnswer(405, googleApiError(405), { allow: 'POST' }) };
  }
  const auth = authenticate(request, context, {
    anyOfScopes: [CLOUD_PLATFORM_SCOPE, IAM_SCOPE],
    service: SERVICE,
    method: `google.iam.credentials.v1.IAMCredentials.${method}`,
  });
  if (!auth.ok) return auth;
  const match = IAM_PATH.exec(request.pathname);
  const name = decodeURIComponent(match?.[2] ?? '');
  const account = context.state.serviceAccounts.find(name);
  if (!account) {
    return {
      ok: false,
      answer: jsonAnswer(
        404,
        googleApiError(404, `Not found; Gaia id not found for email ${name}`),
      ),
    };
  }
  const body = request.body.trim() === '' ? {} : parseJsonObject(request.body);
  if (!body) {
    return {
      ok: false,
      answer: invalidArgument('Invalid JSON payload received. Expected an object.'),
    };
  }
  return { ok: true, account, body };
}

/**
 * `POST …/serviceAccounts/{email}:signJwt` `{ payload, delegates }` → `{ keyId, signedJwt }`.
 * Adds `exp` (1 h) when the claims have none; refuses an `exp` more than 12 h ahead.
 */
export const handleSignJwt: Handler = (request, context) => {
  const prepared = prepare(request, context, 'SignJwt');
  if (!prepared.ok) return prepared.answer;
  const { account, body } = prepared;
  if (typeof body.payload !== 'string' || body.payload === '') {
    return invalidArgument('Invalid value for field "payload": a JWT claim set is required.');
  }
  const claims = parseJsonObject(body.payload);
  if (!claims) return invalidArgument('Payload is not a valid JSON object.');
  const now = context.state.clock.nowSeconds();
  if (claims.exp === undefined) claims.exp = now + DEFAULT_SIGNED_JWT_LIFETIME_SECONDS;
  if (typeof claims.exp !== 'number' || claims.exp > now + MAX_SIGNED_JWT_LIFETIME_SECONDS) {
    return invalidArgument('The exp claim must be a number at most 12 hours in the future.');
  }
  const key = signingKey(account);
  return jsonAnswer(200, { keyId: key.kid, signedJwt: signJwt(claims, rs256Signer(key)) });
};

/** The key IAM signs with for an account: here its newest key (see docs/emulator.md). */
function signingKey(account: ServiceAccountRecord): RsaKey {
  const key = account.keys.at(-1);
  if (!key) throw new Error(`service account ${account.email} has no key`);
  return key;
}

/** Standard base64 (what IAM's blob fields carry); undefined when it is not. */
function decodeBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64');
}

/**
 * `POST …/serviceAccounts/{email}:signBlob`, RSA-SHA256 with the account's key. IAM Credentials
 * takes `{ payload }` and answers `{ keyId, signedBlob }`; IAM v1 (what Python's google-auth 1.x
 * calls, at `iam.googleapis.com`) takes `{ bytesToSign }` and answers `{ keyId, signature }`.
 */
export const handleSignBlob: Handler = (request, context) => {
  const prepared = prepare(request, context, 'SignBlob');
  if (!prepared.ok) return prepared.answer;
  const { account, body } = prepared;
  const legacy = body.bytesToSign !== undefined;
  const blob = decodeBase64(legacy ? body.bytesToSign : body.payload);
  if (!blob) {
    const field = legacy ? 'bytesToSign' : 'payload';
    return invalidArgument(`Invalid value for field "${field}": base64 bytes are required.`);
  }
  const key = signingKey(account);
  const signature = sign('sha256', blob, key.privateKey).toString('base64');
  return jsonAnswer(
    200,
    legacy ? { keyId: key.kid, signature } : { keyId: key.kid, signedBlob: signature },
  );
};

/**
 * `POST …/serviceAccounts/{email}:generateIdToken` `{ audience, includeEmail }` → `{ token }`: a
 * Google-signed ID token for the account.
 */
export const handleGenerateIdToken: Handler = (request, context) => {
  const prepared = prepare(request, context, 'GenerateIdToken');
  if (!prepared.ok) return prepared.answer;
  const { account, body } = prepared;
  if (typeof body.audience !== 'string' || body.audience === '') {
    return invalidArgument('Invalid value for field "audience": an audience is required.');
  }
  const token = context.state.serviceAccountIdToken(account, body.audience, {
    includeEmail: body.includeEmail === true,
  });
  return jsonAnswer(200, { token });
};

/** `"3600s"` → 3600; undefined when malformed. */
function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)(\.\d+)?s$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/**
 * `POST …/serviceAccounts/{email}:generateAccessToken` `{ scope: [], lifetime: "3600s" }` →
 * `{ accessToken, expireTime }`.
 */
export const handleGenerateAccessToken: Handler = (request, context) => {
  const prepared = prepare(request, context, 'GenerateAccessToken');
  if (!prepared.ok) return prepared.answer;
  const { account, body } = prepared;
  const scopeList = Array.isArray(body.scope)
    ? body.scope.filter((s) => typeof s === 'string')
    : [];
  const scopes = normalizeScopes(scopeList as string[]);
  if (scopes.length === 0) return invalidArgument('Scope required.');
  const lifetime = body.lifetime === undefined ? 3600 : parseDuration(body.lifetime);
  if (lifetime === undefined || lifetime <= 0) {
    return invalidArgument('Invalid value for field "lifetime": expected a duration like "3600s".');
  }
  if (lifetime > MAX_ACCESS_TOKEN_LIFETIME_SECONDS) {
    return invalidArgument(
      'The lifetime requested exceeds the maximum of 3600s allowed for the service account.',
    );
  }
  const issued = context.state.issueAccessToken({
    principal: context.state.serviceAccounts.principal(account),
    clientId: account.clientId,
    scopes,
    source: 'generateAccessToken',
    lifetimeSeconds: lifetime,
  });
  const expireTime = new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return jsonAnswer(200, { accessToken: issued.token, expireTime });
};
