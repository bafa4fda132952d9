/** Google's error bodies. */

const CANONICAL_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_MESSAGE: Readonly<Record<number, string>> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  405: 'Method not allowed.',
  429: 'Quota exceeded.',
  500: 'Internal error encountered.',
  502: 'Bad gateway.',
  503: 'The service is currently unavailable.',
  504: 'The request timed out.',
};

export const MISSING_CREDENTIALS_MESSAGE =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
export const INVALID_CREDENTIALS_MESSAGE = DEFAULT_MESSAGE[401] as string;
export const INSUFFICIENT_SCOPES_MESSAGE = 'Request had insufficient authentication scopes.';

export function canonicalStatus(httpStatus: number): string {
  if (CANONICAL_STATUS[httpStatus]) return CANONICAL_STATUS[httpStatus];
  if (httpStatus >= 500) return 'INTERNAL';
  if (httpStatus >= 400) return 'FAILED_PRECONDITION';
  return 'OK';
}

export interface GoogleApiErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/** `{"error":{"code","message","status"}}`: the JSON error of Google's REST APIs. */
export function googleApiError(
  httpStatus: number,
  message?: string,
  details?: unknown[],
): GoogleApiErrorBody {
  const error: GoogleApiErrorBody['error'] = {
    code: httpStatus,
    message: message ?? DEFAULT_MESSAGE[httpStatus] ?? `HTTP ${httpStatus}`,
    status: canonicalStatus(httpStatus),
  };
  if (details) error.details = details;
  return { error };
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** `{"error","error_description"}`: the OAuth2 error of the token and tokeninfo endpoints. */
export function oauthError(error: string, description: string): OAuthErrorBody {
  return { error, error_description: description };
}
